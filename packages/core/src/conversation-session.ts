import { ActiveTranscript } from './active-transcript.js';
import type { Cancellable, Clock } from './clock.js';
import type { ConversationEvent, EndReason } from './conversation-event.js';
import { emptyStats, type ConversationStats } from './conversation-stats.js';
import { DelegationRunner } from './delegation-runner.js';
import type { HandoffDelegate } from './handoff-delegate.js';
import type { QueuedInput } from './input-queue.js';
import { retryWithBackoff } from './reconnect-backoff.js';
import { SessionInputs } from './session-inputs.js';
import type { Logger } from './logger.js';
import type { ParleyConfig } from './parley-config.js';
import { ParleyError, isParleyError } from './parley-error.js';
import type { ClientMessage, ProtocolStrategy } from './protocol-strategy.js';
import type { RealtimeEvent } from './realtime-event.js';
import type { DelegationRequest, PolicyCounter, PolicyHandle, SessionPolicy } from './session-policy.js';
import type { SessionSettings } from './session-settings.js';
import type { Connection, ConnectionListener } from './transport-factory.js';

/** What a session needs from its manager. */
export interface SessionContext {
  config: ParleyConfig;
  clock: Clock;
  logger: Logger;
  delegate: HandoffDelegate | undefined;
  /** Delivers an event to the application. */
  emit(event: ConversationEvent): void;
  /** The session ended (not replaced): the manager forgets it. */
  ended(session: ConversationSession): void;
  /** Opens a new connection for a reconnection (same request), delivering to `listener`. */
  reconnect(listener: ConnectionListener): Promise<Connection>;
}

type SessionState = 'starting' | 'running' | 'reconnecting' | 'ended';

/** Close codes after which an opt-in reconnection is attempted (abnormal closes). */
const ABNORMAL_CLOSE_CODES = new Set([1001, 1006, 1011, 1012, 1013, 1014]);

/**
 * One conversation: its connection, policy, transcript, input queue and processing loop, timers
 * and statistics. Created per start by the {@link ConversationManager}; not a container singleton.
 */
export class ConversationSession {
  /** Counters, kept after the end. */
  readonly stats: ConversationStats;
  /** Aborted when the session ends or is replaced (stops a connect in progress, and delegates). */
  readonly abort = new AbortController();
  private state: SessionState = 'starting';
  private connection: Connection | undefined;
  private policy: SessionPolicy | undefined;
  private readonly transcript: ActiveTranscript;
  private readonly inputs: SessionInputs;
  private readonly timers = new Set<Cancellable>();
  private readonly early: (() => void)[] = [];
  private delegations: DelegationRunner;
  private delegationAbort = new AbortController();
  private lastSend: Promise<void> = Promise.resolve();
  private epoch = 0;
  private reconnected: Promise<void> = Promise.resolve();
  /** Resolves when the current connection is dropped for a reconnection (releases the loop). */
  /** Releases the loop's wait for a send (set while it waits; called when the connection is dropped). */
  private releaseLoop: (() => void) | undefined;
  private pausedForEvents = false;

  constructor(
    readonly strategy: ProtocolStrategy,
    readonly settings: SessionSettings,
    private readonly context: SessionContext,
  ) {
    const queues = context.config.realtime.queues;
    this.stats = emptyStats(strategy.id);
    this.stats.state = 'starting';
    this.transcript = new ActiveTranscript(context.config.realtime.transcript.maxEntries, context.config.realtime.transcript.maxEntryChars);
    this.inputs = new SessionInputs({ audioIn: queues.audioIn, textIn: queues.textIn, handoffOut: queues.handoffOut });
    this.delegations = this.createDelegationRunner();
  }

  /** True while the conversation runs (started and not ended; reconnecting counts as running). */
  get running(): boolean {
    return this.state === 'running' || this.state === 'reconnecting';
  }

  /**
   * A listener for one connection attempt: calls from an attempt that is no longer current (a
   * connection replaced by a reconnection) are ignored.
   */
  listener(): ConnectionListener {
    this.epoch += 1;
    const epoch = this.epoch;
    const current = (): boolean => epoch === this.epoch;
    return {
      onText: (text) => {
        if (epoch === this.epoch) this.onText(text);
      },
      onBinary: (data) => {
        if (current()) this.onBinary(data);
      },
      onClose: (code, reason) => {
        if (current()) this.onClose(code, reason);
      },
      onError: (error) => {
        if (current()) this.onError(error);
      },
    };
  }

