import { expect } from 'chai';
import type { Delegation, DelegationTurn, HandoffDelegate } from '@parley/core';
import { advanceVirtualClock, VirtualClock } from '@parley/testkit';
import { ioPause, waitUntil, WsFixtures } from '../support/ws-fixtures.js';

/** A delegate whose turns send one progress message, then wait for the test before answering. */
class ControlledDelegate implements HandoffDelegate {
  readonly turns: { delegation: Delegation; turn: DelegationTurn; release: () => void; done: Promise<void> }[] = [];

  delegate(delegation: Delegation, turn: DelegationTurn): Promise<void> {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const done = (async () => {
      await turn.output(`working on ${delegation.text}`);
      await released;
      await turn.output(`late answer to ${delegation.text}`);
      await turn.finish();
    })();
    this.turns.push({ delegation, turn, release, done });
    return done;
  }
}

const v2Handoff = (callId: string, prompt: string): unknown => ({
  type: 'conversation.item.done',
  item: { id: `item_${callId}`, type: 'function_call', name: 'background_agent', call_id: callId, arguments: JSON.stringify({ prompt }) },
});

describe('reliability: ending a conversation during a handoff (real ws, virtual clock)', () => {
  const fixtures = new WsFixtures();
  afterEach(() => fixtures.closeAll());

  it('v1: close() during the grace: no delegation ever, the socket gets a normal close', async () => {
    const server = await fixtures.server();
    const clock = new VirtualClock();
    const delegate = new ControlledDelegate();
    const c = fixtures.conversation(server.url, { protocol: 'v1', clock, delegate });
    await c.manager.start({ apiKey: 'k' });
    const peer = await server.peer(0);
    peer.send({ type: 'conversation.input_transcript.delta', delta: 'book a table' });
    peer.send({ type: 'conversation.handoff.requested', handoff_id: 'h1', item_id: 'i1', input_transcript: 'book a table' });
    await waitUntil(() => c.of('handoffRequested').length === 1, 'the handoff');
    await advanceVirtualClock(clock, 999);
    expect(c.of('delegationStarted')).to.deep.equal([]);
    await c.manager.close();
    peer.send({ type: 'conversation.output_transcript.delta', delta: 'too late' });
    await advanceVirtualClock(clock, 10_000);
    expect(await peer.closed).to.equal(1000);
    await ioPause();
    expect(c.of('delegationStarted')).to.deep.equal([]);
    expect(delegate.turns).to.deep.equal([]);
    expect(c.events.map((event) => event.type)).to.deep.equal(['started', 'inputTranscriptDelta', 'handoffRequested', 'closed']);
    expect(c.of('closed')).to.deep.equal([{ type: 'closed', reason: 'requested' }]);
  });

  it('v2: close() during a delegation aborts the delegate turn; its later output is never sent', async () => {
    const server = await fixtures.server();
    const delegate = new ControlledDelegate();
    const c = fixtures.conversation(server.url, { clock: new VirtualClock(), delegate });
    await c.manager.start({ apiKey: 'k' });
    const peer = await server.peer(0);
    peer.send(v2Handoff('call_1', 'find flights'));
    await waitUntil(() => peer.received.length === 2, 'the progress item');
    const [running] = delegate.turns;
    expect(running?.turn.signal.aborted).to.equal(false);
    await c.manager.close();
    expect(running?.turn.signal.aborted, 'the turn is aborted at once').to.equal(true);
    running?.release();
    await running?.done;
    expect(await peer.closed).to.equal(1000);
    expect(peer.json().map((message) => message.type)).to.deep.equal(['session.update', 'conversation.item.create']);
    expect(c.events.map((event) => event.type)).to.deep.equal(['started', 'handoffRequested', 'delegationStarted', 'closed']);
  });

  it('v2: a second start() during a delegation drops the first conversation (no closed, turn aborted, socket terminated) and the new one works', async () => {
    const server = await fixtures.server();
    const delegate = new ControlledDelegate();
    const c = fixtures.conversation(server.url, { clock: new VirtualClock(), delegate });
    await c.manager.start({ apiKey: 'k' });
    const first = await server.peer(0);
    first.send(v2Handoff('call_1', 'old task'));
    await waitUntil(() => first.received.length === 2, 'the first progress item');

    await c.manager.start({ apiKey: 'k', instructions: 'second' });
    const [old] = delegate.turns;
    expect(old?.turn.signal.aborted).to.equal(true);
    expect(await first.closed, 'the replaced socket is terminated (no close frame)').to.equal(1006);
    old?.release();
    await old?.done;

    const second = await server.peer(1);
    second.send(v2Handoff('call_2', 'new task'));
    await waitUntil(() => second.received.length === 2, 'the second progress item');
    delegate.turns[1]?.release();
    await delegate.turns[1]?.done;
    await waitUntil(() => second.received.length === 5, 'the final answer and the response request');
    expect(first.json().map((message) => message.type)).to.deep.equal(['session.update', 'conversation.item.create']);
    const answers = second.json().slice(1);
    expect(answers.map((message) => message.type)).to.deep.equal([
      'conversation.item.create',
      'conversation.item.create',
      'conversation.item.create',
      'response.create',
    ]);
    expect(answers[2]).to.deep.equal({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: 'call_2', output: '"Agent Final Message":\n\nlate answer to new task' },
    });
    expect(JSON.stringify(second.json())).not.to.contain('old task');
    expect(c.of('closed')).to.deep.equal([]);
    expect(c.events.map((event) => event.type)).to.deep.equal([
      'started',
      'handoffRequested',
      'delegationStarted',
      'started',
      'handoffRequested',
      'delegationStarted',
    ]);
  });
});
