import { ParleyError } from './parley-error.js';
import type { ToolOutItem } from './tool-runner.js';

/** The bounded lanes of spec 04 (and 09's `toolOut`); inputs of all lanes are processed in arrival order. */
export type InputLane = 'audioIn' | 'textIn' | 'handoffOut' | 'toolOut';

/** One queued input. */
export type QueuedInput =
  | { lane: 'audioIn'; kind: 'audio'; message: string }
  | { lane: 'textIn'; kind: 'text'; message: string }
  | { lane: 'textIn'; kind: 'texts'; messages: string[] }
  | { lane: 'textIn'; kind: 'response' }
  | { lane: 'handoffOut'; kind: 'output'; text: string; handoffId?: string }
  | { lane: 'handoffOut'; kind: 'finish'; handoffId?: string }
  | { lane: 'toolOut'; kind: 'tool'; item: ToolOutItem };

interface Waiter {
  input: QueuedInput;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * One FIFO of inputs with a capacity per lane. `audioIn` never blocks (a full lane refuses the
 * frame: the caller drops and counts it); `textIn` and `handoffOut` make the caller await space,
 * keeping the callers' order. `take()` resolves with the next input in arrival order.
 */
export class InputQueue {
  private items: QueuedInput[] = [];
  private head = 0;
  private readonly counts: Record<InputLane, number> = { audioIn: 0, textIn: 0, handoffOut: 0, toolOut: 0 };
  private readonly waiters: Record<InputLane, Waiter[]> = { audioIn: [], textIn: [], handoffOut: [], toolOut: [] };
  private taker: ((input: QueuedInput | undefined) => void) | undefined;
  private closed = false;

  constructor(private readonly capacity: Record<InputLane, number>) {}

  /** Inputs queued per lane. */
  sizes(): Record<InputLane, number> {
    return { ...this.counts };
  }

  /** Queues an audio frame; false when the lane is full (the caller drops and counts it). */
  offerAudio(message: string): boolean {
    if (this.closed || this.counts.audioIn >= this.capacity.audioIn) return false;
    this.append({ lane: 'audioIn', kind: 'audio', message });
    return true;
  }

  /** Queues an input of a blocking lane; awaits space when the lane is full. */
  put(input: Exclude<QueuedInput, { lane: 'audioIn' }>): Promise<void> {
    if (this.closed) return Promise.reject(ParleyError.notRunning());
    const lane = input.lane;
    if (this.counts[lane] < this.capacity[lane] && this.waiters[lane].length === 0) {
      this.append(input);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.waiters[lane].push({ input, resolve, reject }));
  }

  /** The next input in arrival order; `undefined` once the queue is closed. */
  take(): Promise<QueuedInput | undefined> {
    const next = this.shift();
    if (next !== undefined || this.closed) return Promise.resolve(next);
    return new Promise((resolve) => {
      this.taker = resolve;
    });
  }

  /** Closes the queue: waiting callers fail with `conversation is not running`; returns how many inputs were discarded. */
  close(): number {
    if (this.closed) return 0;
    this.closed = true;
    let discarded = this.items.length - this.head;
    this.items = [];
    this.head = 0;
    for (const lane of ['audioIn', 'textIn', 'handoffOut', 'toolOut'] as const) {
      this.counts[lane] = 0;
      for (const waiter of this.waiters[lane]) {
        discarded += 1;
        waiter.reject(ParleyError.notRunning());
      }
      this.waiters[lane] = [];
    }
    const taker = this.taker;
    this.taker = undefined;
    taker?.(undefined);
    return discarded;
  }

  private append(input: QueuedInput): void {
    const taker = this.taker;
    if (taker !== undefined) {
      this.taker = undefined;
      taker(input);
      return;
    }
    this.counts[input.lane] += 1;
    this.items.push(input);
  }

  private shift(): QueuedInput | undefined {
    if (this.head >= this.items.length) return undefined;
    const input = this.items[this.head] as QueuedInput;
    this.head += 1;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.counts[input.lane] -= 1;
    this.release(input.lane);
    return input;
  }

  private release(lane: InputLane): void {
    const waiter = this.waiters[lane].shift();
    if (waiter === undefined) return;
    this.append(waiter.input);
    waiter.resolve();
  }
}
