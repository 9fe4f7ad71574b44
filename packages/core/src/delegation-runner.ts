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
    const delegation = { handoffId: request.handoffId, text: request.text, transcript: request.transcript };
    let result: Promise<void> | void;
    try {
      result = this.delegate.delegate(delegation, turn);
    } catch (error) {
      this.fail(turn, request.handoffId, error);
      return;
    }
    Promise.resolve(result).then(
      () => turn.finish(),
      (error: unknown) => this.fail(turn, request.handoffId, error),
    );
  }

  private fail(turn: Turn, handoffId: string, error: unknown): void {
    this.logger.error('the background agent failed; its turn is finished with the failure text', {
      handoffId,
      error: messageOf(error),
    });
    void turn.output(delegateFailureText(error)).then(() => turn.finish());
  }
}

class Turn implements DelegationTurn {
  private done = false;
  private readonly steeringListeners: ((steering: Steering) => void)[] = [];

  constructor(
    private readonly handoffId: string,
    private readonly sink: DelegationSink,
    readonly signal: AbortSignal,
    private readonly onDone: () => void,
  ) {}

  output(text: string): Promise<void> {
    if (this.done || this.signal.aborted) return Promise.resolve();
    return this.sink.output(text, this.handoffId).catch(() => undefined);
  }

  finish(): Promise<void> {
    if (this.done || this.signal.aborted) return Promise.resolve();
    this.done = true;
    this.onDone();
    return this.sink.finish(this.handoffId).catch(() => undefined);
  }

  onSteering(listener: (steering: Steering) => void): void {
    this.steeringListeners.push(listener);
  }

  steer(steering: Steering): void {
    for (const listener of this.steeringListeners) listener(steering);
  }
}
