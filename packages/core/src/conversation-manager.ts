import { inject, injectable, multiInject, optional } from 'inversify';
import { Clock } from './clock.js';
import type { ConversationEvent, ConversationListener } from './conversation-event.js';
import { ConversationSession } from './conversation-session.js';
import { emptyStats, type ConversationStats } from './conversation-stats.js';
import { describeError } from './describe-error.js';
import { checkStartOptions } from './start-options-check.js';
import { EventHub } from './event-hub.js';
import { HandoffDelegate } from './handoff-delegate.js';
import { Logger } from './logger.js';
import { ParleyConfig } from './parley-config.js';
import { ParleyError, isParleyError } from './parley-error.js';
import { ProtocolStrategy, type AudioFrame } from './protocol-strategy.js';
import type { SessionSettings, StartOptions } from './session-settings.js';
import { TransportFactory, type ConnectRequest } from './transport-factory.js';
import { snapshotAudioFrame, validateAudioFrame, validateText } from './input-validation.js';
import { RealtimeTool } from './realtime-tool.js';
import { checkTools } from './tool-checks.js';
import { checkApiKey } from './api-key-check.js';
import { copyUsageTotals } from './usage-totals.js';
import { INSPECT_CUSTOM } from './config-redaction.js';

/**
 * The protocol-neutral conversation manager (spec 04). It holds at most one running conversation:
 * `start` resolves the configured protocol strategy, connects the transport, sends the strategy's
 * `session.update` first and emits `started`; a second `start` replaces the running conversation
 * silently. Inputs are queued (bounded, see {@link ParleyConfig} `realtime.queues`) and processed in
 * arrival order by one loop per conversation. Events reach listeners ({@link on}) synchronously
 * and iterators ({@link events}) with back-pressure that pauses the transport instead of dropping.
 *
 * Get one from the container (`container.get(ConversationManager)`): every `get` is a new manager.
 */
@injectable()
export class ConversationManager {
  private session: ConversationSession | undefined;
  private lastStats: ConversationStats = emptyStats(undefined);
  private readonly hub: EventHub;
  /** The bound tools, binding order (taken when the manager is created). */
  private readonly boundTools: readonly RealtimeTool[];
  /** The last conversation, kept after its end: its late tool results are still counted. */
  private lastSession: ConversationSession | undefined;

  constructor(
    @inject(ParleyConfig) private readonly config: ParleyConfig,
    @inject(Clock) private readonly clock: Clock,
    @inject(Logger) private readonly logger: Logger,
    @multiInject(ProtocolStrategy) @optional() private readonly strategies: ProtocolStrategy[] | undefined,
    @inject(TransportFactory) @optional() private readonly transport: TransportFactory | undefined,
    @inject(HandoffDelegate) @optional() private readonly delegate: HandoffDelegate | undefined,
    @multiInject(RealtimeTool) @optional() tools: RealtimeTool[] | undefined,
  ) {
    this.boundTools = [...(tools ?? [])];
    this.hub = new EventHub({ events: config.realtime.queues.events, bytes: config.realtime.queues.eventBytes }, logger, (paused) =>
      this.session?.setEventPressure(paused),
    );
  }

  /**
   * What `JSON.stringify(manager)` shows: never the configuration, the session or any secret, only
   * whether a conversation runs and the registered protocols.
   */
  toJSON(): { running: boolean; protocols: string[] } {
    return { running: this.running, protocols: this.protocols };
  }

  /** What `util.inspect(manager)` and `console.log(manager)` show: the same as {@link toJSON}. */
  [INSPECT_CUSTOM](): string {
    return `ConversationManager ${JSON.stringify(this.toJSON())}`;
  }

  /** True while a conversation runs (started, not ended). */
  get running(): boolean {
    return this.session?.running ?? false;
  }

  /** The ids of the registered protocol strategies. */
  get protocols(): string[] {
    return (this.strategies ?? []).map((strategy) => strategy.id);
  }