  private createDelegationRunner(): DelegationRunner {
    return new DelegationRunner(this.context.delegate, this.context.logger, this.delegationAbort.signal, {
      output: (text) => this.inputs.putOutput(text),
      finish: () => this.inputs.putFinish(),
    });
  }

  /** True once the session ended or was replaced. */
  get isEnded(): boolean {
    return this.state === 'ended';
  }

  /**
   * Finishes the start once connected: sends the strategy's `session.update` first, then emits
   * `started`, then replays what arrived meanwhile. Rejects (and leaves the socket closed) when the
   * session ended meanwhile or the first send failed.
   */
  async open(connection: Connection): Promise<void> {
    if (this.state === 'ended') {
      connection.terminate();
      throw new ParleyError('ERR_START_ABORTED', 'the start was aborted: the conversation was closed or replaced while connecting');
    }
    try {
      await this.establish(connection);
    } catch (error) {
      this.discard();
      connection.terminate();
      throw error;
    }
    if ((this.state as SessionState) === 'ended') {
      connection.terminate();
      throw new ParleyError('ERR_START_ABORTED', 'the start was aborted: the conversation was closed or replaced while connecting');
    }
    this.state = 'running';
    this.stats.state = 'running';
    const started: ConversationEvent =
      this.settings.sessionId === undefined
        ? { type: 'started', protocol: this.strategy.id }
        : { type: 'started', protocol: this.strategy.id, sessionId: this.settings.sessionId };
    this.emit(started);
    for (const replay of this.early.splice(0)) {
      if (this.state !== 'running') break;
      replay();
    }
    void this.loop();
  }

  // ---- inputs -------------------------------------------------------------------------------

  /** Queues an encoded audio message (or its JSON text); drops and counts it when the audio lane is full. */
  offerAudio(message: ClientMessage | string): void {
    this.requireRunning();
    const offer = this.inputs.offerAudio(typeof message === 'string' ? message : JSON.stringify(message));
    if (offer === 'queued') return;
    this.stats.droppedAudioFrames += 1;
    if (offer === 'dropped_first_of_burst') {
      this.context.logger.warn('audio queue full: dropping audio frames until it drains', {
        capacity: this.context.config.realtime.queues.audioIn,
        dropped: this.stats.droppedAudioFrames,
      });
    }
  }

  /** Queues user text (encoded); awaits space. */
  putText(message: ClientMessage): Promise<void> {
    this.requireRunning();
    return this.inputs.putText(JSON.stringify(message));
  }

  /** Queues a response request; awaits space. */
  putResponseRequest(): Promise<void> {
    this.requireRunning();
    return this.inputs.putResponseRequest();
  }

  /** Queues assistant output (from the application); awaits space. */
  putAssistantOutput(text: string): Promise<void> {
    this.requireRunning();
    return this.inputs.putOutput(text);
  }

  /** Queues the end of the delegated turn (from the application); awaits space. */
  putFinishTurn(): Promise<void> {
    this.requireRunning();
    return this.inputs.putFinish();
  }

  /** Hands a playback report to the policy. */
  reportPlayback(itemId: string, playedMs: number): void {
    this.requireRunning();
    this.guard(() => this.policy?.reportPlayback(itemId, playedMs));
  }

  /** Current counters. */
  snapshot(eventsBuffered: number, paused: boolean): ConversationStats {
    const queued = this.inputs.sizes();
    return {
      ...this.stats,
      skippedByReason: { ...this.stats.skippedByReason },
      queued,
      bufferedEvents: eventsBuffered,
      paused,
      transcriptEntries: this.transcript.size,
      droppedTranscriptEntries: this.transcript.dropped,
      droppedTranscriptChars: this.transcript.droppedChars,
    };
  }

  /** Pauses or resumes inbound delivery for a slow event consumer. */
  setEventPressure(paused: boolean): void {
    this.pausedForEvents = paused;
    if (paused) this.stats.pauses += 1;
    if (this.connection === undefined || this.state === 'ended') return;
    if (paused) this.connection.pause();
    else this.connection.resume();
  }

  // ---- ending ---------------------------------------------------------------------------------

