import type { Socket } from 'node:net';
import { expect } from 'chai';
import { ConversationManager, type ConversationEvent } from '@parley/core';
import { advanceVirtualClock, VirtualClock } from '@parley/testkit';
import { frameHeader, waitUntil, WsFixtures, type Peer } from '../support/ws-fixtures.js';

/** The TCP socket under a server-side `ws` peer. */
function tcpOf(peer: Peer): Socket {
  return (peer.socket as unknown as { _socket: Socket })._socket;
}

/** Writes the header and the first 10 bytes of a text frame, then drops the TCP connection. */
function dropMidFrame(peer: Peer): void {
  const payload = Buffer.from(JSON.stringify({ type: 'session.updated', session: { id: 'never_delivered' } }));
  const tcp = tcpOf(peer);
  tcp.write(Buffer.concat([frameHeader(1, payload.length), payload.subarray(0, 10)]), () => tcp.destroy());
}

describe('reliability: connection faults on real sockets', () => {
  const fixtures = new WsFixtures();
  afterEach(() => fixtures.closeAll());

  it('TCP dropped in the middle of a frame: a fatal ERR_CONNECTION_LOST with the URL, then closed "error"; the partial frame is never delivered', async () => {
    const server = await fixtures.server();
    const c = fixtures.conversation(server.url);
    await c.manager.start({ apiKey: 'k' });
    const peer = await server.peer(0);
    peer.send({ type: 'session.updated', session: { id: 'sess_1' } });
    await waitUntil(() => c.of('sessionUpdated').length === 1, 'the first frame');
    dropMidFrame(peer);
    await waitUntil(() => c.of('closed').length === 1, 'closed');
    const [error] = c.of('error');
    expect(c.events.slice(2).map((event) => event.type)).to.deep.equal(['error', 'closed']);
    expect(error).to.include({ fatal: true, code: 'ERR_CONNECTION_LOST' });
    expect(error?.message).to.contain('ws://127.0.0.1:');
    expect(c.of('closed')).to.deep.equal([{ type: 'closed', reason: 'error' }]);
    expect(c.of('sessionUpdated').map((event) => event.sessionId)).to.deep.equal(['sess_1']);
    expect(c.manager.running).to.equal(false);
  });

  it('TCP dropped in the middle of a frame with reconnection enabled: reconnecting, a new socket, session.update again, reconnected', async () => {
    const server = await fixtures.server();
    const clock = new VirtualClock();
    const c = fixtures.conversation(server.url, {
      clock,
      config: { realtime: { reconnect: { enabled: true, maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000 } } },
    });
    await c.manager.start({ apiKey: 'k', instructions: 'again' });
    const first = await server.peer(0);
    await waitUntil(() => first.received.length === 1, 'session.update');
    dropMidFrame(first);
    await waitUntil(() => c.of('reconnecting').length === 1, 'reconnecting');
    expect(c.manager.running).to.equal(true);
    await advanceVirtualClock(clock, c.of('reconnecting')[0]?.delayMs ?? 0);
    const second = await server.peer(1);
    await waitUntil(() => c.of('reconnected').length === 1, 'reconnected');
    await waitUntil(() => second.received.length === 1, 'session.update on the new socket');
    expect(second.json()[0]).to.deep.include({ type: 'session.update' });
    expect(second.json()[0]).to.deep.equal(first.json()[0]);
    expect(c.of('error')).to.deep.equal([]);
    expect(c.of('closed')).to.deep.equal([]);
    expect(c.of('sessionUpdated'), 'the partial frame was never delivered').to.deep.equal([]);
  });

  it('a frame over transport.ws.maxPayloadBytes is fatal for that conversation only; another manager on the same transport keeps working', async () => {
    const server = await fixtures.server();
    const a = fixtures.conversation(server.url, { config: { transport: { ws: { maxPayloadBytes: 1024 } } } });
    const b = a.container.get(ConversationManager);
    fixtures.defer(() => b.close());
    const bEvents: ConversationEvent[] = [];
    b.on((event) => bEvents.push(event));
    await a.manager.start({ apiKey: 'k' });
    const peerA = await server.peer(0);
    await b.start({ apiKey: 'k' });
    const peerB = await server.peer(1);

    peerA.send({ type: 'conversation.item.added', item: { pad: 'x'.repeat(2000) } });
    peerB.send({ type: 'conversation.item.added', item: { pad: 'y'.repeat(900) } });
    await waitUntil(() => a.of('closed').length === 1, 'a closed');
    const [error] = a.of('error');
    expect(error).to.include({ fatal: true, code: 'ERR_PAYLOAD_TOO_LARGE' });
    expect(error?.message).to.contain('1024');
    expect(a.of('closed')).to.deep.equal([{ type: 'closed', reason: 'error' }]);
    expect(a.of('conversationItemAdded')).to.deep.equal([]);

    await waitUntil(() => bEvents.some((event) => event.type === 'conversationItemAdded'), 'b still receives');
    await b.sendText('b is fine');
    await waitUntil(() => peerB.received.length === 2, 'b still sends');
    expect(peerB.json()[1]).to.deep.include({ type: 'conversation.item.create' });
    expect(b.running).to.equal(true);
    expect(bEvents.filter((event) => event.type === 'error' || event.type === 'closed')).to.deep.equal([]);
  });
});