  /**
   * Starts a conversation (replacing a running one silently), in this order: resolves the protocol
   * strategy, lets it validate the session, checks the API key (`ERR_MISSING_API_KEY` before any
   * connection is attempted, for every transport: no key, no `Authorization` header, and a
   * non-loopback `realtime.url`), connects, sends `session.update` first, emits `started`. Resolves
   * once `started` was emitted. On failure it rejects with a typed `ParleyError` after emitting a
   * fatal `error` event; neither `started` nor `closed` is emitted.
   */
  async start(startOptions: StartOptions = {}): Promise<void> {
    const previous = this.session;
    if (previous !== undefined) {
      this.session = undefined;
      this.lastStats = previous.snapshot(0, false);
      previous.drop();
    }
    // The previous conversation's iterators end after what they hold; its pressure is not inherited.
    this.hub.conversationStarting();
    let session: ConversationSession | undefined;
    try {
      const options = checkStartOptions(startOptions);
      const strategy = this.resolveStrategy();
      const toolSetup = checkTools(strategy, this.boundTools, options.tools ?? []);
      const settings = strategy.resolveSession({
        ...this.settingsFrom(options),
        tools: toolSetup.tools,
        boundTools: toolSetup.boundTools,
      });
      const apiKey = options.apiKey ?? this.config.realtime.apiKey;
      checkApiKey({ apiKey, headers: [this.config.realtime.headers, options.headers ?? {}], baseUrl: this.config.realtime.url });
      if (this.transport === undefined) {
        throw new ParleyError('ERR_INVALID_CONFIG', 'no TransportFactory is bound: load wsTransportModule (or bind your own transport)');
      }
      session = new ConversationSession(strategy, settings, {
        config: this.config,
        clock: this.clock,
        logger: this.logger,
        delegate: this.delegate,
        tools: toolSetup.specs,
        emit: (event, bytes) => this.hub.emit(event, bytes),
        ended: (ended) => {
          if (this.session === ended) this.session = undefined;
          this.lastStats = ended.snapshot(0, false);
        },
        reconnect: (listener) => transport.connect(request, listener),
      });
      this.session = session;
      this.lastSession = session;
      const transport = this.transport;
      const protocolParameters = strategy.connectionParameters(settings);
      const withoutModel = protocolParameters.withoutModel === true;
      const request: ConnectRequest = {
        protocol: strategy.id,
        baseUrl: this.config.realtime.url,
        model: withoutModel ? '' : settings.model,
        protocolQuery: protocolParameters.query,
        ...(protocolParameters.endpointPath === undefined ? {} : { endpointPath: protocolParameters.endpointPath }),
        ...(protocolParameters.modelQuery === undefined ? {} : { modelQuery: protocolParameters.modelQuery }),
        extraQuery: this.config.realtime.query,
        headers: this.config.realtime.headers,
        startHeaders: options.headers ?? {},
        defaultHeaders: protocolParameters.headers,
        apiKey: apiKey === '' ? undefined : apiKey,
        sessionId: settings.sessionId,
        maxPayloadBytes: this.config.transport.ws.maxPayloadBytes,
        connectTimeoutMs: this.config.transport.ws.connectTimeoutMs,
        allowInsecure: this.config.transport.ws.allowInsecure,
        pingIntervalMs: this.config.transport.ws.pingIntervalMs,
        pongTimeoutMs: this.config.transport.ws.pongTimeoutMs,
        signal: session.abort.signal,
      };
      if (withoutModel) request.withoutModel = true;
      const connection = await transport.connect(request, session.listener());
      await session.open(connection);
      if (this.hub.paused) session.setEventPressure(true);
    } catch (error) {
      if (session !== undefined) {
        session.drop();
        this.lastStats = session.snapshot(0, false);
        if (this.session === session) this.session = undefined;
      }
      const failure = isParleyError(error)
        ? error
        : new ParleyError('ERR_CONNECT_FAILED', `the start failed: ${describeError(error)}`, { cause: error });
      this.logger.warn('the conversation could not start', { code: failure.code, message: failure.message });
      this.hub.emit({ type: 'error', message: failure.message, fatal: true, code: failure.code });
      throw failure;
    }
  }

  /**
   * Ends the running conversation with reason `requested`, after sending the inputs already queued:
   * while the socket is congested it keeps sending for at most `realtime.closeDrainMs` (5000 ms by
   * default, on the container's clock); what is still queued then is discarded, counted in
   * `discardedInputs` and logged (warn). A protocol may then close with a handshake (live:
   * `session.close`, then `session.closed`; spec 08 A5): the conversation is **closing** and this
   * resolves after `closed`; a second `close()` waits for the same end. Idempotent; does nothing
   * when idle.
   */
  async close(): Promise<void> {
    const session = this.session;
    if (session === undefined) return;
    if (session.closing) return session.whenEnded;
    if (!session.running) {
      this.session = undefined;
      session.drop();
      this.lastStats = session.snapshot(0, false);
      return;
    }
    const gaveUp = await session.flushInputs();
    if (session.closing) return session.whenEnded;
    if (session.isEnded) return;
    const before = session.stats.discardedInputs;
    const closing = session.beginClose();
    if (!closing) session.end('requested');
    const discarded = session.stats.discardedInputs - before;
    if (discarded > 0) {
      const drainMs = this.config.realtime.closeDrainMs;
      this.logger.warn(
        gaveUp
          ? `close(): discarded ${discarded} queued inputs the socket did not take within realtime.closeDrainMs (${drainMs} ms)`
          : `close(): discarded ${discarded} queued inputs that could not be sent`,
        { discarded, closeDrainMs: drainMs },
      );
    }
    if (closing) return session.whenEnded;
  }

