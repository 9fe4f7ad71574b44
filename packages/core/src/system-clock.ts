import { injectable } from 'inversify';
import type { Cancellable, Clock } from './clock.js';

/** The default {@link Clock}: `Date.now()` and Node timers. */
@injectable()
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimer(delayMs: number, callback: () => void): Cancellable {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(timer) };
  }
}
