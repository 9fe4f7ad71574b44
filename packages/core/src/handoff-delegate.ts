import type { ServiceIdentifier } from 'inversify';
import type { TranscriptEntry } from './realtime-event.js';

/** A delegation handed to the background agent. */
export interface Delegation {
  handoffId: string;
  /** The routed text (v1: the transcript lines; v2: the prompt the model chose). */
  text: string;
  /** The transcript entries taken for this delegation. */
  transcript: TranscriptEntry[];
}

/** Steering of a running delegation (v2): a newer request for the same task. */
export interface Steering {
  /** The new call's id (already acknowledged to the model). */
  handoffId: string;
  text: string;
}

/** The running turn of a delegation: how a delegate answers. */
export interface DelegationTurn {
  /** Sends one assistant message; awaits space in the handoff queue. Ignored after the turn or conversation ended. */
  output(text: string): Promise<void>;
  /** Completes the turn (once; later calls do nothing). Called for you when `delegate()` settles. */
  finish(): Promise<void>;
  /** Subscribes to steering messages for this delegation (v2). */
  onSteering(listener: (steering: Steering) => void): void;
  /** Aborted when the conversation ends or is replaced: stop working then. */
  readonly signal: AbortSignal;
}

/**
 * The background agent (optional binding). Without one, the application answers each
 * `delegationStarted` event with `sendAssistantOutput(text)` and `finishTurn()`.
 */
export interface HandoffDelegate {
  /**
   * Works on a delegation. The turn finishes when the returned promise settles (if `finish` was not
   * called before); a rejection is logged and finishes the turn with the text
   * `The background agent failed: <message>`. It never ends the conversation.
   */
  delegate(delegation: Delegation, turn: DelegationTurn): Promise<void> | void;
}

/** Service identifier of {@link HandoffDelegate}. */
export const HandoffDelegate = Symbol('HandoffDelegate') as ServiceIdentifier<HandoffDelegate>;