  /** Ends the conversation and emits `closed` (once). */
  end(reason: EndReason, code?: number, closeReason?: string): void {
    if (this.state === 'ended') return;
    const wasRunning = this.running;
    this.discard();
    if (reason === 'transport_closed') this.connection?.terminate();
    else this.connection?.close();
    if (!wasRunning) return;
    const closed: ConversationEvent = { type: 'closed', reason };
    if (code !== undefined) closed.code = code;
    if (closeReason !== undefined) closed.closeReason = closeReason;
    this.context.emit(closed);
    this.context.ended(this);
  }

  /** Drops the conversation silently (replaced by a new start): no `closed`, no timer fires. */
  drop(): void {
    if (this.state === 'ended') return;
    this.discard();
    this.connection?.terminate();
  }

  private discard(): void {
    this.state = 'ended';
    this.stats.state = 'ended';
    this.abort.abort();
    this.delegationAbort.abort();
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    this.stats.discardedInputs += this.inputs.close();
    this.early.length = 0;
    try {
      this.policy?.dispose();
    } catch (error) {
      this.context.logger.error('session policy dispose failed', { error: messageOf(error) });
    }
  }

  private fatal(message: string, code?: string): void {
    if (this.state === 'ended') return;
    const event: RealtimeEvent =
      code === undefined ? { type: 'error', message, fatal: true } : { type: 'error', message, fatal: true, code };
    this.deliver(event);
  }

  // ---- connection listener --------------------------------------------------------------------

  onText(text: string): void {
    if (this.state !== 'running') {
      if (this.state === 'starting' || this.state === 'reconnecting') this.early.push(() => this.onText(text));
      return;
    }
    this.stats.framesIn += 1;
    this.stats.bytesIn += text.length;
    const decoded = this.strategy.decode(text);
    if (typeof decoded === 'string') {
      this.stats.skippedFrames += 1;
      this.stats.skippedByReason[decoded] += 1;
      this.context.logger.debug('skipped an inbound frame', { reason: decoded });
      return;
    }
    switch (decoded.type) {
      case 'inputTranscriptDelta':
        this.transcript.appendDelta('user', decoded.delta);
        break;
      case 'outputTranscriptDelta':
        this.transcript.appendDelta('assistant', decoded.delta);
        break;
      case 'inputTranscriptDone':
        this.transcript.complete('user', decoded.text);
        break;
      case 'outputTranscriptDone':
        this.transcript.complete('assistant', decoded.text);
        break;
      default:
        break;
    }
    try {
      this.policy?.onServerEvent(decoded);
    } catch (error) {
      this.policyFailed(error);
    }
  }

  onBinary(data: Uint8Array): void {
    if (this.state !== 'running') {
      if (this.state === 'starting' || this.state === 'reconnecting') this.early.push(() => this.onBinary(data));
      return;
    }
    this.stats.framesIn += 1;
    this.stats.bytesIn += data.byteLength;
    this.fatal('received a binary frame: realtime protocols use text frames only', 'ERR_BINARY_FRAME');
  }

  onClose(code: number, reason: string): void {
    if (this.state === 'starting' || this.state === 'reconnecting') {
      this.early.push(() => this.onClose(code, reason));
      return;
    }
    if (this.state === 'running' && this.context.config.realtime.reconnect.enabled && ABNORMAL_CLOSE_CODES.has(code)) {
      void this.reconnect(`the server closed the connection abnormally (code ${code})`);
      return;
    }
    this.end('transport_closed', code, reason);
  }

  onError(error: Error): void {
    if (this.state === 'starting' || this.state === 'reconnecting') {
      this.early.push(() => this.onError(error));
      return;
    }
    const code = isParleyError(error) ? error.code : 'ERR_CONNECTION_LOST';
    if (this.state === 'running' && this.context.config.realtime.reconnect.enabled && code === 'ERR_CONNECTION_LOST') {
      void this.reconnect(messageOf(error));
      return;
    }
    this.fatal(messageOf(error), code);
  }

  // ---- reconnection (opt-in, realtime.reconnect.*) ------------------------------------------------

