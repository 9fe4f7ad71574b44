import { expect } from 'chai';
import { backoffDelayMs, retryWithBackoff } from '../reconnect-backoff.js';

const settings = { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 500 };

describe('reconnect backoff', () => {
  it('doubles from initialDelayMs, caps at maxDelayMs, jitters over the upper half', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelayMs(attempt, settings, () => 0))).to.deep.equal([50, 100, 200, 250, 250]);
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelayMs(attempt, settings, () => 1))).to.deep.equal([100, 200, 400, 500, 500]);
  });

  it('stops at the first success, gives up after maxAttempts with the last error, stops when waiting says so', async () => {
    const seen: string[] = [];
    const hooks = (succeedAt: number, stopAt = Infinity) => ({
      announce: (attempt: number) => seen.push(`announce ${attempt}`),
      wait: async () => seen.length < stopAt,
      attempt: async (attempt: number) => {
        if (attempt !== succeedAt) throw new Error(`refused ${attempt}`);
      },
      failed: (attempt: number, message: string) => seen.push(`failed ${attempt}: ${message}`),
    });
    expect(await retryWithBackoff(settings, hooks(2), 'lost')).to.deep.equal({ kind: 'succeeded', attempt: 2 });
    expect(seen).to.deep.equal(['announce 1', 'failed 1: refused 1', 'announce 2']);
    seen.length = 0;
    expect(await retryWithBackoff(settings, hooks(9), 'lost')).to.deep.equal({ kind: 'gave_up', lastError: 'refused 4' });
    seen.length = 0;
    expect(await retryWithBackoff(settings, hooks(9, 1), 'lost')).to.deep.equal({ kind: 'stopped' });
  });
});
