import { ActiveTranscript } from './active-transcript.js';
import type { Cancellable, Clock } from './clock.js';
import type { ConversationEvent, EndReason } from './conversation-event.js';
import type { ConversationSession } from './conversation-session.js';
import { emptyStats, type ConversationStats } from './conversation-stats.js';
import { DelegationRunner } from './delegation-runner.js';
import { messageOf } from './error-message.js';
import type { HandoffDelegate } from './handoff-delegate.js';
import type { Logger } from './logger.js';
import type { ParleyConfig } from './parley-config.js';
import type { ProtocolStrategy } from './protocol-strategy.js';
import type { RealtimeEvent } from './realtime-event.js';
import { SessionInputs } from './session-inputs.js';
import type { SessionPolicy } from './session-policy.js';
import type { SessionSettings } from './session-settings.js';
import type { Connection, ConnectionListener } from './transport-factory.js';
import type { ToolSpec } from './tool-checks.js';
import { ToolRunner } from './tool-runner.js';

/** What a session needs from its manager. */
export interface SessionContext {
  config: ParleyConfig;
  clock: Clock;
  logger: Logger;
  delegate: HandoffDelegate | undefined;
  /** The tools calls can reach (checked at start, spec 09 §1.3). */
  tools: readonly ToolSpec[];
  /** Delivers an event to the application; `bytes`: the size of the inbound frame it came from, when known. */
  emit(event: ConversationEvent, bytes?: number): void;
  /** The session ended (not replaced): the manager forgets it. */
  ended(session: ConversationSession): void;
  /** Opens a new connection for a reconnection (same request), delivering to `listener`. */
  reconnect(listener: ConnectionListener): Promise<Connection>;
}

/** Where a conversation is in its lifecycle (spec 04 "Lifecycle"). */
export type SessionState = 'starting' | 'running' | 'reconnecting' | 'closing' | 'ended';

/**
 * The state one conversation's parts share — the inbound path, the input loop, the reconnection
 * and the policy handle — and the few operations they all use: delivering and emitting events,
 * fatal errors, guarding policy calls, ending. Internal to core (not exported from the package).
 */
export class SessionCore {
  /** Counters, kept after the end. */
  readonly stats: ConversationStats;
  /** Aborted when the session ends or is replaced (stops a connect in progress, and delegates). */
  readonly abort = new AbortController();
  readonly transcript: ActiveTranscript;
  readonly inputs: SessionInputs;
  /** The timers of the policy and the reconnection backoff; cancelled on end and on reconnection. */
  readonly timers = new Set<Cancellable>();
  /** Inbound calls that arrived while a connection was being established; replayed once running. */
  readonly early: (() => void)[] = [];
  state: SessionState = 'starting';
  connection: Connection | undefined;
  policy: SessionPolicy | undefined;
  delegations: DelegationRunner;
  delegationAbort = new AbortController();
  /** Counts connection attempts: calls from a listener of an earlier attempt are ignored. */
  epoch = 0;
  /** The newest send's completion (what the input loop waits for on a congested socket). */
  lastSend: Promise<void> = Promise.resolve();
  /** Resolves when a reconnection succeeded (the input loop waits for it while reconnecting). */
  reconnected: Promise<void> = Promise.resolve();
  /** Releases the loop's wait for a send (set while it waits; called when the connection is dropped). */
  releaseLoop: (() => void) | undefined;
  /** Characters of the inbound frame being handled, until its first event is delivered (else 0). */
  frameChars = 0;
  /** True while a slow event consumer holds inbound delivery (re-applied to a new connection). */
  pausedForEvents = false;
  private resolveEnded: () => void = () => undefined;
  /** Resolves when the conversation ended (closed, failed, or dropped). */
  readonly whenEnded: Promise<void> = new Promise((resolve) => (this.resolveEnded = resolve));
  /** The conversation's tool runner (spec 09): `PolicyHandle.tools`, fed back through the `toolOut` lane. */
  readonly tools: ToolRunner;

  constructor(
    readonly strategy: ProtocolStrategy,
    readonly settings: SessionSettings,
    readonly context: SessionContext,
    /** Tells the manager that this conversation ended (with `closed`). */
    private readonly ended: () => void,
  ) {
    const queues = context.config.realtime.queues;
    this.stats = emptyStats(strategy.id);
    this.stats.state = 'starting';
    this.transcript = new ActiveTranscript(context.config.realtime.transcript.maxEntries, context.config.realtime.transcript.maxEntryChars);
    this.inputs = new SessionInputs({
      audioIn: queues.audioIn,
      textIn: queues.textIn,
      handoffOut: queues.handoffOut,
      toolOut: queues.toolOut,
    });
    this.delegations = this.createDelegationRunner();
    this.tools = new ToolRunner(context.tools, {
      clock: context.clock,
      logger: context.logger,
      settings: context.config.realtime.tools,
      emit: (event) => this.emit(event),
      enqueue: (item) => this.inputs.putTool(item),
    });
  }

  /** True while the conversation runs (started and not ended; reconnecting counts as running, closing does not). */
  get running(): boolean {
    return this.state === 'running' || this.state === 'reconnecting';
  }