  /**
   * After an abnormal close: drops the connection, the policy, the timers and the running
   * delegations (their handoffs are lost: the new server session does not know them), then tries
   * again with exponential backoff and jitter. Queued inputs wait and are sent on the new
   * connection after its `session.update`. Gives up with a fatal error after `maxAttempts`.
   */
  private async reconnect(cause: string): Promise<void> {
    this.state = 'reconnecting';
    this.stats.state = 'reconnecting';
    this.inputs.release();
    let release: () => void = () => undefined;
    this.reconnected = new Promise((resolve) => (release = resolve));
    const lost = this.policy?.openHandoffs?.() ?? [];
    this.connection?.terminate();
    this.connection = undefined;
    this.epoch += 1;
    // Sends of the dropped connection may never settle: release the loop, and wait for none of them.
    this.releaseLoop?.();
    this.lastSend = Promise.resolve();
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    this.delegationAbort.abort();
    this.delegationAbort = new AbortController();
    this.delegations = this.createDelegationRunner();
    try {
      this.policy?.dispose();
    } catch (error) {
      this.context.logger.error('session policy dispose failed', { error: messageOf(error) });
    }
    this.policy = undefined;
    this.early.length = 0;
    this.context.logger.warn('connection lost; reconnecting', { cause });
    const stillReconnecting = (): boolean => this.state === 'reconnecting';
    const outcome = await retryWithBackoff(
      this.context.config.realtime.reconnect,
      {
        announce: (attempt, delayMs) => this.emit({ type: 'reconnecting', attempt, delayMs }),
        wait: (delayMs) =>
          new Promise<boolean>((resolve) => {
            const timer = this.context.clock.setTimer(delayMs, () => {
              this.timers.delete(timer);
              resolve(stillReconnecting());
            });
            this.timers.add({ cancel: () => (timer.cancel(), resolve(false)) });
          }),
        attempt: async () => {
          const connection = await this.context.reconnect(this.listener());
          if (!stillReconnecting()) {
            connection.terminate();
            return;
          }
          await this.establish(connection);
        },
        failed: (attempt, message) => {
          this.early.length = 0;
          this.connection?.terminate();
          this.connection = undefined;
          this.context.logger.warn('reconnection attempt failed', { attempt, error: message });
        },
      },
      cause,
    );
    if (outcome.kind === 'gave_up') {
      const attempts = this.context.config.realtime.reconnect.maxAttempts;
      this.fatal(`could not reconnect after ${attempts} attempts: ${outcome.lastError}`, 'ERR_CONNECTION_LOST');
      return;
    }
    const connection = this.connection as Connection | undefined;
    if (outcome.kind === 'stopped' || !stillReconnecting() || connection === undefined) return;
    this.state = 'running';
    this.stats.state = 'running';
    this.stats.reconnections += 1;
    this.emit(
      lost.length > 0
        ? { type: 'reconnected', attempt: outcome.attempt, lostHandoffs: lost }
        : { type: 'reconnected', attempt: outcome.attempt },
    );
    if (this.pausedForEvents) connection.pause();
    release();
    for (const replay of this.early.splice(0)) {
      if (this.state !== 'running') break;
      replay();
    }
  }

  /**
   * Adopts a connection: a fresh policy, then the strategy's `session.update`, sent first. Rejects
   * (with a typed error) when that send fails.
   */
  private async establish(connection: Connection): Promise<void> {
    this.connection = connection;
    this.policy = this.strategy.createPolicy(this.createHandle(), this.settings);
    const first = JSON.stringify(this.strategy.sessionUpdate(this.settings));
    this.stats.framesOut += 1;
    this.stats.bytesOut += first.length;
    try {
      await connection.send(first);
    } catch (error) {
      throw new ParleyError('ERR_SEND_FAILED', `could not send session.update: ${messageOf(error)}`, { cause: error });
    }
  }

  // ---- the processing loop -----------------------------------------------------------------------

  /**
   * Resolves once the inputs queued now have been handed to the socket, or at once when that cannot
   * happen without waiting on the socket (it is stuck or congested, or the conversation reconnects).
   * Used by `close()`: what the application queued is sent, unless the socket would hold the close.
   */
  flushInputs(): Promise<void> {
    if (this.state !== 'running') return Promise.resolve();
    return this.inputs.flushed(this.releaseLoop !== undefined);
  }

