import type { Cancellable, Clock } from './clock.js';
import { messageOf } from './error-message.js';
import type { DelegationTurn, HandoffDelegate, Steering } from './handoff-delegate.js';
import type { Logger } from './logger.js';
import type { DelegationRequest } from './session-policy.js';

/**
 * Where a delegate's answers go: the conversation's handoff queue, tagged with the id of the
 * delegation turn that produced them (spec 08 A6).
 */
export interface DelegationSink {
  output(text: string, handoffId: string): Promise<void>;
  finish(handoffId: string): Promise<void>;
}

/** The delegation timeout of a {@link DelegationRunner}. */
export interface DelegationTimeout {
  /** `realtime.delegate.timeoutMs`: how long one delegation may run (ms); 0 = no limit. */
  timeoutMs: number;
  /** The conversation's clock (virtual in tests). */
  clock: Clock;
}

/** The text a failed delegate's turn finishes with. */
export function delegateFailureText(error: unknown): string {
  return `The background agent failed: ${messageOf(error)}`;
}

/**
 * Runs the bound {@link HandoffDelegate} for each routed delegation of one conversation: a new
 * delegation starts a turn; a steering one is offered to the newest running turn. Without a bound
 * delegate it does nothing (the application answers the `delegationStarted` event itself).
 */
export class DelegationRunner {
  private readonly running: Turn[] = [];

  constructor(
    private readonly delegate: HandoffDelegate | undefined,
    private readonly logger: Logger,
    private readonly signal: AbortSignal,
    private readonly sink: DelegationSink,
    private readonly timeout: DelegationTimeout = { timeoutMs: 0, clock: { now: () => 0, setTimer: () => ({ cancel: () => undefined }) } },
  ) {}

  /** Routes one delegation (after `delegationStarted` was emitted). */
  route(request: DelegationRequest): void {
    if (this.delegate === undefined) return;
    if (request.steering) {
      const turn = this.running[this.running.length - 1];
      if (turn === undefined) {
        this.logger.warn('steering arrived with no running delegation; it is dropped', { handoffId: request.handoffId });
        return;
      }
      turn.steer({ handoffId: request.handoffId, text: request.text });
      return;
    }
    const turn = new Turn(request.handoffId, this.sink, this.signal, () => {
      const index = this.running.indexOf(turn);
      if (index >= 0) this.running.splice(index, 1);
    });
    this.running.push(turn);
    this.startTimeout(turn, request.handoffId);
    const delegation = { handoffId: request.handoffId, text: request.text, transcript: request.transcript };
    let result: Promise<void> | void;
    try {
      result = this.delegate.delegate(delegation, turn);
    } catch (error) {
      turn.release();
      this.fail(turn, request.handoffId, error);
      return;
    }
    Promise.resolve(result).then(
      () => {
        turn.release();
        void turn.finish();
      },
      (error: unknown) => {
        turn.release();
        this.fail(turn, request.handoffId, error);
      },
    );
  }

  private fail(turn: Turn, handoffId: string, error: unknown): void {
    this.logger.error('the background agent failed; its turn is finished with the failure text', {
      handoffId,
      error: messageOf(error),
    });
    void turn.failWith(delegateFailureText(error));
  }

  /**
   * After `timeoutMs` the turn's signal is aborted and it finishes with the failure text, so the
   * handoff is answered (V2: its call gets its output, and the next handoff is a new request).
   */
  private startTimeout(turn: Turn, handoffId: string): void {
    const { timeoutMs, clock } = this.timeout;
    if (timeoutMs <= 0) return;
    const timer: Cancellable = clock.setTimer(timeoutMs, () => {
      if (turn.isDone || this.signal.aborted) return;
      const reason = `it did not finish within ${timeoutMs} ms (realtime.delegate.timeoutMs)`;
      this.logger.error('the background agent timed out; its turn is aborted and finished with the failure text', { handoffId, timeoutMs });
      turn.abort(reason);
      void turn.failWith(delegateFailureText(reason));
    });
    turn.onEnd(() => timer.cancel());
    turn.signal.addEventListener('abort', () => timer.cancel(), { once: true });
  }
}

class Turn implements DelegationTurn {
  private done = false;
  private readonly steeringListeners: ((steering: Steering) => void)[] = [];
  private readonly controller = new AbortController();
  private readonly endListeners: (() => void)[] = [];
  /** Aborted when the conversation ends or is replaced, or when the delegation times out. */
  readonly signal: AbortSignal = this.controller.signal;

  constructor(
    private readonly handoffId: string,
    private readonly sink: DelegationSink,
    private readonly conversation: AbortSignal,
    private readonly onDone: () => void,
  ) {
    if (conversation.aborted) this.controller.abort(conversation.reason);
    else conversation.addEventListener('abort', this.onConversationAbort, { once: true });
  }

  private readonly onConversationAbort = (): void => this.controller.abort(this.conversation.reason);

  /** True once the turn finished (by the delegate, a failure or the timeout). */
  get isDone(): boolean {
    return this.done;
  }

  output(text: string): Promise<void> {
    if (this.done || this.signal.aborted) return Promise.resolve();
    return this.sink.output(text, this.handoffId).catch(() => undefined);
  }

  finish(): Promise<void> {
    if (this.done || this.conversation.aborted) return Promise.resolve();
    this.end();
    return this.sink.finish(this.handoffId).catch(() => undefined);
  }

  /** Finishes the turn with `text` as its last message (a failure or the timeout); later delegate output is dropped. */
  failWith(text: string): Promise<void> {
    if (this.done || this.conversation.aborted) return Promise.resolve();
    this.end();
    return this.sink
      .output(text, this.handoffId)
      .catch(() => undefined)
      .then(() => this.sink.finish(this.handoffId))
      .catch(() => undefined);
  }

  /** The delegate returned (its promise settled): the conversation's end no longer needs to reach it. */
  release(): void {
    this.conversation.removeEventListener('abort', this.onConversationAbort);
  }

  /** Aborts the turn's signal (the delegate should stop). */
  abort(reason: string): void {
    this.controller.abort(new Error(reason));
  }

  /** Calls `listener` once the turn finished. */
  onEnd(listener: () => void): void {
    this.endListeners.push(listener);
  }

  onSteering(listener: (steering: Steering) => void): void {
    this.steeringListeners.push(listener);
  }

  steer(steering: Steering): void {
    for (const listener of this.steeringListeners) listener(steering);
  }

  private end(): void {
    this.done = true;
    this.onDone();
    for (const listener of this.endListeners.splice(0)) listener();
  }
}