  /**
   * Queues one audio frame (base64, in `realtime.audio.format`); never blocks: when the audio queue
   * is full the frame is dropped and counted (`droppedAudioFrames`). Throws `ERR_INVALID_AUDIO` for
   * empty or non-base64 data, or (`pcm16`) an odd byte length; `ERR_NOT_RUNNING` when no
   * conversation runs.
   */
  sendAudio(frame: AudioFrame): void {
    const session = this.requireSession();
    // Each field is read once: what is validated is what is encoded (a getter cannot change it).
    const snapshot = snapshotAudioFrame(frame);
    validateAudioFrame(snapshot, session.settings.audioFormat ?? 'pcm16');
    session.offerAudio(session.strategy.encodeAudio(snapshot));
  }

  /** Queues user text (append-only: never asks for a response). Awaits space when the text queue is full. */
  async sendText(text: string): Promise<void> {
    const session = this.requireSession();
    validateText(text, this.config.realtime.text.maxChars, 'text');
    return session.putText(session.strategy.encodeUserText(text));
  }

  /** Asks the server for a response through the strategy (v2: response gating; v1: nothing to do). */
  async requestResponse(): Promise<void> {
    return this.requireSession().putResponseRequest();
  }

  /**
   * Commits the input audio buffer (push-to-talk, v2: `input_audio_buffer.commit`): sent after
   * everything queued before it (audio frames included) and before anything queued after it. Shares
   * the text lane (awaits space when full). Throws `ERR_UNSUPPORTED` at call time, queuing nothing,
   * when the protocol has no input commit (v1); `ERR_NOT_RUNNING` when no conversation runs.
   */
  async commitInput(): Promise<void> {
    const session = this.requireSession();
    const encode = session.strategy.encodeInputCommit?.bind(session.strategy);
    if (encode === undefined) throw unsupported('commitInput', session.strategy.id);
    return session.putText(encode());
  }

  /**
   * Clears the input audio buffer (v2: `input_audio_buffer.clear`), e.g. a cancelled push-to-talk
   * press; ordered and bounded like {@link commitInput}. Throws `ERR_UNSUPPORTED` at call time when
   * the protocol has no input clear (v1).
   */
  async clearInput(): Promise<void> {
    const session = this.requireSession();
    const encode = session.strategy.encodeInputClear?.bind(session.strategy);
    if (encode === undefined) throw unsupported('clearInput', session.strategy.id);
    return session.putText(encode());
  }

  /**
   * One assistant message for the active handoff (when no delegate is bound); with
   * `options.handoffId`, for that delegation (live runs several at once, spec 08 A6). Awaits queue
   * space. A given `handoffId` must be a non-empty string (`ERR_INVALID_ARGUMENT`).
   */
  async sendAssistantOutput(text: string, options: { handoffId?: string } = {}): Promise<void> {
    const session = this.requireSession();
    validateText(text, this.config.realtime.text.maxChars, 'assistant output');
    return session.putAssistantOutput(text, handoffIdOption('sendAssistantOutput', options));
  }

  /**
   * Finishes the delegated turn (when no delegate is bound); with `options.handoffId`, that
   * delegation's (spec 08 A6). Awaits queue space.
   */
  async finishTurn(options: { handoffId?: string } = {}): Promise<void> {
    const session = this.requireSession();
    return session.putFinishTurn(handoffIdOption('finishTurn', options));
  }