  private async loop(): Promise<void> {
    for (;;) {
      const input = await this.inputs.take();
      while (this.state === 'reconnecting') await this.reconnected;
      if (input === undefined || this.state !== 'running') return;
      this.process(input);
      // Wait until the socket took the frame. When the transport buffered nothing, it already has
      // (no promise hop per frame); when it holds bytes (a stuck or congested socket) the loop waits
      // for the send to complete, so the input queues fill and their full rules apply. A
      // reconnection releases the wait: a dropped connection's sends may never settle.
      if ((this.connection?.bufferedAmount ?? 0) > 0) {
        this.inputs.release();
        await new Promise<void>((resolve) => {
          this.releaseLoop = resolve;
          this.lastSend.then(resolve, resolve);
        });
        this.releaseLoop = undefined;
      }
    }
  }

  private process(input: QueuedInput): void {
    switch (input.kind) {
      case 'audio':
      case 'text':
        this.sendText(input.message);
        return;
      case 'response':
        this.guard(() => this.policy?.requestResponse());
        return;
      case 'output':
        this.guard(() => this.policy?.assistantOutput(input.text));
        return;
      case 'finish':
        this.inputs.finishProcessed();
        this.guard(() => this.policy?.finishTurn());
        return;
    }
  }

  private sendText(text: string, onError?: (error: Error) => boolean): void {
    const connection = this.connection;
    if (connection === undefined || this.state !== 'running') return;
    this.stats.framesOut += 1;
    this.stats.bytesOut += text.length;
    const epoch = this.epoch;
    this.lastSend = connection.send(text).then(undefined, (error: unknown) => {
      if (this.state !== 'running' || epoch !== this.epoch) return;
      const failure = error instanceof Error ? error : new Error(String(error));
      if (onError !== undefined && onError(failure)) return;
      if (this.context.config.realtime.reconnect.enabled) {
        // A write that fails is a connection going away: the transport may report the loss after
        // the failed send. With reconnection on, it is handled as the lost connection.
        void this.reconnect(`failed to send a message: ${failure.message}`);
        return;
      }
      this.fatal(`failed to send a message: ${failure.message}`, 'ERR_SEND_FAILED');
    });
  }

  // ---- the policy's handle -----------------------------------------------------------------------

  private createHandle(): PolicyHandle {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const session = this;
    return {
      send: (message: ClientMessage, onError?: (error: Error) => boolean) => session.sendText(JSON.stringify(message), onError),
      deliver: (event: RealtimeEvent) => session.deliver(event),
      route: (delegation: DelegationRequest) => session.route(delegation),
      schedule: (delayMs: number, callback: () => void) => session.schedule(delayMs, callback),
      transcript: session.transcript,
      count: (counter: PolicyCounter) => {
        session.stats[counter] += 1;
      },
      config: session.context.config,
      logger: session.context.logger,
      now: () => session.context.clock.now(),
      finishPending: () => session.inputs.finishPending,
    };
  }

  private deliver(event: RealtimeEvent): void {
    const state = this.state;
    if (state !== 'running' && state !== 'reconnecting') return;
    this.stats.eventsDelivered += 1;
    this.context.emit(event);
    if (event.type === 'error' && event.fatal) this.end('error');
  }

  private emit(event: ConversationEvent): void {
    if (this.state === 'ended') return;
    this.stats.eventsDelivered += 1;
    this.context.emit(event);
  }

  private route(delegation: DelegationRequest): void {
    if (this.state !== 'running') return;
    this.stats.delegations += 1;
    this.emit({
      type: 'delegationStarted',
      handoffId: delegation.handoffId,
      text: delegation.text,
      transcript: delegation.transcript.map((entry) => ({ role: entry.role, text: entry.text })),
      steering: delegation.steering,
    });
    this.delegations.route(delegation);
  }

  private schedule(delayMs: number, callback: () => void): Cancellable {
    if (this.state === 'ended') return { cancel: () => undefined };
    const timer = this.context.clock.setTimer(delayMs, () => {
      this.timers.delete(timer);
      if (this.state !== 'running') return;
      this.guard(callback);
    });
    this.timers.add(timer);
    return {
      cancel: () => {
        timer.cancel();
        this.timers.delete(timer);
      },
    };
  }

  private guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.policyFailed(error);
    }
  }

  private policyFailed(error: unknown): void {
    this.context.logger.error('the session policy threw', { error: messageOf(error), protocol: this.strategy.id });
    this.fatal(`internal error in the ${this.strategy.id} session policy: ${messageOf(error)}`, 'ERR_POLICY_FAILED');
  }

  private requireRunning(): void {
    if (!this.running) throw ParleyError.notRunning();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
