import type { ServiceIdentifier } from 'inversify';

/** A timer that can be cancelled; cancelling twice, or after it fired, does nothing. */
export interface Cancellable {
  cancel(): void;
}

/**
 * Time and timers. Every timer in Parley (the V1 grace period included) goes through the bound
 * clock, so tests and the scenario runner can bind a virtual one.
 */
export interface Clock {
  /** Milliseconds since an arbitrary origin (wall-clock epoch for the system clock, 0 for virtual). */
  now(): number;
  /** Calls `callback` once, `delayMs` (clamped to >= 0) from now. */
  setTimer(delayMs: number, callback: () => void): Cancellable;
}

/** Service identifier of {@link Clock}. */
export const Clock = Symbol('Clock') as ServiceIdentifier<Clock>;
