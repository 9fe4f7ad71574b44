import type { ConversationEvent, ConversationListener } from './conversation-event.js';
import { describeError } from './describe-error.js';
import type { Logger } from './logger.js';

/** The limits of the buffers of {@link EventHub} iterators. */
export interface EventBufferLimits {
  /** Events one iterator may buffer before the transport is paused (`realtime.queues.events`). */
  events: number;
  /** Bytes (estimated) one iterator may buffer before the transport is paused (`realtime.queues.eventBytes`). */
  bytes: number;
}

/**
 * Delivers events to listeners (synchronously, in order) and to async iterators (each with its own
 * buffer). When an iterator's buffer reaches either limit — `events` events or `bytes` bytes —
 * `onPressure(true)` asks the conversation to pause its transport; once every buffer is back under
 * half of both, `onPressure(false)` resumes it. Nothing is ever dropped.
 *
 * Iterators belong to one conversation: the one running when they were made, else the next one to
 * start. An iterator ends after its conversation's `closed`, or, when a new start replaces that
 * conversation, after the events it already holds; from then on its buffer never pauses anything.
 * An iterator the application dropped is released when it is garbage-collected.
 */
export class EventHub {
  // Arrays replaced on change (copy-on-write): emitting, the hot path, walks them without allocating.
  private listeners: readonly ConversationListener[] = [];
  private subscribers: readonly Subscriber[] = [];
  private pressured = false;
  private conversationRunning = false;
  private readonly released = new FinalizationRegistry<Subscriber>((subscriber) => subscriber.retire(true));

  constructor(
    private readonly limits: EventBufferLimits,
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

  /** A new iterator receiving every event from now on, until its conversation ends (see the class doc). */
  iterate(): AsyncIterableIterator<ConversationEvent> {
    const subscriber = this.subscribe(false);
    const iterator = new EventIterator(subscriber);
    this.released.register(iterator, subscriber, subscriber);
    return iterator;
  }

  /**
   * A new iterator of event batches: each `next()` hands over every event buffered since the
   * previous one (at least one), in order; it ends after the batch holding `closed`. One promise per
   * batch instead of per event: the fast path for consumers of audio-rate streams.
   */
  iterateBatches(): AsyncIterableIterator<ConversationEvent[]> {
    const subscriber = this.subscribe(true);
    const iterator = new BatchIterator(subscriber);
    this.released.register(iterator, subscriber, subscriber);
    return iterator;
  }

  /**
   * A new conversation is starting (it may replace the running one): the iterators of the previous
   * conversation end after what they hold, and the pressure they caused is released, so the new
   * conversation never starts paused. Iterators made while idle stay for the new one.
   */
  conversationStarting(): void {
    for (const subscriber of this.subscribers) if (subscriber.attached) subscriber.retire(false);
    this.conversationRunning = false;
    this.relieved();
  }

  /** True while the transport is paused for a slow consumer. */
  get paused(): boolean {
    return this.pressured;
  }

  /** The largest number of events buffered by one iterator of the running conversation. */
  get buffered(): number {
    let most = 0;
    for (const subscriber of this.subscribers) most = Math.max(most, subscriber.size);
    return most;
  }

  /**
   * Delivers one event to every listener and iterator. `bytes` is its size when the caller knows
   * it (the inbound frame it came from); otherwise it is estimated from its text fields.
   */
  emit(event: ConversationEvent, bytes = 0): void {
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i += 1) {
      const listener = listeners[i] as ConversationListener;
      try {
        listener(event);
      } catch (error) {
        this.logger.error('an event listener threw; the conversation goes on', { error: describeError(error), event: event.type });
      }
    }
    const subscribers = this.subscribers;
    if (event.type === 'started' || event.type === 'closed') this.lifecycle(event.type === 'started');
    if (subscribers.length === 0) return;
    const weight = bytes > 0 ? bytes : estimateBytes(event);
    for (let i = 0; i < subscribers.length; i += 1) {
      const subscriber = subscribers[i] as Subscriber;
      subscriber.push(event, weight);
      if (!this.pressured && subscriber.live && (subscriber.size >= this.limits.events || subscriber.bytes >= this.limits.bytes)) {
        this.pressured = true;
        this.onPressure(true);
      }
    }
  }

  /** Called by a subscriber after it handed out events, or ended. */
  relieved(): void {
    if (!this.pressured) return;
    const lowEvents = Math.floor(this.limits.events / 2);
    const lowBytes = Math.floor(this.limits.bytes / 2);
    for (const subscriber of this.subscribers) {
      if (subscriber.size > lowEvents || subscriber.bytes > lowBytes) return;
    }
    this.pressured = false;
    this.onPressure(false);
  }

  /** Called by a subscriber that will receive nothing more. */
  detach(subscriber: Subscriber): void {
    this.released.unregister(subscriber);
    this.subscribers = this.subscribers.filter((candidate) => candidate !== subscriber);
    this.relieved();
  }

  private subscribe(batches: boolean): Subscriber {
    const subscriber = new Subscriber(this, batches, this.conversationRunning);
    this.subscribers = [...this.subscribers, subscriber];
    return subscriber;
  }

  /** `started`: every iterator now belongs to this conversation; `closed`: none is running. */
  private lifecycle(started: boolean): void {
    this.conversationRunning = started;
    if (started) for (const subscriber of this.subscribers) subscriber.attached = true;
  }
}

/** Settles one pending `next()` call. */
type Waiter<T> = (result: IteratorResult<T>) => void;

/**
 * One iterator's buffer and pending calls, held by the hub (the application holds the iterator in
 * front of it, so dropping that iterator lets the registry release this).
 */