  /** True while events flow to the application: running, or closing (spec 08 A5). */
  get live(): boolean {
    return this.state === 'running' || this.state === 'closing';
  }

  /** A delegation runner whose delegates answer into the handoff queue, aborted with `delegationAbort`. */
  createDelegationRunner(): DelegationRunner {
    return new DelegationRunner(
      this.context.delegate,
      this.context.logger,
      this.delegationAbort.signal,
      {
        output: (text, handoffId) => this.inputs.putOutput(text, handoffId),
        finish: (handoffId) => this.inputs.putFinish(handoffId),
      },
      { timeoutMs: this.context.config.realtime.delegate.timeoutMs, clock: this.context.clock },
    );
  }

  // ---- delivering ---------------------------------------------------------------------------------

  /** Delivers a server event (counted); a fatal `error` then ends the conversation with `error`. */
  deliver(event: RealtimeEvent): void {
    const state = this.state;
    if (state !== 'running' && state !== 'reconnecting' && state !== 'closing') return;
    this.stats.eventsDelivered += 1;
    // The first event delivered for an inbound frame carries the frame's size (the back-pressure byte bound).
    const bytes = this.frameChars;
    this.frameChars = 0;
    this.context.emit(event, bytes);
    if (event.type === 'error' && event.fatal) this.end('error');
  }

  /** Emits a conversation event (counted), unless the conversation ended. */
  emit(event: ConversationEvent): void {
    if (this.state === 'ended') return;
    this.stats.eventsDelivered += 1;
    this.context.emit(event);
  }

  /** Delivers a fatal `error` event, which ends the conversation. */
  fatal(message: string, code?: string): void {
    if (this.state === 'ended') return;
    const event: RealtimeEvent =
      code === undefined ? { type: 'error', message, fatal: true } : { type: 'error', message, fatal: true, code };
    this.deliver(event);
  }

  /** Runs a call into the policy; an exception is a fatal `ERR_POLICY_FAILED`. */
  guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.policyFailed(error);
    }
  }

  /** The policy threw: logged, then a fatal `ERR_POLICY_FAILED`. */
  policyFailed(error: unknown): void {
    this.context.logger.error('the session policy threw', { error: messageOf(error), protocol: this.strategy.id });
    this.fatal(`internal error in the ${this.strategy.id} session policy: ${messageOf(error)}`, 'ERR_POLICY_FAILED');
  }

  // ---- ending -------------------------------------------------------------------------------------

  /**
   * `close()` once the queued inputs were flushed: asks the policy (spec 08 A5). True when the
   * conversation is now **closing** — inputs refused (the queue is closed, what is left counted as
   * discarded), running delegations and open tool calls aborted, events and the policy's timers go on until the policy
   * ends it; false when it should end at once.
   */
  beginClose(): boolean {
    if (this.state !== 'running') return false;
    let closing = false;
    this.guard(() => {
      closing = this.policy?.beginClose?.() ?? false;
    });
    if (!closing || (this.state as SessionState) !== 'running') return false;
    this.state = 'closing';
    this.stats.state = 'closing';
    this.delegationAbort.abort();
    this.stats.discardedInputs += this.inputs.close();
    // Open tool calls end as at the end of a conversation (spec 08, 09 §7): no output is sent for them.
    this.tools.dispose();
    return true;
  }

  /**
   * Ends the conversation and emits `closed` (once). The socket is closed with a normal close frame,
   * except after a `transport_closed` from the transport (dropped); `normalClose` closes it normally
   * for a policy that ends the conversation itself (spec 08 A4).
   */
  end(reason: EndReason, code?: number, closeReason?: string, normalClose = false): void {
    if (this.state === 'ended') return;
    const wasRunning = this.running || this.state === 'closing';
    this.discard();
    if (reason === 'transport_closed' && !normalClose) this.connection?.terminate();
    else this.connection?.close();
    if (!wasRunning) return;
    const closed: ConversationEvent = { type: 'closed', reason };
    if (code !== undefined) closed.code = code;
    if (closeReason !== undefined) closed.closeReason = closeReason;
    this.context.emit(closed);
    this.ended();
  }

  /** Drops the conversation silently (replaced by a new start): no `closed`, no timer fires. */
  drop(): void {
    if (this.state === 'ended') return;
    this.discard();
    this.connection?.terminate();
  }

  /** Marks the conversation ended and lets go of everything pending (inputs are counted). */
  discard(): void {
    this.state = 'ended';
    this.stats.state = 'ended';
    this.abort.abort();
    this.delegationAbort.abort();
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    this.stats.discardedInputs += this.inputs.close();
    this.early.length = 0;
    this.tools.dispose();
    this.disposePolicy();
    this.resolveEnded();
  }

  /** Disposes the policy; an exception is logged (the conversation is ending or reconnecting). */
  disposePolicy(): void {
    try {
      this.policy?.dispose();
    } catch (error) {
      this.context.logger.error('session policy dispose failed', { error: messageOf(error) });
    }
  }
}
