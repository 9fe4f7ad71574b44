import type { Cancellable, HandoffRequestedEvent, PolicyHandle, TranscriptEntry } from '@parley/core';
import { liveAppendMessages, NO_ANSWER_TEXT } from './live-messages.js';

/** The most delegation ids remembered to refuse duplicates. */
export const SEEN_DELEGATION_IDS = 4096;

/** Why a delegation was routed: its transcript caught up, or its grace expired. */
export type RouteReason = 'caught_up' | 'grace_expired';

interface PendingDelegation {
  id: string;
  offsetMs: number | undefined;
  /** The grace timer (absent when caught up on arrival, or with a grace of 0). */
  timer: Cancellable | undefined;
  graceExpired: boolean;
}

interface OpenDelegation {
  /** The last non-empty message, said as commentary at the finish. */
  last: string | undefined;
}

/**
 * Renders taken entries for a delegation (spec 08 rule 5): `<role>: <text>` lines joined by `\n`,
 * each text trimmed, entries empty after trimming left out.
 */
export function renderLiveTranscript(entries: readonly TranscriptEntry[]): string {
  return entries
    .map((entry) => ({ role: entry.role, text: entry.text.trim() }))
    .filter((entry) => entry.text !== '')
    .map((entry) => `${entry.role}: ${entry.text}`)
    .join('\n');
}

/**
 * Client delegation with the timeline-aware grace (spec 08 "Delegation (client mode)"), for one
 * conversation (one server session):
 *
 * - the **horizon** is the greatest `endMs` of the input transcript fragments so far;
 * - a delegation is **caught up** when it has an `offsetMs` and horizon ≥ `offsetMs`, and **due**
 *   when caught up or when `graceMs` has passed since it arrived (a timer on the conversation's
 *   clock, started only when it is not caught up on arrival); without `offsetMs`, due only at the
 *   end of its grace;
 * - due delegations are routed strictly in arrival order: the head first, each taking the active
 *   transcript (read-and-clear); an empty take routes nothing (`unroutedDelegations`);
 * - routed delegations are **open** and run concurrently; each one's messages go out as thinking
 *   appends and its finish as commentary, tagged with its id and chunked within `budget`.
 */
export class LiveDelegations {
  private horizon: number | undefined;
  private readonly pending: PendingDelegation[] = [];
  private readonly open = new Map<string, OpenDelegation>();
  private readonly seen = new Set<string>();
  private readonly seenOrder: string[] = [];

  /**
   * @param handle the conversation's handle.
   * @param graceMs `realtime.live.delegationGraceMs`.
   * @param budget `realtime.live.appendTokenBudget`.
   * @param onRoute told of each routing and why (for logs and the demo's timeline).
   */
  constructor(
    private readonly handle: PolicyHandle,
    private readonly graceMs: number,
    private readonly budget: number,
    private readonly onRoute: (id: string, reason: RouteReason) => void = () => undefined,
  ) {}

  /** The pending ids (arrival order), then the open ones (routing order). */
  ids(): string[] {
    return [...this.pending.map((delegation) => delegation.id), ...this.open.keys()];
  }

  /** Number of delegations waiting for their transcript. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** True when the id was seen before (a duplicate: ignored, counted). Remembers it otherwise. */
  isDuplicate(id: string): boolean {
    if (this.seen.has(id)) return true;
    this.seen.add(id);
    this.seenOrder.push(id);
    if (this.seenOrder.length > SEEN_DELEGATION_IDS) this.seen.delete(this.seenOrder.shift() as string);
    return false;
  }

  /** A client delegation arrived (already delivered): queue it, and route what is due. */
  add(event: HandoffRequestedEvent): void {
    const delegation: PendingDelegation = { id: event.handoffId, offsetMs: event.offsetMs, timer: undefined, graceExpired: false };
    if (!this.caughtUp(delegation)) {
      if (this.graceMs === 0) delegation.graceExpired = true;
      else {
        delegation.timer = this.handle.schedule(this.graceMs, () => {
          delegation.timer = undefined;
          delegation.graceExpired = true;
          this.pump();
        });
      }
    }
    this.pending.push(delegation);
    this.pump();
  }

  /** An input fragment ending at `endMs` was delivered: raise the horizon, route what is due. */
  inputFragment(endMs: number): void {
    if (this.horizon === undefined || endMs > this.horizon) this.horizon = endMs;
    this.pump();
  }

  /**
   * One delegate message: sent at once as thinking appends for its delegation (`handoffId`, else
   * the oldest open one). False when there is no such open delegation (the caller drops and counts).
   */
  output(text: string, handoffId: string | undefined): boolean {
    const id = this.target(handoffId);
    if (id === undefined) return false;
    const delegation = this.open.get(id) as OpenDelegation;
    if (text.trim() === '') return true;
    delegation.last = text;
    for (const message of liveAppendMessages('thinking', id, text, this.budget)) this.handle.send(message);
    return true;
  }

  /**
   * Finishes a delegation (`handoffId`, else the oldest open one): its last message, or
   * {@link NO_ANSWER_TEXT}, as commentary appends (spoken). False when there is no such open
   * delegation (then nothing happens).
   */
  finish(handoffId: string | undefined): boolean {
    const id = this.target(handoffId);
    if (id === undefined) return false;
    const delegation = this.open.get(id) as OpenDelegation;
    this.open.delete(id);
    for (const message of liveAppendMessages('commentary', id, delegation.last ?? NO_ANSWER_TEXT, this.budget)) this.handle.send(message);
    return true;
  }

  /** Drops the pending delegations (never routed) and forgets the open ones; returns the dropped ids. */
  drop(): string[] {
    const dropped = this.pending.splice(0).map((delegation) => {
      delegation.timer?.cancel();
      return delegation.id;
    });
    this.open.clear();
    return dropped;
  }

  private target(handoffId: string | undefined): string | undefined {
    if (handoffId !== undefined) return this.open.has(handoffId) ? handoffId : undefined;
    const first = this.open.keys().next();
    return first.done === true ? undefined : first.value;
  }

  private caughtUp(delegation: PendingDelegation): boolean {
    return delegation.offsetMs !== undefined && this.horizon !== undefined && this.horizon >= delegation.offsetMs;
  }

  /** Routes the head while it is due (arrival order; a due one behind one not due waits). */
  private pump(): void {
    for (;;) {
      const head = this.pending[0];
      if (head === undefined) return;
      const caughtUp = this.caughtUp(head);
      if (!caughtUp && !head.graceExpired) return;
      this.pending.shift();
      head.timer?.cancel();
      this.route(head.id, caughtUp ? 'caught_up' : 'grace_expired');
    }
  }

  private route(id: string, reason: RouteReason): void {
    const transcript = this.handle.transcript.take();
    const text = renderLiveTranscript(transcript);
    this.onRoute(id, reason);
    if (text === '') {
      this.handle.count('unroutedDelegations');
      this.handle.logger.warn('live delegation with an empty transcript: nothing to route', { protocol: 'live', handoffId: id });
      return;
    }
    this.open.set(id, { last: undefined });
    this.handle.route({ handoffId: id, text, transcript, steering: false });
  }
}
