import { InputQueue, type InputLane, type QueuedInput } from './input-queue.js';
import type { ToolOutItem } from './tool-runner.js';

/** What became of an offered audio frame. */
export type AudioOffer = 'queued' | 'dropped' | 'dropped_first_of_burst';

/**
 * The inputs of one conversation (spec 04): the bounded {@link InputQueue}, plus what the processing
 * loop and `close()` need around it — whether the loop is idle (for flushing on close), the finishes
 * not yet processed (so a policy can tell a busy delegate from one that already finished), and the
 * audio drop bursts (one warning per burst).
 */
export class SessionInputs {
  private readonly queue: InputQueue;
  private idle = true;
  /** Waiters of {@link flushed}; `patient` ones keep waiting while the loop waits on a congested socket. */
  private readonly idleWaiters: { resolve: () => void; patient: boolean }[] = [];
  private inBurst = false;
  private finishes = 0;
  private held = false;
  private releaseHeld: (() => void) | undefined;
  /** An input the loop took before the inputs were held, kept until they are released. */
  private kept: QueuedInput | undefined;

  constructor(capacity: Record<InputLane, number>) {
    this.queue = new InputQueue(capacity);
  }

  /** Queues an audio message; a full audio lane drops it (the caller counts, and warns on the first of a burst). */
  offerAudio(text: string): AudioOffer {
    if (this.queue.offerAudio(text)) {
      this.idle = false;
      this.inBurst = false;
      return 'queued';
    }
    if (this.inBurst) return 'dropped';
    this.inBurst = true;
    return 'dropped_first_of_burst';
  }

  /** Queues user text (JSON; a list is sent in order as one input, spec 08 A2); awaits space. */
  putText(message: string | string[]): Promise<void> {
    return this.put(
      typeof message === 'string' ? { lane: 'textIn', kind: 'text', message } : { lane: 'textIn', kind: 'texts', messages: message },
    );
  }

  /**
   * Holds or releases the inputs (spec 08 A3): while held the loop takes nothing (inputs queue under
   * the lanes' rules); released, it goes on in arrival order.
   */
  hold(held: boolean): void {
    this.held = held;
    if (held) return;
    const release = this.releaseHeld;
    this.releaseHeld = undefined;
    release?.();
  }

  /** True while the inputs are held. */
  get isHeld(): boolean {
    return this.held;
  }

  /**
   * An input the loop took before the inputs were held (a reconnection's new policy holds them
   * while the loop was already waiting, spec 08 A3): kept until they are released, then handed
   * back in arrival order (it is still the first); `undefined` when the inputs were closed
   * meanwhile (it is then counted as discarded by {@link close}).
   */
  keepWhileHeld(input: QueuedInput): Promise<QueuedInput | undefined> {
    if (!this.held) return Promise.resolve(input);
    this.kept = input;
    return new Promise<void>((resolve) => (this.releaseHeld = resolve)).then(() => {
      const kept = this.kept;
      this.kept = undefined;
      return kept;
    });
  }

  /** Queues a response request; awaits space. */
  putResponseRequest(): Promise<void> {
    return this.put({ lane: 'textIn', kind: 'response' });
  }

  /** Queues one assistant message (tagged with its delegation's id when known); awaits space. */
  putOutput(text: string, handoffId?: string): Promise<void> {
    return this.put(
      handoffId === undefined ? { lane: 'handoffOut', kind: 'output', text } : { lane: 'handoffOut', kind: 'output', text, handoffId },
    );
  }

  /** Queues a tool answer or background result (lane `toolOut`); awaits space. */
  putTool(item: ToolOutItem): Promise<void> {
    return this.put({ lane: 'toolOut', kind: 'tool', item });
  }

  /** Queues the end of a delegated turn; awaits space. From now until processed, {@link finishPending} is true. */
  putFinish(handoffId?: string): Promise<void> {
    this.finishes += 1;
    return this.put(handoffId === undefined ? { lane: 'handoffOut', kind: 'finish' } : { lane: 'handoffOut', kind: 'finish', handoffId });
  }

  /** True while a finish was queued and not processed yet. */
  get finishPending(): boolean {
    return this.finishes > 0;
  }

  /** The processing loop took a finish. */
  finishProcessed(): void {
    this.finishes = Math.max(0, this.finishes - 1);
  }

  /** Inputs queued per lane. */
  sizes(): Record<InputLane, number> {
    return this.queue.sizes();
  }

  /**
   * For the processing loop: the next input in arrival order (`undefined` once closed). The loop is
   * idle while it waits on an empty queue; any new input makes it busy again. Always a promise: the
   * loop yields between inputs, so a failure of the previous send is handled before the next input.
   */
  take(): Promise<QueuedInput | undefined> {
    if (this.held) {
      return new Promise<void>((resolve) => (this.releaseHeld = resolve)).then(() => this.take());
    }
    const sizes = this.queue.sizes();
    if (sizes.audioIn + sizes.textIn + sizes.handoffOut + sizes.toolOut === 0) {
      this.idle = true;
      this.release();
    }
    return this.queue.take();
  }

  /**
   * Resolves once everything queued now has been taken and handed on, or at once when the loop is
   * idle or held. Unless `patient`, also at once when `blocked` (the loop waits on a congested
   * socket) or as soon as it blocks ({@link blocked}); {@link release} wakes every waiter early.
   */
  flushed(blocked: boolean, patient = false): Promise<void> {
    if (this.idle || this.held || (blocked && !patient)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push({ resolve, patient }));
  }

  /** The loop now waits on a congested socket: wakes the waiters of {@link flushed} that are not patient. */
  blocked(): void {
    for (const waiter of this.idleWaiters.splice(0)) {
      if (waiter.patient) this.idleWaiters.push(waiter);
      else waiter.resolve();
    }
  }

  /** Wakes whoever waits in {@link flushed} (the loop is idle, the conversation reconnects or ends). */
  release(): void {
    for (const waiter of this.idleWaiters.splice(0)) waiter.resolve();
  }

  /** Closes: waiting callers fail with `conversation is not running`; returns how many inputs were discarded. */
  close(): number {
    let discarded = this.queue.close();
    if (this.kept !== undefined) {
      discarded += 1;
      this.kept = undefined;
    }
    this.finishes = 0;
    this.held = false;
    const releaseHeld = this.releaseHeld;
    this.releaseHeld = undefined;
    releaseHeld?.();
    this.release();
    return discarded;
  }

  private put(input: Exclude<QueuedInput, { lane: 'audioIn' }>): Promise<void> {
    this.idle = false;
    return this.queue.put(input);
  }
}
