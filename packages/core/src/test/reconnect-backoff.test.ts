import { expect } from 'chai';
import { backoffDelayMs, ReconnectBudget, retryWithBackoff } from '../reconnect-backoff.js';

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

  it('continues from the attempts already used: only the attempts left are made, none when all are spent', async () => {
    const announced: number[] = [];
    const hooks = {
      announce: (attempt: number) => announced.push(attempt),
      wait: async () => true,
      attempt: async (attempt: number) => {
        throw new Error(`refused ${attempt}`);
      },
      failed: () => undefined,
    };
    expect(await retryWithBackoff(settings, hooks, 'lost', 2)).to.deep.equal({ kind: 'gave_up', lastError: 'refused 4' });
    expect(announced).to.deep.equal([3, 4]);
    announced.length = 0;
    expect(await retryWithBackoff(settings, hooks, 'lost', 4)).to.deep.equal({ kind: 'gave_up', lastError: 'lost' });
    expect(announced).to.deep.equal([]);
  });
});

describe('reconnect budget (realtime.reconnect.stableAfterMs)', () => {
  it('a connection up for the stability window gives every attempt back; one lost sooner keeps those spent', () => {
    const budget = new ReconnectBudget(10000);
    budget.connected(0);
    expect(budget.lost(20), 'the first connection, lost at once').to.equal(0);
    budget.connected(300, 1);
    expect(budget.lost(320), 'reconnected at attempt 1, lost 20 ms later').to.equal(1);
    budget.connected(900, 2);
    expect(budget.lost(900 + 9999), 'lost 1 ms before the window').to.equal(2);
    budget.connected(11000, 3);
    expect(budget.lost(11000 + 10000), 'up for exactly the window').to.equal(0);
    budget.connected(21500, 1);
    expect(budget.lost(21500 + 60000), 'up for longer').to.equal(0);
  });

  it('0 gives the attempts back after every successful reconnection (the behaviour without a window)', () => {
    const budget = new ReconnectBudget(0);
    budget.connected(5, 3);
    expect(budget.lost(5)).to.equal(0);
  });

  it('losing twice without a connection in between keeps the count', () => {
    const budget = new ReconnectBudget(100);
    budget.connected(0, 2);
    expect(budget.lost(1000)).to.equal(0);
    expect(budget.lost(5000)).to.equal(0);
    budget.connected(6000, 2);
    expect(budget.lost(6001)).to.equal(2);
    expect(budget.lost(9000)).to.equal(2);
  });
});
