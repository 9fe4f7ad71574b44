import { messageOf } from './error-message.js';

/** The `realtime.reconnect` settings that shape the backoff. */
export interface BackoffSettings {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

/**
 * The delay before reconnection attempt `attempt` (1-based): exponential from `initialDelayMs`,
 * capped at `maxDelayMs`, with jitter over the upper half (so many clients do not retry in step).
 */
export function backoffDelayMs(attempt: number, settings: BackoffSettings, random: () => number = Math.random): number {
  const base = Math.min(settings.maxDelayMs, settings.initialDelayMs * 2 ** (attempt - 1));
  return Math.round(base / 2 + random() * (base / 2));
}

/** What {@link retryWithBackoff} does at each step. */
export interface RetryHooks {
  /** Announces an attempt and its delay (e.g. emits `reconnecting`). */
  announce(attempt: number, delayMs: number): void;
  /** Waits `delayMs`; resolves false when retrying is no longer wanted (the conversation ended). */
  wait(delayMs: number): Promise<boolean>;
  /** One attempt; rejects when it failed. */
  attempt(attempt: number): Promise<void>;
  /** An attempt failed with this message. */
  failed(attempt: number, message: string): void;
}

/** The outcome of {@link retryWithBackoff}. */
export type RetryOutcome = { kind: 'succeeded'; attempt: number } | { kind: 'stopped' } | { kind: 'gave_up'; lastError: string };

/**
 * Tries up to `maxAttempts` times in all with {@link backoffDelayMs} between attempts, starting
 * after the `used` attempts already spent (see {@link ReconnectBudget}); gives up at once when none
 * is left.
 */
export async function retryWithBackoff(settings: BackoffSettings, hooks: RetryHooks, firstError: string, used = 0): Promise<RetryOutcome> {
  let lastError = firstError;
  for (let attempt = used + 1; attempt <= settings.maxAttempts; attempt += 1) {
    const delayMs = backoffDelayMs(attempt, settings);
    hooks.announce(attempt, delayMs);
    if (!(await hooks.wait(delayMs))) return { kind: 'stopped' };
    try {
      await hooks.attempt(attempt);
      return { kind: 'succeeded', attempt };
    } catch (error) {
      lastError = messageOf(error);
      hooks.failed(attempt, lastError);
    }
  }
  return { kind: 'gave_up', lastError };
}

/**
 * The reconnection attempts spent in one run of failures. A reconnection that succeeds does not
 * give the attempts back: only a connection that stayed up for `stableAfterMs` does, so a server
 * that accepts and drops every connection exhausts `maxAttempts` (like systemd's restart-rate
 * window or Kubernetes' crash-loop backoff, which reset only after a stable run).
 */
export class ReconnectBudget {
  private used = 0;
  private upSince: number | undefined;

  constructor(private readonly stableAfterMs: number) {}

  /** A connection is up at `now` (the first one, or a reconnection that succeeded at attempt `attempt`). */
  connected(now: number, attempt = 0): void {
    this.used = attempt;
    this.upSince = now;
  }

  /**
   * The connection was lost at `now`: the attempts already spent — 0 when it had stayed up for
   * `stableAfterMs`, else those spent before it came up.
   */
  lost(now: number): number {
    if (this.upSince !== undefined && now - this.upSince >= this.stableAfterMs) this.used = 0;
    this.upSince = undefined;
    return this.used;
  }
}
