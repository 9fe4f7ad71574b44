import {
  ActiveTranscript,
  loadParleyConfig,
  type Cancellable,
  type ClientMessage,
  type DelegationRequest,
  type LogFields,
  type Logger,
  type ParleyConfig,
  type PolicyCounter,
  type PolicyHandle,
  type RealtimeEvent,
  type SessionPolicy,
} from '@parley/core';

/** A manual clock: timers fire only in `advanceTo`/`advanceBy`, in due order (stable for ties). */
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

  advanceBy(ms: number): void {
    this.advanceTo(this.time + ms);
  }
}

/** Everything a fake handle saw, each record stamped with the clock time. */
export type HandleRecord =
  | { t: number; kind: 'send'; message: ClientMessage }
  | { t: number; kind: 'deliver'; event: RealtimeEvent }
  | { t: number; kind: 'route'; delegation: DelegationRequest };

/** A logger that records warnings. */
export class RecordingLogger implements Logger {
  readonly warnings: { message: string; fields: LogFields | undefined }[] = [];
  debug(): void {}
  info(): void {}
  warn(message: string, fields?: LogFields): void {
    this.warnings.push({ message, fields });
  }
  error(): void {}
}

/**
 * A fake {@link PolicyHandle} over a real {@link ActiveTranscript} and a {@link ManualClock}.
 * `server(event)` mimics the conversation: it feeds the transcript first, then the policy.
 * `end()` mimics the conversation ending: it cancels the handle's timers, disposes the policy, and
 * makes every handle method a no-op.
 */
export class FakePolicyHandle implements PolicyHandle {
  readonly clock = new ManualClock();
  readonly transcript = new ActiveTranscript(256);
  readonly logger = new RecordingLogger();
  readonly records: HandleRecord[] = [];
  readonly counters: Partial<Record<PolicyCounter, number>> = {};
  readonly config: ParleyConfig;
  policy: SessionPolicy | undefined;
  private readonly timers = new Set<Cancellable>();
  private ended = false;
  /** V1 has no tools: a report here would be a bug. */
  readonly tools = {
    call: (): 'new' => {
      throw new Error('v1 reported a tool call');
    },
    interrupt: (): void => undefined,
  };

  constructor(graceMs?: number) {
    this.config = loadParleyConfig(graceMs === undefined ? {} : { realtime: { v1: { handoffGraceMs: graceMs } } });
  }

  send(message: ClientMessage): void {
    if (!this.ended) this.records.push({ t: this.now(), kind: 'send', message });
  }

  deliver(event: RealtimeEvent): void {
    if (!this.ended) this.records.push({ t: this.now(), kind: 'deliver', event });
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

  /** Whether a finish is pending (set by tests). */
  pendingFinish = false;

  finishPending(): boolean {
    return this.pendingFinish;
  }
  /** Spec 08 A3: V1 and V2 never hold inputs; recorded for completeness. */
  held = false;

  holdInputs(held: boolean): void {
    this.held = held;
  }

  /** A server event, as the conversation hands it over: transcript first, then the policy. */
  server(event: RealtimeEvent): void {
    switch (event.type) {
      case 'inputTranscriptDelta':
        this.transcript.appendDelta('user', event.delta);
        break;
      case 'outputTranscriptDelta':
        this.transcript.appendDelta('assistant', event.delta);
        break;
      case 'inputTranscriptDone':
        this.transcript.complete('user', event.text);
        break;
      case 'outputTranscriptDone':
        this.transcript.complete('assistant', event.text);
        break;
      default:
        break;
    }
    this.policy!.onServerEvent(event);
  }

  /** Advances the clock to `t` and feeds `event` at that time. */
  at(t: number, event: RealtimeEvent): void {
    this.clock.advanceTo(t);
    this.server(event);
  }

  /** Ends the conversation the way the core does: timers cancelled, then the policy disposed. */
  end(_reason?: 'requested' | 'transport_closed'): void {
    this.ended = true;
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    this.policy?.dispose();
  }

  /** Records of one kind. */
  sent(): ClientMessage[] {
    return this.records.flatMap((record) => (record.kind === 'send' ? [record.message] : []));
  }

  delivered(): RealtimeEvent[] {
    return this.records.flatMap((record) => (record.kind === 'deliver' ? [record.event] : []));
  }

  routes(): { t: number; delegation: DelegationRequest }[] {
    return this.records.flatMap((record) => (record.kind === 'route' ? [{ t: record.t, delegation: record.delegation }] : []));
  }
}

/** Builders for the events the decoder produces. */
export const ev = {
  inDelta: (delta: string): RealtimeEvent => ({ type: 'inputTranscriptDelta', delta }),
  outDelta: (delta: string): RealtimeEvent => ({ type: 'outputTranscriptDelta', delta }),
  handoff: (handoffId: string, inputTranscript = '', itemId = 'item_1'): RealtimeEvent => ({
    type: 'handoffRequested',
    handoffId,
    itemId,
    inputTranscript,
    activeTranscript: [],
  }),
};
