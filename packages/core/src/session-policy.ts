import type { Cancellable } from './clock.js';
import type { ParleyConfig } from './parley-config.js';
import type { ClientMessage } from './protocol-strategy.js';
import type { RealtimeEvent, TranscriptEntry } from './realtime-event.js';
import type { Logger } from './logger.js';
import type { BackgroundToolResult, ToolAnswer, ToolsHandle } from './tool-hooks.js';

/** A delegation the policy routes: to the bound delegate, or to the application. */
export interface DelegationRequest {
  handoffId: string;
  text: string;
  transcript: TranscriptEntry[];
  /** True when the text steers the running delegation instead of starting a new one (v2). */
  steering: boolean;
}

/** Counters a policy increments; all appear in `stats()`. */
export type PolicyCounter =
  'deferredResponseRequests' | 'truncations' | 'droppedAssistantOutputs' | 'raceErrors' | 'ignoredEvents' | 'unroutedDelegations';

/** The active transcript, as a policy sees it. */
export interface TranscriptAccess {
  /** Atomic read-and-clear: the entries since the previous take. */
  take(): TranscriptEntry[];
  /** A copy of the entries, not cleared. */
  snapshot(): TranscriptEntry[];
}

/**
 * The narrow handle the conversation gives its policy. Every method is synchronous; after the
 * conversation ended they do nothing.
 */
export interface PolicyHandle {
  /**
   * Sends a message (in order with every other send). When the send fails, `onError` is asked
   * first: returning true means handled (not fatal); otherwise the failure is a fatal error.
   */
  send(message: ClientMessage, onError?: (error: Error) => boolean): void;
  /**
   * Delivers an event to the application. An `error` event with `fatal: true` ends the
   * conversation (reason `error`) right after it is delivered.
   */
  deliver(event: RealtimeEvent): void;
  /** Routes a delegation: emits `delegationStarted`, then hands it to the delegate (if bound). */
  route(delegation: DelegationRequest): void;
  /** Calls `callback` after `delayMs` on the injected clock; cancelled when the conversation ends. */
  schedule(delayMs: number, callback: () => void): Cancellable;
  /** The conversation's active transcript. */
  readonly transcript: TranscriptAccess;
  /** Increments a counter of `stats()`. */
  count(counter: PolicyCounter): void;
  /** The validated configuration. */
  readonly config: ParleyConfig;
  /** The logger. */
  readonly logger: Logger;
  /** Now, on the injected clock. */
  now(): number;
  /**
   * True when the delegated turn was already finished (by the delegate, or `finishTurn()`) but that
   * finish still waits in the input queue behind earlier inputs: the delegate is no longer busy,
   * even though `finishTurn` has not reached the policy yet (v2 uses it to tell steering from a
   * new request).
   */
  finishPending(): boolean;
  /**
   * Holds (true) or releases (false) the conversation's inputs (spec 08 A3). While held the
   * processing loop takes no input; inputs queue under the normal rules (audio beyond capacity is
   * dropped and counted, text and outputs wait for space); released inputs go in arrival order.
   */
  holdInputs(held: boolean): void;
  /**
   * Ends the conversation after the event being handled (spec 08 A4): emits `closed` with that
   * reason (no `code`) and closes the socket with a normal close frame.
   */
  end(reason: 'requested' | 'transport_closed'): void;
  /**
   * The conversation's tool runner (spec 09 §9): report each sighting of a finished function call
   * with `tools.call`, and the calls a barge-in interrupts with `tools.interrupt`. Only strategies
   * that declare `supportsTools` get calls to report.
   */
  readonly tools: ToolsHandle;
}

/**
 * Per-conversation protocol behaviour. The conversation calls it one thing at a time, in order:
 * inbound events as they arrive, and inputs from its processing loop. Every method is synchronous;
 * it acts through its {@link PolicyHandle}.
 */
export interface SessionPolicy {
  /**
   * An event decoded from a server frame (the active transcript has already been fed). The policy
   * delivers it (possibly changed, e.g. a race error made non-fatal) with `handle.deliver`.
   */
  onServerEvent(event: RealtimeEvent): void;
  /** The application (or a delegate) asked for a response: `requestResponse()`. */
  requestResponse(): void;
  /**
   * One assistant message from the delegate or `sendAssistantOutput(text)`; `handoffId` is the id
   * of the delegation turn that produced it, or the one the application named (spec 08 A6).
   */
  assistantOutput(text: string, handoffId?: string): void;
  /** The delegated turn is finished: `finishTurn()`; `handoffId` as for {@link assistantOutput}. */
  finishTurn(handoffId?: string): void;
  /** The application reports how much of an output item it has played (`reportPlayback`). */
  reportPlayback(itemId: string, playedMs: number): void;
  /** The conversation ended or was replaced; drop pending work. Timers are cancelled by the handle. */
  dispose(): void;
  /**
   * Optional: the handoffs still open (active, or waiting for their delegation). Asked when the
   * connection is lost and reconnection starts, to tell the application which handoffs were lost.
   */
  openHandoffs?(): string[];
  /**
   * Required when the strategy declares `supportsTools` (a missing hook is a policy failure): send
   * a call's one answer (`answer.started`: a background call's immediate answer). Called from the
   * input loop, in the order answers became ready; core emits `toolResult` right after it returns.
   */
  toolOutput?(answer: ToolAnswer): void;
  /**
   * Required when the strategy declares `supportsTools`: send a background call's result (V2: a
   * system item, then a response request through the gate).
   */
  backgroundToolResult?(result: BackgroundToolResult): void;
  /**
   * Optional (spec 08 A5): called by `close()` once the queued inputs were flushed (or discarded
   * while held). `true` means the conversation is now **closing**: the core refuses inputs, aborts
   * running delegations and open tool calls (no output is sent for them), keeps delivering events and firing the policy's timers, and the policy
   * ends it with `handle.end("requested")`. Absent or `false`: the conversation ends at once.
   */
  beginClose?(): boolean;
}
