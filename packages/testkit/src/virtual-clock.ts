import { injectable } from 'inversify';
import type { Cancellable, Clock } from '@parley/core';

interface VirtualTimer {
  due: number;
  seq: number;
  callback: () => void;
  cancelled: boolean;
}

/**
 * A {@link Clock} on virtual time: starts at 0 and moves only when told. Timers fire in order of
 * due time (then creation), each with `now()` equal to its own due time.
 */
@injectable()
export class VirtualClock implements Clock {
  private time = 0;
  private seq = 0;
  private timers: VirtualTimer[] = [];

  now(): number {
    return this.time;
  }

  setTimer(delayMs: number, callback: () => void): Cancellable {
    const timer: VirtualTimer = { due: this.time + Math.max(0, delayMs), seq: this.seq++, callback, cancelled: false };
    // Keep the list sorted by (due, seq): insert after every timer due at or before this one.
    let index = this.timers.length;
    while (index > 0 && (this.timers[index - 1] as VirtualTimer).due > timer.due) index -= 1;
    this.timers.splice(index, 0, timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Due time of the next pending timer, or `undefined`. */
  nextDue(): number | undefined {
    this.prune();
    return this.timers[0]?.due;
  }

  /** Number of pending timers. */
  get pending(): number {
    this.prune();
    return this.timers.length;
  }

  /** Fires the next timer if it is due at or before `limit`; returns whether one fired. */
  fireNext(limit: number): boolean {
    this.prune();
    const timer = this.timers[0];
    if (timer === undefined || timer.due > limit) return false;
    this.timers.shift();
    if (timer.due > this.time) this.time = timer.due;
    timer.callback();
    return true;
  }

  /** Moves time forward to `time` (never backwards) without firing anything. */
  setTime(time: number): void {
    if (time > this.time) this.time = time;
  }

  /**
   * Advances to `time`, firing due timers in order. Synchronous: for async work between timers
   * use {@link advanceVirtualClock}.
   */
  advanceTo(time: number): void {
    while (this.fireNext(time)) {
      /* fire all due timers */
    }
    this.setTime(time);
  }

  private prune(): void {
    while (this.timers.length > 0 && (this.timers[0] as VirtualTimer).cancelled) this.timers.shift();
  }
}

/** Lets every pending promise chain finish (all microtasks before the next macrotask). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Advances `clock` to `time`, firing due timers one by one and letting the work each one causes
 * finish (including 0 ms timers it schedules) before the next.
 */
export async function advanceVirtualClock(clock: VirtualClock, time: number): Promise<void> {
  await settle();
  while (clock.fireNext(time)) await settle();
  clock.setTime(time);
  await settle();
  while (clock.fireNext(time)) await settle();
}