class Subscriber {
  /** Belongs to the running conversation (made while it ran, or it started since). */
  attached: boolean;
  /** Still receiving events (not ended, not retired, `closed` not yet received). */
  live = true;
  /** Estimated bytes buffered. */
  bytes = 0;
  private buffer: ConversationEvent[] = [];
  private weights: number[] = [];
  private head = 0;
  /** The iterator is done (after its buffer is read). */
  private ended = false;
  /** Pending `next()` calls, oldest first. */
  private readonly waiters: Waiter<ConversationEvent | ConversationEvent[]>[] = [];
  private flushing = false;

  constructor(
    private readonly hub: EventHub,
    private readonly batches: boolean,
    attached: boolean,
  ) {
    this.attached = attached;
  }

  get size(): number {
    return this.buffer.length - this.head;
  }

  push(event: ConversationEvent, weight: number): void {
    if (!this.live) return;
    const closing = event.type === 'closed';
    if (!this.batches && this.size === 0 && this.waiters.length > 0) {
      (this.waiters.shift() as Waiter<ConversationEvent>)({ value: event, done: false });
      if (closing) this.end();
      return;
    }
    this.buffer.push(event);
    this.weights.push(weight);
    this.bytes += weight;
    if (closing) this.stopReceiving();
    // A waiting batch consumer gets the batch once the current synchronous burst (e.g. all the
    // frames of one socket read) has been delivered.
    if (this.batches && this.waiters.length > 0 && !this.flushing) {
      this.flushing = true;
      queueMicrotask(() => {
        this.flushing = false;
        this.settleWaiters();
      });
    }
  }

  /** The next event (`batch` false) or every buffered event (`batch` true), else undefined. */
  take(): ConversationEvent | ConversationEvent[] | undefined {
    if (this.size === 0) return undefined;
    let value: ConversationEvent | ConversationEvent[];
    if (this.batches) {
      value = this.head === 0 ? this.buffer : this.buffer.slice(this.head);
      this.buffer = [];
      this.weights = [];
      this.head = 0;
      this.bytes = 0;
    } else {
      value = this.buffer[this.head] as ConversationEvent;
      this.bytes -= this.weights[this.head] as number;
      if (this.head + 1 === this.buffer.length) {
        this.buffer.length = 0;
        this.weights.length = 0;
        this.head = 0;
      } else {
        this.head += 1;
      }
    }
    // Past the last buffered event of an iterator that receives nothing more: it is done (pending
    // calls behind this one then settle with `done`, in order).
    if (this.size === 0 && !this.live) this.ended = true;
    else this.hub.relieved();
    return value;
  }

  next(): Promise<IteratorResult<ConversationEvent | ConversationEvent[]>> {
    if (this.waiters.length === 0) {
      const value = this.take();
      if (value !== undefined) return Promise.resolve({ value, done: false });
      if (this.ended) return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve) => {
      this.waiters.push(resolve);
    });
  }

  /** The application is done with the iterator: every pending call settles with `done: true`. */
  close(): void {
    this.buffer = [];
    this.weights = [];
    this.head = 0;
    this.bytes = 0;
    this.end();
  }

  /**
   * The conversation was replaced (`dropped` false: keep what is buffered, end after it) or the
   * application dropped the iterator (`dropped` true: nothing will read it).
   */
  retire(dropped: boolean): void {
    if (dropped) {
      this.close();
      return;
    }
    this.stopReceiving();
    if (this.size === 0) this.end();
  }

  private stopReceiving(): void {
    if (!this.live) return;
    this.live = false;
    this.attached = false;
    this.hub.detach(this);
  }

  private end(): void {
    this.stopReceiving();
    this.ended = true;
    this.settleWaiters();
  }

  /** Settles pending calls in order: with buffered events while there are some, then `done` once ended. */
  private settleWaiters(): void {
    while (this.waiters.length > 0) {
      const value = this.take();
      if (value !== undefined) {
        (this.waiters.shift() as Waiter<ConversationEvent | ConversationEvent[]>)({ value, done: false });
        continue;
      }
      if (!this.ended) return;
      (this.waiters.shift() as Waiter<ConversationEvent | ConversationEvent[]>)({ value: undefined, done: true });
    }
  }
}

class EventIterator implements AsyncIterableIterator<ConversationEvent> {
  constructor(private readonly subscriber: Subscriber) {}

  next(): Promise<IteratorResult<ConversationEvent>> {
    return this.subscriber.next() as Promise<IteratorResult<ConversationEvent>>;
  }

  return(): Promise<IteratorResult<ConversationEvent>> {
    this.subscriber.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ConversationEvent> {
    return this;
  }
}

class BatchIterator implements AsyncIterableIterator<ConversationEvent[]> {
  constructor(private readonly subscriber: Subscriber) {}

  next(): Promise<IteratorResult<ConversationEvent[]>> {
    return this.subscriber.next() as Promise<IteratorResult<ConversationEvent[]>>;
  }

  return(): Promise<IteratorResult<ConversationEvent[]>> {
    this.subscriber.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ConversationEvent[]> {
    return this;
  }
}

/** Fixed cost of one buffered event (the object and its bookkeeping), in the byte estimate. */
const EVENT_OVERHEAD_BYTES = 64;

/**
 * Estimated size of an event not tied to an inbound frame: its text fields (top level, and the
 * `text` of transcript entries) plus a fixed overhead.
 */
function estimateBytes(event: ConversationEvent): number {
  let bytes = EVENT_OVERHEAD_BYTES;
  for (const value of Object.values(event)) {
    if (typeof value === 'string') bytes += value.length;
    else if (Array.isArray(value)) {
      for (const entry of value as unknown[]) {
        const text = typeof entry === 'object' && entry !== null ? (entry as { text?: unknown }).text : undefined;
        bytes += typeof text === 'string' ? text.length + 16 : 16;
      }
    }
  }
  return bytes;
}
