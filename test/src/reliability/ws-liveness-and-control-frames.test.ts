import type { Socket } from 'node:net';
import { expect } from 'chai';
import { advanceVirtualClock, VirtualClock } from '@parley/testkit';
import { frameHeader, ioPause, waitUntil, WsFixtures, type Peer } from '../support/ws-fixtures.js';

/** The TCP socket under a server-side `ws` peer. */
function tcpOf(peer: Peer): Socket {
  return (peer.socket as unknown as { _socket: Socket })._socket;
}

/** Counts the pings a server-side peer receives. */
function countPings(peer: Peer): { count: number } {
  const counter = { count: 0 };
  peer.socket.on('ping', () => (counter.count += 1));
  return counter;
}

describe('reliability: liveness and control frames on real sockets', () => {
  const fixtures = new WsFixtures();
  afterEach(() => fixtures.closeAll());

  describe('liveness (transport.ws.pingIntervalMs 15000, pongTimeoutMs 10000 by default)', () => {
    it('a peer that completed the handshake and then never answers: a ping after pingIntervalMs, ERR_CONNECTION_LOST naming the missing pong after pongTimeoutMs, then closed "error"', async () => {
      // autoPong off: the server reads but never answers a ping, like a peer that hangs.
      const server = await fixtures.server({ autoPong: false });
      const clock = new VirtualClock();
      const c = fixtures.conversation(server.url, { clock });
      await c.manager.start({ apiKey: 'k' });
      const peer = await server.peer(0);
      const pings = countPings(peer);
      await advanceVirtualClock(clock, 14999);
      await ioPause();
      expect(pings.count, 'no ping before the interval').to.equal(0);
      await advanceVirtualClock(clock, 15000);
      await waitUntil(() => pings.count === 1, 'the ping');
      await advanceVirtualClock(clock, 24999);
      await ioPause();
      expect(c.of('error'), 'not lost before the pong timeout').to.deep.equal([]);
      await advanceVirtualClock(clock, 25000);
      await waitUntil(() => c.of('closed').length === 1, 'closed');
      expect(c.events.slice(-2).map((event) => event.type)).to.deep.equal(['error', 'closed']);
      const [error] = c.of('error');
      expect(error).to.include({ fatal: true, code: 'ERR_CONNECTION_LOST' });
      expect(error?.message).to.match(
        /^the connection to ws:\/\/127\.0\.0\.1:\d+\/v1\/realtime\S* was lost: no pong \(and no other frame\) within 10000 ms of a ping/,
      );
      expect(c.of('closed')).to.deep.equal([{ type: 'closed', reason: 'error' }]);
      expect(await peer.closed, 'the socket was dropped (no close frame)').to.equal(1006);
    });

    it('a peer that answers pings keeps the conversation alive across many intervals; one ping per interval', async () => {
      const server = await fixtures.server();
      const clock = new VirtualClock();
      const c = fixtures.conversation(server.url, { clock, config: { transport: { ws: { pingIntervalMs: 1000, pongTimeoutMs: 500 } } } });
      await c.manager.start({ apiKey: 'k' });
      const peer = await server.peer(0);
      const pings = countPings(peer);
      for (let round = 1; round <= 5; round += 1) {
        // A ping at the end of each interval; the pong arrives over real I/O before the timeout.
        await advanceVirtualClock(clock, clock.now() + 1000);
        await waitUntil(() => pings.count === round, `ping ${round}`);
        await ioPause(20);
        await advanceVirtualClock(clock, clock.now() + 499);
      }
      expect(c.of('error')).to.deep.equal([]);
      expect(c.manager.running).to.equal(true);
    });

    it('with reconnection enabled, a missing pong is a lost connection: reconnecting, a new socket, reconnected', async () => {
      const server = await fixtures.server({ autoPong: false });
      const clock = new VirtualClock();
      const c = fixtures.conversation(server.url, {
        clock,
        config: {
          realtime: { reconnect: { enabled: true, maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 100 } },
          transport: { ws: { pingIntervalMs: 1000, pongTimeoutMs: 1000 } },
        },
      });
      await c.manager.start({ apiKey: 'k' });
      await server.peer(0);
      await advanceVirtualClock(clock, 1000);
      await ioPause();
      await advanceVirtualClock(clock, 2000);
      await waitUntil(() => c.of('reconnecting').length === 1, 'reconnecting');
      await advanceVirtualClock(clock, 2000 + (c.of('reconnecting')[0]?.delayMs ?? 0));
      await server.peer(1);
      await waitUntil(() => c.of('reconnected').length === 1, 'reconnected');
      expect(c.of('error')).to.deep.equal([]);
      expect(c.manager.running).to.equal(true);
    });

    it('0 disables pings: an hour of silence is not a lost connection', async () => {
      const server = await fixtures.server({ autoPong: false });
      const clock = new VirtualClock();
      const c = fixtures.conversation(server.url, { clock, config: { transport: { ws: { pingIntervalMs: 0 } } } });
      await c.manager.start({ apiKey: 'k' });
      const peer = await server.peer(0);
      const pings = countPings(peer);
      await advanceVirtualClock(clock, 3_600_000);
      await ioPause();
      expect(pings.count).to.equal(0);
      expect(c.manager.running).to.equal(true);
    });
  });

  it('a burst of 61 pings in one write is survived (answered by coalesced pongs, RFC 6455 §5.5.3); the conversation goes on', async () => {
    const server = await fixtures.server();
    const c = fixtures.conversation(server.url);
    await c.manager.start({ apiKey: 'k' });
    const peer = await server.peer(0);
    let pongs = 0;
    let lastPong = '';
    peer.socket.on('pong', (data) => {
      pongs += 1;
      lastPong = data.toString();
    });
    const pings = Array.from({ length: 61 }, (_, index) => {
      const payload = Buffer.from(`p${index}`);
      return Buffer.concat([frameHeader(9, payload.length), payload]);
    });
    tcpOf(peer).write(Buffer.concat(pings));
    await waitUntil(() => lastPong === 'p60', 'the pong for the newest ping');
    peer.send({ type: 'session.updated', session: { id: 'after_the_burst' } });
    await waitUntil(() => c.of('sessionUpdated').length === 1, 'a frame after the burst');
    await c.manager.sendText('still here');
    await waitUntil(() => peer.received.length === 2, 'the text');
    expect(pongs).to.be.within(1, 61);
    expect(c.of('error')).to.deep.equal([]);
    expect(c.manager.running).to.equal(true);
  });

  it('a 64-bit frame length over 2^53 - 1 is ERR_PAYLOAD_TOO_LARGE, like any frame over maxPayloadBytes', async () => {
    const server = await fixtures.server();
    const c = fixtures.conversation(server.url);
    await c.manager.start({ apiKey: 'k' });
    const peer = await server.peer(0);
    const header = Buffer.from([0x81, 127, 0x00, 0x40, 0, 0, 0, 0, 0, 0]); // 2^54
    tcpOf(peer).write(header);
    await waitUntil(() => c.of('closed').length === 1, 'closed');
    const [error] = c.of('error');
    expect(error).to.include({ fatal: true, code: 'ERR_PAYLOAD_TOO_LARGE' });
    expect(error?.message).to.contain('larger than maxPayloadBytes (16777216 bytes)');
    expect(c.of('closed')).to.deep.equal([{ type: 'closed', reason: 'error' }]);
  });

  describe('a TCP end without a close frame (RFC 6455 1006) is a lost connection, not a close', () => {
    it('at a frame boundary: the frame before it is delivered, then a fatal ERR_CONNECTION_LOST, then closed "error" (no transport_closed)', async () => {
      const server = await fixtures.server();
      const c = fixtures.conversation(server.url);
      await c.manager.start({ apiKey: 'k' });
      const peer = await server.peer(0);
      const payload = Buffer.from(JSON.stringify({ type: 'session.updated', session: { id: 'last' } }));
      tcpOf(peer).end(Buffer.concat([frameHeader(1, payload.length), payload]));
      await waitUntil(() => c.of('closed').length === 1, 'closed');
      expect(c.events.slice(1).map((event) => event.type)).to.deep.equal(['sessionUpdated', 'error', 'closed']);
      expect(c.of('error')[0]).to.include({ fatal: true, code: 'ERR_CONNECTION_LOST' });
      expect(c.of('error')[0]?.message).to.contain('was lost without a close frame (code 1006)');
      expect(c.of('closed')).to.deep.equal([{ type: 'closed', reason: 'error' }]);
    });

    it('with reconnection enabled it is handled by reconnection', async () => {
      const server = await fixtures.server();
      const clock = new VirtualClock();
      const c = fixtures.conversation(server.url, {
        clock,
        config: { realtime: { reconnect: { enabled: true, maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 50 } } },
      });
      await c.manager.start({ apiKey: 'k' });
      tcpOf(await server.peer(0)).end();
      await waitUntil(() => c.of('reconnecting').length === 1, 'reconnecting');
      await advanceVirtualClock(clock, c.of('reconnecting')[0]?.delayMs ?? 0);
      await server.peer(1);
      await waitUntil(() => c.of('reconnected').length === 1, 'reconnected');
      expect(c.of('error')).to.deep.equal([]);
      expect(c.of('closed')).to.deep.equal([]);
    });
  });
});
