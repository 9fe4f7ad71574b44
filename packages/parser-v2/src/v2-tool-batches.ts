/**
 * Batches of tool calls and their response requests (spec 09 §8.3). A batch is the calls one
 * response carried; when every call of a closed batch is answered, the batch asks for exactly one
 * response — unless the user interrupted it: then the user's turn is answered by a response that
 * sees every output sent before it starts, and the batch asks only if it was `owing` (a response
 * was created while one of its calls was still unanswered).
 *
 * Synchronous, one per conversation. It never sends: it calls `request` (the response gate) and
 * `interrupt` (the tool runner's `tools.interrupt`).
 */
export class V2ToolBatches {
  private batches: Batch[] = [];
  private open: Batch | undefined;
  /** Every unanswered call, in admission order, with its batch. */
  private readonly unanswered = new Map<string, Batch>();

  /**
   * @param request asks for one response (through the response gate).
   * @param interrupt tells the tool runner the user interrupted a call.
   */
  constructor(
    private readonly request: () => void,
    private readonly interrupt: (callId: string) => void,
  ) {}

  /** `responseCreated`: interrupted batches still waiting become owing; a new open batch starts. */
  responseCreated(): void {
    for (const batch of this.batches) if (batch.interrupted && batch.waiting > 0) batch.owing = true;
    if (this.open !== undefined) this.open.closed = true;
    this.open = new Batch();
    this.batches.push(this.open);
    this.sweep();
  }

  /** A call was admitted: it joins the open batch, else a batch of its own (closed at once). */
  admitted(callId: string): void {
    let batch = this.open;
    if (batch === undefined) {
      batch = new Batch();
      batch.closed = true;
      this.batches.push(batch);
    }
    batch.calls += 1;
    batch.waiting += 1;
    this.unanswered.set(callId, batch);
    if (batch.interrupted) this.interrupt(callId);
    this.sweep();
  }

  /** The user started speaking (barge-in on): every batch with an unanswered call is interrupted. */
  speechStarted(): void {
    for (const batch of this.unanswered.values()) batch.interrupted = true;
    for (const callId of [...this.unanswered.keys()]) this.interrupt(callId);
    this.sweep();
  }

  /** `responseDone`/`responseCancelled`: the open batch closes (interrupted when cancelled). */
  responseEnded(cancelled: boolean): void {
    const batch = this.open;
    this.open = undefined;
    if (batch !== undefined) {
      batch.closed = true;
      if (cancelled) {
        batch.interrupted = true;
        for (const [callId, owner] of [...this.unanswered]) if (owner === batch) this.interrupt(callId);
      }
    }
    this.sweep();
  }

  /** A call's answer was sent. */
  answered(callId: string): void {
    const batch = this.unanswered.get(callId);
    if (batch === undefined) return;
    this.unanswered.delete(callId);
    batch.waiting -= 1;
    this.sweep();
  }

  /** Forgets everything (the conversation ended, or its connection was replaced). */
  reset(): void {
    this.batches = [];
    this.open = undefined;
    this.unanswered.clear();
  }

  /**
   * Forgets complete batches; if one that is not interrupted, or is owing, completed now, requests
   * one response (batches completing at the same moment share it: it sees all their outputs).
   */
  private sweep(): void {
    const complete = this.batches.filter((batch) => batch.closed && batch.waiting === 0);
    if (complete.length === 0) return;
    this.batches = this.batches.filter((batch) => !complete.includes(batch));
    if (complete.some((batch) => batch.calls > 0 && (!batch.interrupted || batch.owing))) this.request();
  }
}

class Batch {
  calls = 0;
  waiting = 0;
  closed = false;
  interrupted = false;
  owing = false;
}
