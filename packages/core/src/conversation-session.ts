import type { ConversationEvent, EndReason } from './conversation-event.js';
import type { ConversationStats } from './conversation-stats.js';
import { copyUsageTotals } from './usage-totals.js';
import { ParleyError } from './parley-error.js';
import { createPolicyHandle } from './policy-handle.js';
import type { ClientMessage, ProtocolStrategy } from './protocol-strategy.js';
import { SessionCore, type SessionContext, type SessionState } from './session-core.js';
import { SessionInbound } from './session-inbound.js';
import { SessionInputLoop } from './session-input-loop.js';
import { SessionReconnection } from './session-reconnection.js';
import type { SessionSettings } from './session-settings.js';
import type { Connection, ConnectionListener } from './transport-factory.js';
import type { ToolStats } from './tool-runner.js';

export type { SessionContext } from './session-core.js';

/**
 * One conversation, as its {@link ConversationManager} sees it: created per start, not a container
 * singleton. It wires the parts of spec 04 that share its {@link SessionCore} state: the inbound
 * path ({@link SessionInbound}), the input loop ({@link SessionInputLoop}), the opt-in reconnection
 * ({@link SessionReconnection}) and the policy's handle ({@link createPolicyHandle}).
 */
export class ConversationSession {
  /** Counters, kept after the end. */
  readonly stats: ConversationStats;
  /** Aborted when the session ends or is replaced (stops a connect in progress, and delegates). */
  readonly abort: AbortController;
  private readonly core: SessionCore;
  private readonly inbound: SessionInbound;
  private readonly loop: SessionInputLoop;
  private readonly reconnection: SessionReconnection;

  constructor(
    readonly strategy: ProtocolStrategy,
    readonly settings: SessionSettings,
    context: SessionContext,
  ) {
    const core = new SessionCore(strategy, settings, context, () => context.ended(this));
    this.core = core;
    this.stats = core.stats;
    this.abort = core.abort;
    this.reconnection = new SessionReconnection(core, {
      listener: () => this.inbound.listener(),
      replayEarly: () => this.inbound.replayEarly(),
      policyHandle: () => createPolicyHandle(core, this.loop),
    });
    this.inbound = new SessionInbound(core, this.reconnection);
    this.loop = new SessionInputLoop(core, this.reconnection);
  }

  /** True while the conversation runs (started and not ended; reconnecting counts as running). */
  get running(): boolean {
    return this.core.running;
  }

  /** True while a `close()` waits for the policy to end the conversation (spec 08 A5). */
  get closing(): boolean {
    return this.core.state === 'closing';
  }

  /** Resolves when the session ended (closed, failed, or dropped). */
  get whenEnded(): Promise<void> {
    return this.core.whenEnded;
  }

  /** `close()` after the flush: true when the policy closes with a handshake (see `SessionCore.beginClose`). */
  beginClose(): boolean {
    return this.core.beginClose();
  }

  /** True once the session ended or was replaced. */
  get isEnded(): boolean {
    return this.core.state === 'ended';
  }

  /**
   * A listener for one connection attempt: calls from an attempt that is no longer current (a
   * connection replaced by a reconnection) are ignored.
   */
  listener(): ConnectionListener {
    return this.inbound.listener();
  }

  /**
   * Finishes the start once connected: sends the strategy's `session.update` first, then emits
   * `started`, then replays what arrived meanwhile. Rejects (and leaves the socket closed) when the
   * session ended meanwhile or the first send failed.
   */
  async open(connection: Connection): Promise<void> {
    const core = this.core;
    if (core.state === 'ended') {
      connection.terminate();
      throw startAborted();
    }
    try {
      await this.reconnection.establish(connection);
    } catch (error) {
      core.discard();
      connection.terminate();
      throw error;
    }
    // The state may have changed while establishing (a close or a new start meanwhile).
    if ((core.state as SessionState) === 'ended') {
      connection.terminate();
      throw startAborted();
    }
    core.state = 'running';
    core.stats.state = 'running';
    this.reconnection.started();
    const started: ConversationEvent =
      this.settings.sessionId === undefined
        ? { type: 'started', protocol: this.strategy.id }
        : { type: 'started', protocol: this.strategy.id, sessionId: this.settings.sessionId };
    core.emit(started);
    this.inbound.replayEarly();
    this.loop.start();
  }

  // ---- inputs -------------------------------------------------------------------------------

