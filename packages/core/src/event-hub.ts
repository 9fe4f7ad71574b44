import type { ConversationEvent, ConversationListener } from './conversation-event.js';
import { describeError } from './describe-error.js';
import type { Logger } from './logger.js';

/**
 * Delivers events to listeners (synchronously, in order) and to async iterators (each with its own
 * buffer). When an iterator's buffer reaches `capacity`, `onPressure(true)` asks the conversation to
 * pause its transport; once every buffer is back under half the capacity, `onPressure(false)`
 * resumes it. Nothing is ever dropped.
 */
export class EventHub {
  // Arrays replaced on change (copy-on-write): emitting, the hot path, walks them without allocating.
  private listeners: readonly ConversationListener[] = [];
  private iterators: readonly Subscriber[] = [];
  private pressured = false;

  constructor(
    private readonly capacity: number,
    private readonly logger: Logger,
    private readonly onPressure: (paused: boolean) => void,
  ) {}

  /** Adds a listener; returns a function that removes it. */
  listen(listener: ConversationListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((candidate) => candidate !== listener);
    };
  }

  /** A new iterator receiving every event from now on; it ends after a `closed` event. */
  iterate(): AsyncIterableIterator<ConversationEvent> {
    const iterator = new EventIterator(this);
    this.iterators = [...this.iterators, iterator];
    return iterator;
  }

  /**
   * A new iterator of event batches: each `next()` hands over every event buffered since the
   * previous one (at least one), in order; it ends after the batch holding `closed`. One promise per
   * batch instead of per event: the fast path for consumers of audio-rate streams.
   */
  iterateBatches(): AsyncIterableIterator<ConversationEvent[]> {
    const iterator = new BatchIterator(this);
    this.iterators = [...this.iterators, iterator];
    return iterator;
  }

  /** True while the transport is paused for a slow consumer. */
  get paused(): boolean {
    return this.pressured;
  }

  /** The largest number of events buffered by one iterator. */
  get buffered(): number {
    let most = 0;
    for (const iterator of this.iterators) most = Math.max(most, iterator.size);
    return most;
  }

  /** Delivers one event to every listener and iterator. */
  emit(event: ConversationEvent): void {
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i += 1) {
      const listener = listeners[i] as ConversationListener;
      try {
        listener(event);
      } catch (error) {
        this.logger.error('an event listener threw; the conversation goes on', { error: describeError(error), event: event.type });
      }
    }
    const iterators = this.iterators;
    for (let i = 0; i < iterators.length; i += 1) {
      const iterator = iterators[i] as Subscriber;
      iterator.push(event);
      if (!this.pressured && iterator.size >= this.capacity) {
        this.pressured = true;
        this.onPressure(true);
      }
    }
  }

  /** Called by an iterator after it handed out an event or ended. */
  relieved(): void {
    if (!this.pressured) return;
    const low = Math.floor(this.capacity / 2);
    for (const iterator of this.iterators) if (iterator.size > low) return;
    this.pressured = false;
    this.onPressure(false);
  }

  /** Called by an iterator that ended. */
  detach(iterator: Subscriber): void {
    this.iterators = this.iterators.filter((candidate) => candidate !== iterator);
    this.relieved();
  }
}

/** What the hub needs from an iterator. */
interface Subscriber {
  readonly size: number;
  push(event: ConversationEvent): void;
}

class EventIterator implements AsyncIterableIterator<ConversationEvent>, Subscriber {
  private buffer: ConversationEvent[] = [];
  private head = 0;
  private waiter: ((result: IteratorResult<ConversationEvent>) => void) | undefined;
  private ended = false;
  private sawClosed = false;

  constructor(private readonly hub: EventHub) {}

  get size(): number {
    return this.buffer.length - this.head;
  }

  push(event: ConversationEvent): void {
    if (this.ended || this.sawClosed) return;
    if (event.type === 'closed') this.sawClosed = true;
    if (this.waiter !== undefined) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter({ value: event, done: false });
      if (event.type === 'closed') this.finish();
      return;
    }
    this.buffer.push(event);
  }

  next(): Promise<IteratorResult<ConversationEvent>> {
    const head = this.head;
    if (head < this.buffer.length) {
      const event = this.buffer[head] as ConversationEvent;
      if (head + 1 === this.buffer.length) {
        this.buffer.length = 0;
        this.head = 0;
      } else {
        this.head = head + 1;
      }
      if (event.type === 'closed') this.finish();
      else this.hub.relieved();
      return Promise.resolve({ value: event, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<ConversationEvent>> {
    this.finish();
    this.buffer = [];
    this.head = 0;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ConversationEvent> {
    return this;
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.hub.detach(this);
  }
}

class BatchIterator implements AsyncIterableIterator<ConversationEvent[]>, Subscriber {
  private buffer: ConversationEvent[] = [];
  private waiter: ((result: IteratorResult<ConversationEvent[]>) => void) | undefined;
  private flushing = false;
  private ended = false;
  private sawClosed = false;

  constructor(private readonly hub: EventHub) {}

  get size(): number {
    return this.buffer.length;
  }

  push(event: ConversationEvent): void {
    if (this.ended || this.sawClosed) return;
    if (event.type === 'closed') this.sawClosed = true;
    this.buffer.push(event);
    // A waiting consumer gets the batch once the current synchronous burst (e.g. all the frames of
    // one socket read) has been delivered.
    if (this.waiter !== undefined && !this.flushing) {
      this.flushing = true;
      queueMicrotask(() => {
        this.flushing = false;
        const waiter = this.waiter;
        if (waiter === undefined || this.buffer.length === 0) return;
        this.waiter = undefined;
        waiter({ value: this.take(), done: false });
      });
    }
  }

  next(): Promise<IteratorResult<ConversationEvent[]>> {
    if (this.buffer.length > 0) return Promise.resolve({ value: this.take(), done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<ConversationEvent[]>> {
    this.finish();
    this.buffer = [];
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ConversationEvent[]> {
    return this;
  }

  private take(): ConversationEvent[] {
    const batch = this.buffer;
    this.buffer = [];
    if (this.sawClosed) this.finish();
    else this.hub.relieved();
    return batch;
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.hub.detach(this);
  }
}
