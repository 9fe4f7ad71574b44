import {
  ActiveTranscript,
  checkTools,
  loadParleyConfig,
  ToolRunner,
  type RealtimeTool,
  type ToolCallEvent,
  type ToolOutItem,
  type ToolResultEvent,
  type ToolsHandle,
  type Cancellable,
  type ClientMessage,
  type DelegationRequest,
  type LogFields,
  type Logger,
  type ParleyConfig,
  type ParleyConfigInput,
  type PolicyCounter,
  type PolicyHandle,
  type RealtimeEvent,
  type SessionPolicy,
} from '@parley/core';
import { decodeLiveFrame } from '../live-decoder.js';

/** A manual clock: timers fire only in `advanceTo`, in due order (stable for ties). */
export class ManualClock {
  private time = 0;
  private seq = 0;
  private timers: { due: number; seq: number; callback: () => void; cancelled: boolean }[] = [];

  now(): number {
    return this.time;
  }

  setTimer(delayMs: number, callback: () => void): Cancellable {
    const timer = { due: this.time + Math.max(0, delayMs), seq: this.seq++, callback, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  /** When the next timer is due (`undefined`: none). */
  nextDue(): number | undefined {
    const live = this.timers.filter((timer) => !timer.cancelled);
    return live.length === 0 ? undefined : Math.min(...live.map((timer) => timer.due));
  }

  /** Timers not yet fired nor cancelled. */
  get pending(): number {
    return this.timers.filter((timer) => !timer.cancelled).length;
  }

  advanceTo(target: number): void {
    for (;;) {
      const live = this.timers.filter((timer) => !timer.cancelled && timer.due <= target);
      if (live.length === 0) break;
      live.sort((a, b) => a.due - b.due || a.seq - b.seq);
      const next = live[0]!;
      next.cancelled = true;
      this.timers = this.timers.filter((timer) => timer !== next);
      this.time = next.due;
      next.callback();
    }
    this.time = Math.max(this.time, target);
  }
}

/** A logger that records warnings and infos. */
export class RecordingLogger implements Logger {
  readonly warnings: { message: string; fields: LogFields | undefined }[] = [];
  readonly infos: { message: string; fields: LogFields | undefined }[] = [];
  debug(): void {}
  info(message: string, fields?: LogFields): void {
    this.infos.push({ message, fields });
  }
  warn(message: string, fields?: LogFields): void {
    this.warnings.push({ message, fields });
  }
  error(): void {}
}

/** Everything the fake handle saw, stamped with the clock time. */
export type LiveRecord =
  | { t: number; kind: 'send'; message: ClientMessage }
  | { t: number; kind: 'deliver'; event: RealtimeEvent }
  | { t: number; kind: 'tool'; event: ToolCallEvent | ToolResultEvent }
  | { t: number; kind: 'route'; delegation: DelegationRequest }
  | { t: number; kind: 'hold'; held: boolean }
  | { t: number; kind: 'end'; reason: 'requested' | 'transport_closed' };

/**
 * A fake {@link PolicyHandle} over a real {@link ActiveTranscript} and a {@link ManualClock}, the
 * way the core drives a policy: `frame(json)` decodes a server frame with the real decoder, feeds
 * the transcript, then hands the event to the policy. A fatal delivered error, or `end()`, ends it:
 * timers cancelled, the policy disposed, every later call a no-op.
 */
export class FakeLiveHandle implements PolicyHandle {
  readonly clock = new ManualClock();
  readonly transcript = new ActiveTranscript(256);
  readonly logger = new RecordingLogger();
  readonly records: LiveRecord[] = [];
  readonly counters: Partial<Record<PolicyCounter, number>> = {};
  readonly config: ParleyConfig;
  policy: SessionPolicy | undefined;
  held = false;
  ended = false;
  private readonly timers = new Set<Cancellable>();
  /** The tool runner as the policy sees it: refuses calls until {@link withTools} installs core's real one. */
  tools: ToolsHandle = {
    call: (): 'new' => {
      throw new Error('live reported a tool call');
    },
    interrupt: (): void => undefined,
  };
  /** Core's tool runner, once {@link withTools} was called. */
  runner: ToolRunner | undefined;
  /** Every `tools.interrupt` call (live never interrupts). */
  readonly interrupts: string[] = [];
  /** The `toolOut` lane: answers waiting for the input loop ({@link settle}). */
  private readonly toolOut: ToolOutItem[] = [];

  constructor(overrides: ParleyConfigInput = {}) {
    this.config = loadParleyConfig(overrides);
  }

  /**
   * Installs core's real {@link ToolRunner} (09 §1.3 checks first) for `bound` tools and `declared`
   * start-option tools, on this handle's clock. Its answers queue on a `toolOut` lane that
   * {@link settle} hands to the policy, the way the core's input loop does.
   */
  withTools(bound: RealtimeTool[], declared: unknown[] = []): this {
    const setup = checkTools({ id: 'live', supportsTools: true }, bound, declared);
    const runner = new ToolRunner(setup.specs, {
      clock: this.clock,
      logger: this.logger,
      settings: this.config.realtime.tools,
      emit: (event) => {
        if (!this.ended) this.records.push({ t: this.now(), kind: 'tool', event });
      },
      enqueue: (item) => {
        if (this.ended || this.closing) return Promise.reject(new Error('the conversation no longer runs'));
        this.toolOut.push(item);
        return Promise.resolve();
      },
    });
    this.runner = runner;
    this.tools = {
      call: (report) => runner.call(report),
      interrupt: (callId) => {
        this.interrupts.push(callId);
        runner.interrupt(callId);
      },
    };
    return this;
  }

  /** True once {@link close} made the conversation closing. */
  closing = false;

  /**
   * The input loop: lets tools run (microtasks, promise hops), then hands each queued `toolOut`
   * item to the policy in order, until nothing is left.
   */
  async settle(): Promise<void> {
    for (let round = 0; round < 6; round += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      while (this.toolOut.length > 0) {
        const item = this.toolOut.shift() as ToolOutItem;
        if (!this.ended && !this.closing && this.policy !== undefined) this.runner?.dispatch(item, this.policy);
      }
    }
  }

  /**
   * `close()` as the core runs it: queued inputs first ({@link settle}), then `beginClose`; when
   * closing, the inputs are refused and the open tool calls aborted (the runner disposed).
   */
  async close(): Promise<boolean> {
    await this.settle();
    const closing = this.policy?.beginClose?.() ?? false;
    if (closing) {
      this.closing = true;
      this.toolOut.length = 0;
      this.runner?.dispose();
    } else this.finish();
    return closing;
  }

  /** Tool events (`toolCall`, `toolResult`) emitted by the runner. */
  toolEvents(): (ToolCallEvent | ToolResultEvent)[] {
    return this.records.flatMap((record) => (record.kind === 'tool' ? [record.event] : []));
  }

  send(message: ClientMessage): void {
    if (!this.ended) this.records.push({ t: this.now(), kind: 'send', message });
  }

  deliver(event: RealtimeEvent): void {
    if (this.ended) return;
    this.records.push({ t: this.now(), kind: 'deliver', event });
    if (event.type === 'error' && event.fatal) this.finish();
  }

  route(delegation: DelegationRequest): void {
    if (!this.ended) this.records.push({ t: this.now(), kind: 'route', delegation });
  }

  schedule(delayMs: number, callback: () => void): Cancellable {
    if (this.ended) return { cancel: () => undefined };
    const timer = this.clock.setTimer(delayMs, () => {
      this.timers.delete(timer);
      if (!this.ended) callback();
    });
    this.timers.add(timer);
    return {
      cancel: () => {
        timer.cancel();
        this.timers.delete(timer);
      },
    };
  }

  count(counter: PolicyCounter): void {
    this.counters[counter] = (this.counters[counter] ?? 0) + 1;
  }

  now(): number {
    return this.clock.now();
  }

  finishPending(): boolean {
    return false;
  }

  holdInputs(held: boolean): void {
    if (this.ended) return;
    this.held = held;
    this.records.push({ t: this.now(), kind: 'hold', held });
  }

  end(reason: 'requested' | 'transport_closed'): void {
    if (this.ended) return;
    this.records.push({ t: this.now(), kind: 'end', reason });
    this.finish();
  }

  /** A server frame (an object, sent as JSON) decoded by the real decoder, at time `t`. */
  frame(t: number, frame: Record<string, unknown>): void {
    this.clock.advanceTo(t);
    const event = decodeLiveFrame(JSON.stringify(frame));
    if (typeof event === 'string' || this.ended) return;
    if (event.type === 'inputTranscriptDelta') this.transcript.appendDelta('user', event.delta);
    if (event.type === 'outputTranscriptDelta') this.transcript.appendDelta('assistant', event.delta);
    this.policy!.onServerEvent(event);
  }

  /** The conversation ends the way the core ends it. */
  finish(): void {
    this.ended = true;
    this.runner?.dispose();
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    this.policy?.dispose();
  }

  sent(): ClientMessage[] {
    return this.records.flatMap((record) => (record.kind === 'send' ? [record.message] : []));
  }

  delivered(): RealtimeEvent[] {
    return this.records.flatMap((record) => (record.kind === 'deliver' ? [record.event] : []));
  }

  routes(): { t: number; handoffId: string; text: string }[] {
    return this.records.flatMap((record) =>
      record.kind === 'route' ? [{ t: record.t, handoffId: record.delegation.handoffId, text: record.delegation.text }] : [],
    );
  }
}

/** Server frame builders (the wire shapes of spec 08). */
export const live = {
  started: (id = 'sess_1'): Record<string, unknown> => ({ type: 'session.started', session: { id, model: 'gpt-live-1' } }),
  input: (delta: string, startMs: number, endMs: number): Record<string, unknown> => ({
    type: 'session.input_transcript.delta',
    delta,
    start_ms: startMs,
    end_ms: endMs,
  }),
  output: (delta: string, startMs: number, endMs: number): Record<string, unknown> => ({
    type: 'session.output_transcript.delta',
    delta,
    start_ms: startMs,
    end_ms: endMs,
  }),
  delegation: (id: string, offsetMs?: number, target = 'client'): Record<string, unknown> =>
    offsetMs === undefined
      ? { type: 'session.delegation.created', delegation: { id, type: 'delegation', target } }
      : { type: 'session.delegation.created', offset_ms: offsetMs, delegation: { id, type: 'delegation', target } },
  closed: (reason = 'close_requested'): Record<string, unknown> => ({ type: 'session.closed', reason, usage: { seconds: 1 } }),
  error: (code: string, message = 'boom'): Record<string, unknown> => ({
    type: 'error',
    error: { type: 'invalid_request_error', code, message },
  }),
};

/** Thinking and commentary append messages, as the policy sends them. */
export const th = (id: string | null, content: string): ClientMessage => ({ type: 'session.thinking.append', delegation_id: id, content });
export const co = (id: string | null, content: string): ClientMessage => ({
  type: 'session.commentary.append',
  delegation_id: id,
  content,
});
