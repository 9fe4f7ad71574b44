import { expect } from 'chai';
import { advanceVirtualClock, VirtualClock } from '@parley/testkit';
import { waitUntil, WsFixtures } from '../support/ws-fixtures.js';

const reconnect = { enabled: true, maxAttempts: 2, initialDelayMs: 200, maxDelayMs: 1000 };

describe('reliability: opt-in reconnection after the server kills the socket (real ws, virtual clock)', () => {
  const fixtures = new WsFixtures();
  afterEach(() => fixtures.closeAll());

  it('reconnecting, then a new socket with session.update first, queued text delivered, reconnected naming the lost handoff; the conversation carries on', async () => {
    const server = await fixtures.server();
    const clock = new VirtualClock();
    const c = fixtures.conversation(server.url, { clock, config: { realtime: { reconnect } } });
    await c.manager.start({ apiKey: 'k', instructions: 'stay' });
    const first = await server.peer(0);
    first.send({
      type: 'conversation.item.done',
      item: { id: 'item_1', type: 'function_call', name: 'background_agent', call_id: 'call_1', arguments: '{"prompt":"x"}' },
    });
    await waitUntil(() => c.of('delegationStarted').length === 1, 'the delegation');

    first.socket.terminate();
    await waitUntil(() => c.of('reconnecting').length === 1, 'reconnecting');
    expect(c.manager.running).to.equal(true);
    expect(c.manager.stats().state).to.equal('reconnecting');
    await c.manager.sendText('queued while reconnecting');
    c.manager.sendAudio({ data: 'AAAAAA==' });
    const [reconnecting] = c.of('reconnecting');
    expect(reconnecting?.attempt).to.equal(1);
    expect(reconnecting?.delayMs).to.be.within(100, 200);

    await advanceVirtualClock(clock, reconnecting?.delayMs ?? 0);
    const second = await server.peer(1);
    await waitUntil(() => second.received.length === 3, 'session.update and the queued inputs');
    expect(second.json()).to.deep.equal([
      first.json()[0],
      {
        type: 'conversation.item.create',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'queued while reconnecting' }] },
      },
      { type: 'input_audio_buffer.append', audio: 'AAAAAA==' },
    ]);
    expect(c.of('reconnected')).to.deep.equal([{ type: 'reconnected', attempt: 1, lostHandoffs: ['call_1'] }]);

    // Carries on: events from the new socket arrive, inputs go to it; the lost handoff is not answered.
    second.send({ type: 'response.output_audio_transcript.delta', delta: 'back again' });
    await waitUntil(() => c.of('outputTranscriptDelta').length === 1, 'an event on the new socket');
    await c.manager.sendAssistantOutput('answer to the lost call');
    await c.manager.requestResponse();
    await waitUntil(() => second.received.length === 4, 'the response request');
    expect(second.json()[3]).to.deep.equal({ type: 'response.create' });
    expect(c.manager.stats()).to.deep.include({ state: 'running', reconnections: 1, droppedAssistantOutputs: 1 });
    expect(c.of('error')).to.deep.equal([]);
    expect(c.of('closed')).to.deep.equal([]);
  });

  it('gives up after maxAttempts when the server is gone: one fatal ERR_CONNECTION_LOST, then closed "error"', async () => {
    const server = await fixtures.server();
    const clock = new VirtualClock();
    const c = fixtures.conversation(server.url, { clock, config: { realtime: { reconnect } } });
    await c.manager.start({ apiKey: 'k' });
    const peer = await server.peer(0);
    peer.socket.terminate();
    await new Promise<void>((resolve) => server.wss.close(() => resolve()));
    for (let attempt = 1; attempt <= reconnect.maxAttempts; attempt += 1) {
      await waitUntil(() => c.of('reconnecting').length === attempt, `attempt ${attempt}`);
      await advanceVirtualClock(clock, clock.now() + (c.of('reconnecting')[attempt - 1]?.delayMs ?? 0));
    }
    await waitUntil(() => c.of('closed').length === 1, 'closed');
    const errors = c.of('error');
    expect(errors).to.have.length(1);
    expect(errors[0]).to.include({ fatal: true, code: 'ERR_CONNECTION_LOST' });
    expect(errors[0]?.message).to.match(/^could not reconnect after 2 attempts: /);
    expect(c.of('closed')).to.deep.equal([{ type: 'closed', reason: 'error' }]);
    expect(c.manager.running).to.equal(false);
  });
});