  /**
   * Answers a tool call (spec 09 §4): a declared tool's call (a `"type":"function"` entry of the
   * start options' `tools`), or a bound tool's call the application answers itself (its signal is
   * aborted and its later result dropped). `output` is encoded like a tool's result (a string as
   * is, any other value as JSON); with `{ error: true }` it must be the error message, sent as
   * `{"error": message}`. Queued on the `toolOut` lane, in order with every other input; resolves
   * once queued (awaits space when full). Rejects with `ERR_NOT_RUNNING`, `ERR_UNSUPPORTED`,
   * `ERR_INVALID_ARGUMENT`, `ERR_UNKNOWN_TOOL_CALL` (not a call of this server session) or
   * `ERR_TOOL_CALL_ANSWERED` (a call gets exactly one output), and then queues nothing.
   */
  async sendToolOutput(callId: string, output: unknown, options?: { error?: boolean }): Promise<void> {
    return this.requireSession().sendToolOutput(callId, output, options);
  }

  /** Reports how many ms of an assistant output item the application has played (v2 barge-in). */
  reportPlayback(itemId: string, playedMs: number): void {
    const session = this.requireSession();
    if (typeof itemId !== 'string' || itemId === '') {
      throw new ParleyError('ERR_INVALID_ARGUMENT', 'reportPlayback: itemId must be a non-empty string (the audioOut itemId)');
    }
    if (typeof playedMs !== 'number' || !Number.isFinite(playedMs) || playedMs < 0) {
      throw new ParleyError('ERR_INVALID_ARGUMENT', 'reportPlayback: playedMs must be a finite number of milliseconds >= 0');
    }
    session.reportPlayback(itemId, playedMs);
  }

  /** Counters and state of the current conversation (or of the last one). */
  stats(): ConversationStats {
    if (this.session !== undefined) return this.session.snapshot(this.hub.buffered, this.hub.paused);
    const late = this.lastSession?.toolStats.lateToolResults ?? this.lastStats.lateToolResults;
    return {
      ...this.lastStats,
      lateToolResults: late,
      usage: copyUsageTotals(this.lastStats.usage),
      bufferedEvents: this.hub.buffered,
      paused: this.hub.paused,
    };
  }

  /**
   * Events as an async iterable, from now on; it ends after the `closed` event. When it falls
   * `realtime.queues.events` events behind, the transport is paused until it catches up.
   */
  events(): AsyncIterableIterator<ConversationEvent> {
    return this.hub.iterate();
  }

  /**
   * Events in batches, from now on: each step of the iteration is every event buffered since the
   * previous step (one promise per batch instead of per event — the fast path for audio-rate
   * consumers); it ends after the batch holding `closed`. Back-pressure as for {@link events}.
   */
  eventBatches(): AsyncIterableIterator<ConversationEvent[]> {
    return this.hub.iterateBatches();
  }

  /** Calls `listener` synchronously for every event; returns a function that unsubscribes. */
  on(listener: ConversationListener): () => void {
    return this.hub.listen(listener);
  }

  private requireSession(): ConversationSession {
    const session = this.session;
    if (session === undefined || !session.running) throw ParleyError.notRunning();
    return session;
  }

  private resolveStrategy(): ProtocolStrategy {
    const id = this.config.realtime.protocol;
    const strategies = this.strategies ?? [];
    const strategy = strategies.find((candidate) => candidate.id === id);
    if (strategy !== undefined) return strategy;
    const known = strategies.map((candidate) => candidate.id).join(', ') || '(none)';
    throw new ParleyError(
      'ERR_UNKNOWN_PROTOCOL',
      `unknown protocol \`${id}\`: registered protocols are ${known}; load its module or set realtime.protocol to one of them`,
    );
  }

  private settingsFrom(options: StartOptions): SessionSettings {
    const realtime = this.config.realtime;
    const voice = options.voice ?? (realtime.voice === '' ? undefined : realtime.voice);
    return {
      instructions: options.instructions ?? realtime.instructions,
      voice,
      model: options.model ?? realtime.model,
      outputModality: options.outputModality ?? realtime.outputModality,
      mode: options.mode ?? realtime.mode,
      sessionId: options.sessionId,
      tools: options.tools ?? [],
      audioFormat: realtime.audio.format,
    };
  }
}

/** The `handoffId` of an options object: absent, or a non-empty string (else `ERR_INVALID_ARGUMENT`). */
function handoffIdOption(call: string, options: { handoffId?: string } | undefined): string | undefined {
  const handoffId: unknown = options?.handoffId;
  if (handoffId === undefined) return undefined;
  if (typeof handoffId !== 'string' || handoffId === '') {
    throw new ParleyError('ERR_INVALID_ARGUMENT', `${call}: handoffId must be a non-empty string (the id of a delegation)`);
  }
  return handoffId;
}

function unsupported(call: string, protocol: string): ParleyError {
  return new ParleyError('ERR_UNSUPPORTED', `${call} is not supported by protocol ${protocol}`);
}
