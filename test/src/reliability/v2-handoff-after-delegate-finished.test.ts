import { expect } from 'chai';
import type { Delegation, DelegationTurn, HandoffDelegate } from '@parley/core';
import { settle } from '../support/harness.js';
import { createProtocolHarness } from '../support/protocol-harness.js';

/** Answers each delegation with one message and finishes; records what it was given. */
class OneAnswerDelegate implements HandoffDelegate {
  readonly delegated: string[] = [];
  readonly steered: string[] = [];
  async delegate(delegation: Delegation, turn: DelegationTurn): Promise<void> {
    this.delegated.push(delegation.text);
    turn.onSteering((steering) => this.steered.push(steering.text));
    await turn.output(`answer to ${delegation.text}`);
  }
}

const handoff = (callId: string, prompt: string): unknown => ({
  type: 'conversation.item.done',
  item: { id: `item_${callId}`, type: 'function_call', name: 'background_agent', call_id: callId, arguments: JSON.stringify({ prompt }) },
});

describe('reliability: a v2 handoff that arrives while the finished delegation is still being sent', () => {
  // Regression test: this was a bug, fixed in core/parser (see git log).
  it('the request is delegated, not acknowledged as steering and dropped', async () => {
    const delegate = new OneAnswerDelegate();
    const h = createProtocolHarness('v2', { delegate });
    await h.manager.start({ apiKey: 'k' });
    h.server().stall(); // the socket is slow: the progress item of A is still being sent
    h.server().serverJson(handoff('call_A', 'book a table'));
    await settle(); // the delegate answered and finished; its finish waits behind the progress item
    h.server().serverJson(handoff('call_B', 'and a taxi'));
    await settle();
    h.server().unstall();
    await settle();
    expect([...delegate.delegated, ...delegate.steered]).to.deep.equal(['book a table', 'and a taxi']);
    expect(h.logger.lines.filter((line) => line.level === 'warn')).to.deep.equal([]);
  });
});
