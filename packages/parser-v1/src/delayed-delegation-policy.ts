import {
  renderTranscript,
  type Cancellable,
  type HandoffRequestedEvent,
  type PolicyHandle,
  type RealtimeEvent,
  type SessionPolicy,
} from '@parley/core';
import { v1HandoffAppendMessage } from './v1-messages.js';

/** A handoff whose delegation waits for the end of its grace period. */
interface PendingDelegation {
  handoffId: string;
  inputTranscript: string;
  timer: Cancellable;
}

/**
 * The V1 session policy: delayed delegation (spec 02 "Session policy"). One per conversation.
 *
 * - `handoffRequested` makes the handoff the active one at once and is delivered at once, with
 *   `activeTranscript` set to a snapshot of the active transcript (not cleared). Nothing blocks.
 * - Its delegation fires `graceMs` later (`realtime.v1.handoffGraceMs`, default 1000 ms) on the
 *   conversation's clock: it takes the active transcript (read-and-clear) and routes
 *   `{ handoffId, text, transcript: taken, steering: false }`, where `text` is the taken entries
 *   rendered as `<role>: <text>` lines, else the handoff's `inputTranscript`; when both are empty
 *   nothing is routed. Pending delegations fire in the order their handoffs arrived, each taking
 *   only what built up since the previous take; a newer handoff never cancels an older one's.
 * - Assistant output is sent at once as `conversation.handoff.append` for the active (newest)
 *   handoff; with none active it is dropped, counted (`droppedAssistantOutputs`) and logged (warn).
 *   `finishTurn` clears the active handoff.
 * - V1 never asks for responses nor truncates: `requestResponse` and `reportPlayback` do nothing.
 * - Every other event, server errors included, is delivered unchanged.
 * - `dispose` drops the pending delegations (the handle also cancels their timers).
 */
export class DelayedDelegationPolicy implements SessionPolicy {
  private activeHandoffId: string | undefined;
  /** Pending delegations in arrival order (= firing order, the grace being the same for all). */
  private readonly pending: PendingDelegation[] = [];
  private disposed = false;

  /**
   * @param handle the conversation's handle.
   * @param graceMs how long after a handoff its delegation fires (ms, >= 0).
   */
  constructor(
    private readonly handle: PolicyHandle,
    private readonly graceMs: number,
  ) {}

  /** The id of the active handoff (the newest, until `finishTurn`), for tests and diagnostics. */
  get activeHandoff(): string | undefined {
    return this.activeHandoffId;
  }

  /** Number of handoffs whose delegation has not fired yet. */
  get pendingDelegations(): number {
    return this.pending.length;
  }

  /** Delivers every event; a handoff is also made active and its delegation scheduled. */
  onServerEvent(event: RealtimeEvent): void {
    if (event.type === 'handoffRequested') this.onHandoff(event);
    else this.handle.deliver(event);
  }

  /** No-op: V1 never sends `response.create`. */
  requestResponse(): void {}

  /** Sends `conversation.handoff.append` for the active handoff at once, or drops and counts. */
  assistantOutput(text: string): void {
    const handoffId = this.activeHandoffId;
    if (handoffId === undefined) {
      this.handle.count('droppedAssistantOutputs');
      this.handle.logger.warn('assistant output while no handoff is active: dropped', { protocol: 'v1', chars: text.length });
      return;
    }
    this.handle.send(v1HandoffAppendMessage(handoffId, text));
  }

  /** Clears the active handoff; later output is dropped until the next handoff. */
  finishTurn(): void {
    this.activeHandoffId = undefined;
  }

  /** No-op: V1 never truncates. */
  reportPlayback(_itemId: string, _playedMs: number): void {}

  /** The active handoff and those whose delegation is still pending (asked on reconnection). */
  openHandoffs(): string[] {
    const open = this.pending.map((delegation) => delegation.handoffId);
    if (this.activeHandoffId !== undefined && !open.includes(this.activeHandoffId)) open.push(this.activeHandoffId);
    return open;
  }

  /** Drops the pending delegations (cancels their timers) and the active handoff. */
  dispose(): void {
    this.disposed = true;
    for (const delegation of this.pending.splice(0)) delegation.timer.cancel();
    this.activeHandoffId = undefined;
  }

  private onHandoff(event: HandoffRequestedEvent): void {
    this.activeHandoffId = event.handoffId;
    this.handle.deliver({
      type: 'handoffRequested',
      handoffId: event.handoffId,
      itemId: event.itemId,
      inputTranscript: event.inputTranscript,
      activeTranscript: this.handle.transcript.snapshot(),
    });
    if (this.disposed) return;
    const timer = this.handle.schedule(this.graceMs, () => this.fireNext());
    this.pending.push({ handoffId: event.handoffId, inputTranscript: event.inputTranscript, timer });
  }

  /**
   * One grace period ended: delegates the oldest pending handoff. Taking the head (not "the
   * timer's own" handoff) keeps arrival order even if a clock fires equal-time timers out of order.
   */
  private fireNext(): void {
    const delegation = this.pending.shift();
    if (delegation === undefined || this.disposed) return;
    const transcript = this.handle.transcript.take();
    const text = transcript.length > 0 ? renderTranscript(transcript) : delegation.inputTranscript;
    if (text === '') {
      this.handle.logger.warn('handoff with no transcript and no input transcript: nothing to delegate', {
        protocol: 'v1',
        handoffId: delegation.handoffId,
      });
      return;
    }
    this.handle.route({ handoffId: delegation.handoffId, text, transcript, steering: false });
  }
}
