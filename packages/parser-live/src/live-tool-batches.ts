import type { LiveResponseStatus } from './live-response-events.js';

/** A delegation key: the `delegation_id` of a `response.event` envelope; `undefined` (no id) is its own key. */
export type LiveDelegationKey = string | undefined;

class Batch {
  calls = 0;
  /** Calls whose output is not queued yet. */
  waiting = 0;
  closed = false;
  /** Whether the batch asks to continue once complete: it ended `completed`, or is a call's own batch. */
  continues = false;
}

interface OpenBatch {
  batch: Batch;
  responseId: string | undefined;
}

/**
 * Batches of Responses-mode tool calls and their `response.create`s (spec 08 "Responses mode"),
 * kept **per delegation key**:
 *
 * - `responseCreated` closes the key's open batch, if any (it asks nothing: it did not end
 *   `completed`), and opens a new one;
 * - an admitted call joins its key's open batch, else a batch of its own, closed at once;
 * - `responseDone` closes the key's open batch; only `status: "completed"` lets it continue;
 * - a batch that is closed and has every call's output queued is **complete** and forgotten; it
 *   asks for exactly one `response.create` if it has calls and ended `completed` or is a call's
 *   own batch. A batch with no calls, or ended `failed`/`incomplete`, asks nothing.
 *
 * So a `response.create` never precedes an output of its batch: the server refuses it
 * (`function_call_outputs_required`) until every output is queued. Synchronous, one per
 * conversation; it never sends, it calls `request`.
 */
export class LiveToolBatches {
  private readonly open = new Map<LiveDelegationKey, OpenBatch>();
  /** Every call without a queued output, with its batch. */
  private readonly unanswered = new Map<string, Batch>();
  /** The delegation key of each call until its last message (a background call's result) was sent. */
  private readonly keys = new Map<string, LiveDelegationKey>();

  /** @param request sends one `{"type":"response.create"}`. */
  constructor(private readonly request: () => void) {}

  /** The id of the key's open response (from its `response.created`), if any. */
  responseId(key: LiveDelegationKey): string | undefined {
    return this.open.get(key)?.responseId;
  }

  /** `response.created` for `key`: its open batch closes (asking nothing) and a new one opens. */
  responseCreated(key: LiveDelegationKey, responseId: string | undefined): void {
    const previous = this.open.get(key);
    this.open.set(key, { batch: new Batch(), responseId });
    if (previous !== undefined) this.close(previous.batch, false);
  }

  /** A call was admitted: it joins its key's open batch, else a batch of its own (closed at once). */
  admitted(key: LiveDelegationKey, callId: string): void {
    const open = this.open.get(key);
    const batch = open?.batch ?? new Batch();
    batch.calls += 1;
    batch.waiting += 1;
    this.unanswered.set(callId, batch);
    this.keys.set(callId, key);
    if (open === undefined) this.close(batch, true);
  }

  /** `response.completed` / `failed` / `incomplete` for `key`: its open batch closes. */
  responseDone(key: LiveDelegationKey, status: LiveResponseStatus): void {
    const open = this.open.get(key);
    if (open === undefined) return;
    this.open.delete(key);
    this.close(open.batch, status === 'completed');
  }

  /**
   * A call's output was queued (sent). `started`: a background call's started output (its key is
   * kept for the result). The batch may now be complete.
   */
  answered(callId: string, started: boolean): void {
    if (!started) this.keys.delete(callId);
    const batch = this.unanswered.get(callId);
    if (batch === undefined) return;
    this.unanswered.delete(callId);
    batch.waiting -= 1;
    this.sweep(batch);
  }

  /** The delegation key of a call (for its background result); forgets it. */
  takeKey(callId: string): LiveDelegationKey {
    const key = this.keys.get(callId);
    this.keys.delete(callId);
    return key;
  }

  /** Forgets everything (closing, the end, or a new server session): nothing more is asked. */
  reset(): void {
    this.open.clear();
    this.unanswered.clear();
    this.keys.clear();
  }

  private close(batch: Batch, continues: boolean): void {
    batch.closed = true;
    batch.continues = continues;
    this.sweep(batch);
  }

  private sweep(batch: Batch): void {
    if (!batch.closed || batch.waiting > 0) return;
    if (batch.calls > 0 && batch.continues) {
      // Complete: forgotten (no call refers to it any more); asks exactly once.
      batch.calls = 0;
      this.request();
    }
  }
}
