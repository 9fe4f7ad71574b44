import {
  loadParleyConfig,
  type Cancellable,
  type ClientMessage,
  type DelegationRequest,
  type ParleyConfig,
  type ParleyConfigInput,
  type PolicyCounter,
  type PolicyHandle,
  type RealtimeEvent,
  type TranscriptAccess,
  type ToolCallReport,
  type ToolsHandle,
  type TranscriptEntry,
} from '@parley/core';
import { RecordingLogger } from '@parley/testkit';

/** One recorded send, with its failure callback. */
export interface RecordedSend {
  message: ClientMessage;
  onError: ((error: Error) => boolean) | undefined;
}

/** A fake transcript: `entries` is what the next `take()` returns. */
export class FakeTranscript implements TranscriptAccess {
  entries: TranscriptEntry[] = [];
  takes = 0;

  take(): TranscriptEntry[] {
    this.takes += 1;
    const taken = this.entries;
    this.entries = [];
    return taken;
  }

  snapshot(): TranscriptEntry[] {
    return this.entries.map((entry) => ({ ...entry }));
  }
}

export { RecordingLogger };

/**
 * A fake {@link PolicyHandle} recording sends, delivered events, routes and counters, with a manual
 * clock. `log` interleaves everything in call order for tests that check relative order.
 */
export class FakePolicyHandle implements PolicyHandle {
  readonly sends: RecordedSend[] = [];
  readonly delivered: RealtimeEvent[] = [];
  readonly routes: DelegationRequest[] = [];
  readonly counters: Partial<Record<PolicyCounter, number>> = {};
  readonly log: string[] = [];
  readonly transcript = new FakeTranscript();
  readonly logger = new RecordingLogger();
  readonly config: ParleyConfig;
  /** The tool calls reported (`tools.call`) and the calls interrupted (`tools.interrupt`). */
  readonly toolReports: ToolCallReport[] = [];
  readonly interrupted: string[] = [];
  /** What `tools.call` answers for a call id (default `new` for the first report of an id, then `echo`). */
  readonly tools: ToolsHandle = {
    call: (report) => {
      const seen = this.toolReports.some((earlier) => earlier.callId === report.callId);
      this.toolReports.push(report);
      this.log.push(`tools.call ${report.callId}`);
      return seen ? 'echo' : 'new';
    },
    interrupt: (callId) => {
      this.interrupted.push(callId);
      this.log.push(`tools.interrupt ${callId}`);
    },
  };
  private clock = 0;

  /** @param config overrides of the configuration the policy reads (default: all defaults). */
  constructor(config: ParleyConfigInput = {}) {
    this.config = loadParleyConfig(config);
  }
  private timers: { at: number; callback: () => void; cancelled: boolean }[] = [];

  /** The messages sent, in order. */
  get wire(): ClientMessage[] {
    return this.sends.map((send) => send.message);
  }

  send(message: ClientMessage, onError?: (error: Error) => boolean): void {
    this.sends.push({ message, onError });
    this.log.push(`send ${message.type}`);
  }

  deliver(event: RealtimeEvent): void {
    this.delivered.push(event);
    this.log.push(`deliver ${event.type}`);
  }

  route(delegation: DelegationRequest): void {
    this.routes.push(delegation);
    this.log.push(`route ${delegation.handoffId}${delegation.steering ? ' steering' : ''}`);
  }

  schedule(delayMs: number, callback: () => void): Cancellable {
    const timer = { at: this.clock + Math.max(0, delayMs), callback, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  count(counter: PolicyCounter): void {
    this.counters[counter] = (this.counters[counter] ?? 0) + 1;
  }

  now(): number {
    return this.clock;
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

  /** Spec 08 A4: V1 and V2 never end a conversation themselves; recorded for completeness. */
  endedWith: 'requested' | 'transport_closed' | undefined;

  end(reason: 'requested' | 'transport_closed'): void {
    this.endedWith = reason;
  }

  /** Advances the manual clock, firing due timers in order. */
  advance(ms: number): void {
    const until = this.clock + ms;
    for (;;) {
      const due = this.timers.filter((timer) => !timer.cancelled && timer.at <= until).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      due.cancelled = true;
      this.clock = due.at;
      due.callback();
    }
    this.clock = until;
  }

  /** Fails the `index`-th send as the transport would: returns what its `onError` answered (false = fatal). */
  failSend(index: number, error: Error): boolean {
    const send = this.sends[index];
    if (send === undefined) throw new Error(`no send #${index}`);
    return send.onError !== undefined && send.onError(error);
  }
}
