import { expect } from 'chai';
import type { Delegation, DelegationTurn, HandoffDelegate } from '@parley/core';
import { advanceVirtualClock } from '@parley/testkit';
import { settle } from '../support/harness.js';
import { createProtocolHarness } from '../support/protocol-harness.js';

/** Never settles: records each delegation and whether its signal was aborted. */
class HangingDelegate implements HandoffDelegate {
  readonly delegated: string[] = [];
  readonly steered: string[] = [];
  readonly turns: DelegationTurn[] = [];
  delegate(delegation: Delegation, turn: DelegationTurn): Promise<void> {
    this.delegated.push(delegation.text);
    this.turns.push(turn);
    turn.onSteering((steering) => this.steered.push(steering.text));
    return new Promise(() => undefined);
  }
}

const handoff = (callId: string, prompt: string): unknown => ({
  type: 'conversation.item.done',
  item: { id: `item_${callId}`, type: 'function_call', name: 'background_agent', call_id: callId, arguments: JSON.stringify({ prompt }) },
});

const outputsOf = (h: ReturnType<typeof createProtocolHarness>): unknown[] =>
  h
    .server()
    .sentJson()
    .filter((message) => (message as { item?: { type?: string } }).item?.type === 'function_call_output')
    .map((message) => (message as { item: { call_id: string; output: string } }).item)
    .map((item) => ({ call_id: item.call_id, output: item.output }));

describe('reliability: a delegate that never settles (realtime.delegate.timeoutMs, default 120000)', () => {
  it('after the timeout its signal is aborted, the call is answered with the failure text, and the next handoff is a new request', async () => {
    const delegate = new HangingDelegate();
    const h = createProtocolHarness('v2', { delegate });
    await h.manager.start({ apiKey: 'k' });
    h.server().serverJson(handoff('call_A', 'book a table'));
    await settle();
    await advanceVirtualClock(h.clock, 119_999);
    expect(delegate.turns[0]?.signal.aborted).to.equal(false);
    expect(outputsOf(h)).to.deep.equal([]);
    await advanceVirtualClock(h.clock, 120_000);
    await settle();
    expect(delegate.turns[0]?.signal.aborted, 'the turn is aborted').to.equal(true);
    expect(outputsOf(h)).to.deep.equal([
      {
        call_id: 'call_A',
        output: '"Agent Final Message":\n\nThe background agent failed: it did not finish within 120000 ms (realtime.delegate.timeoutMs)',
      },
    ]);
    // Late output of the timed-out delegate is dropped.
    await delegate.turns[0]?.output('too late');
    h.server().serverJson(handoff('call_B', 'and a taxi'));
    await settle();
    expect(delegate.delegated).to.deep.equal(['book a table', 'and a taxi']);
    expect(delegate.steered).to.deep.equal([]);
    expect(h.manager.running).to.equal(true);
    expect(JSON.stringify(h.server().sentJson())).not.to.contain('too late');
  });

  it('0 means no limit: an hour later the delegation is still running and unanswered', async () => {
    const delegate = new HangingDelegate();
    const h = createProtocolHarness('v2', { delegate, config: { realtime: { delegate: { timeoutMs: 0 } } } });
    await h.manager.start({ apiKey: 'k' });
    h.server().serverJson(handoff('call_A', 'book a table'));
    await settle();
    await advanceVirtualClock(h.clock, 3_600_000);
    expect(delegate.turns[0]?.signal.aborted).to.equal(false);
    expect(outputsOf(h)).to.deep.equal([]);
    h.server().serverJson(handoff('call_B', 'and a taxi'));
    await settle();
    expect(delegate.steered, 'without a limit the next handoff steers the running one').to.deep.equal(['and a taxi']);
  });

  it('a delegate that finishes in time is not affected, and its timer never fires', async () => {
    const h = createProtocolHarness('v2', {
      delegate: {
        delegate: async (delegation, turn) => {
          await turn.output(`done: ${delegation.text}`);
        },
      },
      config: { realtime: { delegate: { timeoutMs: 1000 } } },
    });
    await h.manager.start({ apiKey: 'k' });
    h.server().serverJson(handoff('call_A', 'x'));
    await settle();
    await advanceVirtualClock(h.clock, 5000);
    expect(outputsOf(h)).to.deep.equal([{ call_id: 'call_A', output: '"Agent Final Message":\n\ndone: x' }]);
    expect(h.logger.lines.filter((line) => line.level === 'error')).to.deep.equal([]);
  });
});