  /** Queues an encoded audio message (or its JSON text); drops and counts it when the audio lane is full. */
  offerAudio(message: ClientMessage | string): void {
    this.requireRunning();
    const core = this.core;
    const offer = core.inputs.offerAudio(typeof message === 'string' ? message : JSON.stringify(message));
    if (offer === 'queued') return;
    core.stats.droppedAudioFrames += 1;
    if (offer === 'dropped_first_of_burst') {
      core.context.logger.warn('audio queue full: dropping audio frames until it drains', {
        capacity: core.context.config.realtime.queues.audioIn,
        dropped: core.stats.droppedAudioFrames,
      });
    }
  }

  /** Queues user text (encoded; a list is one input, sent in order, spec 08 A2); awaits space. */
  putText(message: ClientMessage | ClientMessage[]): Promise<void> {
    this.requireRunning();
    return this.core.inputs.putText(Array.isArray(message) ? message.map((item) => JSON.stringify(item)) : JSON.stringify(message));
  }

  /** Queues a response request; awaits space. */
  putResponseRequest(): Promise<void> {
    this.requireRunning();
    return this.core.inputs.putResponseRequest();
  }

  /** Queues assistant output (from the application), for `handoffId` when given (spec 08 A6); awaits space. */
  putAssistantOutput(text: string, handoffId?: string): Promise<void> {
    this.requireRunning();
    return this.core.inputs.putOutput(text, handoffId);
  }

  /** Queues the end of the delegated turn (from the application), `handoffId`'s when given; awaits space. */
  putFinishTurn(handoffId?: string): Promise<void> {
    this.requireRunning();
    return this.core.inputs.putFinish(handoffId);
  }

  /** Answers a tool call for the application (spec 09 §4); its checks throw synchronously. */
  sendToolOutput(callId: string, output: unknown, options?: { error?: boolean }): Promise<void> {
    this.requireRunning();
    if (this.strategy.supportsTools !== true) {
      throw new ParleyError('ERR_UNSUPPORTED', `sendToolOutput is not supported by protocol ${this.strategy.id}`);
    }
    return this.core.tools.sendToolOutput(callId, output, options);
  }

  /** The conversation's tool counters (`lateToolResults` keeps counting after the end). */
  get toolStats(): ToolStats {
    return this.core.tools.stats;
  }

  /** Hands a playback report to the policy. */
  reportPlayback(itemId: string, playedMs: number): void {
    this.requireRunning();
    const core = this.core;
    core.guard(() => core.policy?.reportPlayback(itemId, playedMs));
  }

  /**
   * Resolves once the inputs queued now have been handed to the socket and written, waiting on a
   * congested socket for at most `realtime.closeDrainMs`; at once when the conversation reconnects
   * or ends. True when it gave up at that bound.
   */
  flushInputs(): Promise<boolean> {
    return this.loop.flushInputs();
  }

  // ---- state ------------------------------------------------------------------------------------

  /** Current counters. */
  snapshot(eventsBuffered: number, paused: boolean): ConversationStats {
    const core = this.core;
    const queued = core.inputs.sizes();
    return {
      ...core.stats,
      skippedByReason: { ...core.stats.skippedByReason },
      usage: copyUsageTotals(core.stats.usage),
      queued,
      bufferedEvents: eventsBuffered,
      paused,
      transcriptEntries: core.transcript.size,
      droppedTranscriptEntries: core.transcript.dropped,
      droppedTranscriptChars: core.transcript.droppedChars,
      ...core.tools.stats,
    };
  }

  /** Pauses or resumes inbound delivery for a slow event consumer. */
  setEventPressure(paused: boolean): void {
    const core = this.core;
    core.pausedForEvents = paused;
    if (paused) core.stats.pauses += 1;
    if (core.connection === undefined || core.state === 'ended') return;
    if (paused) core.connection.pause();
    else core.connection.resume();
  }

  // ---- ending -------------------------------------------------------------------------------------

  /** Ends the conversation and emits `closed` (once). */
  end(reason: EndReason, code?: number, closeReason?: string): void {
    this.core.end(reason, code, closeReason);
  }

  /** Drops the conversation silently (replaced by a new start): no `closed`, no timer fires. */
  drop(): void {
    this.core.drop();
  }

  private requireRunning(): void {
    if (!this.core.running) throw ParleyError.notRunning();
  }
}

function startAborted(): ParleyError {
  return new ParleyError('ERR_START_ABORTED', 'the start was aborted: the conversation was closed or replaced while connecting');
}
