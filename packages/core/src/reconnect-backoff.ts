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

/** Tries up to `maxAttempts` times with {@link backoffDelayMs} between attempts. */
export async function retryWithBackoff(settings: BackoffSettings, hooks: RetryHooks, firstError: string): Promise<RetryOutcome> {
  let lastError = firstError;
  for (let attempt = 1; attempt <= settings.maxAttempts; attempt += 1) {
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
