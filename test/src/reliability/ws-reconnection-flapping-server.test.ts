import { expect } from 'chai';
import { advanceVirtualClock, VirtualClock } from '@parley/testkit';
import { ioPause, waitUntil, WsFixtures, type TestServer, type WsConversation } from '../support/ws-fixtures.js';

const reconnect = { enabled: true, maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000, stableAfterMs: 10000 };

/** Makes `server` drop every connection (a TCP reset, no close frame) 20 ms (real) after its session.update. */
function flap(server: TestServer): void {
  server.wss.on('connection', (socket) => {
    socket.once('message', () => setTimeout(() => socket.terminate(), 20));
  });
}

/** Waits for the `attempt`-th `reconnecting` and advances the virtual clock past its delay. */
async function passBackoff(c: WsConversation, clock: VirtualClock, attempt: number): Promise<void> {
  await waitUntil(() => c.of('reconnecting').length >= attempt, `reconnecting #${attempt}`);
  await advanceVirtualClock(clock, clock.now() + (c.of('reconnecting')[attempt - 1]?.delayMs ?? 0));
}

describe('reliability: reconnection against a server that accepts and drops (real ws, virtual clock)', () => {
  const fixtures = new WsFixtures();
  afterEach(() => fixtures.closeAll());

  it('a flapping server ends the conversation after maxAttempts: attempts 1..3, then one fatal ERR_CONNECTION_LOST and closed "error"', async () => {
    const server = await fixtures.server();
    flap(server);
    const clock = new VirtualClock();
    const c = fixtures.conversation(server.url, { clock, config: { realtime: { reconnect } } });
    await c.manager.start({ apiKey: 'k' });
    for (let attempt = 1; attempt <= reconnect.maxAttempts; attempt += 1) {
      await passBackoff(c, clock, attempt);
      await waitUntil(() => c.of('reconnected').length === attempt, `reconnected #${attempt}`);
    }
    await waitUntil(() => c.of('closed').length === 1, 'closed');
    await ioPause(100);

    // Every connection got its session.update (each reconnection succeeded) and was dropped; no 5th.
    expect(server.peers).to.have.length(1 + reconnect.maxAttempts);
    for (const peer of server.peers) expect(peer.json().map((m) => m.type)).to.deep.equal(['session.update']);
    expect(c.events.filter((e) => e.type.startsWith('reconnect')).map((e) => `${e.type} ${'attempt' in e ? e.attempt : ''}`)).to.deep.equal(
      ['reconnecting 1', 'reconnected 1', 'reconnecting 2', 'reconnected 2', 'reconnecting 3', 'reconnected 3'],
    );
    // The backoff grew with the attempt (jitter over the upper half of 100, 200, 400 ms).
    const delays = c.of('reconnecting').map((e) => e.delayMs ?? -1);
    expect(delays[0]).to.be.within(50, 100);
    expect(delays[1]).to.be.within(100, 200);
    expect(delays[2]).to.be.within(200, 400);
    const errors = c.of('error');
    expect(errors).to.have.length(1);
    expect(errors[0]).to.include({ fatal: true, code: 'ERR_CONNECTION_LOST' });
    expect(errors[0]?.message).to.match(
      /^could not reconnect after 3 attempts: no new connection stayed up for realtime\.reconnect\.stableAfterMs \(10000 ms\); the last one was lost: /,
    );
    expect(c.of('closed')).to.deep.equal([{ type: 'closed', reason: 'error' }]);
    expect(c.manager.running).to.equal(false);
    expect(c.manager.stats()).to.deep.include({ state: 'ended', reconnections: 3 });
  });

  it('a connection that stays up for stableAfterMs (virtual) gives every attempt back: the next loss is attempt 1 again', async () => {
    const server = await fixtures.server();
    const clock = new VirtualClock();
    const c = fixtures.conversation(server.url, { clock, config: { realtime: { reconnect } } });
    await c.manager.start({ apiKey: 'k' });
    (await server.peer(0)).socket.terminate();
    await passBackoff(c, clock, 1);
    await waitUntil(() => c.of('reconnected').length === 1, 'reconnected #1');

    // Up for 1 ms less than the window: the attempt is not given back.
    await advanceVirtualClock(clock, clock.now() + reconnect.stableAfterMs - 1);
    (await server.peer(1)).socket.terminate();
    await waitUntil(() => c.of('reconnecting').length === 2, 'reconnecting #2');
    expect(c.of('reconnecting')[1]?.attempt).to.equal(2);
    await passBackoff(c, clock, 2);
    await waitUntil(() => c.of('reconnected').length === 2, 'reconnected #2');
    expect(c.of('reconnected')[1]?.attempt).to.equal(2);

    // Up for the whole window: the counter and the backoff start over.
    await advanceVirtualClock(clock, clock.now() + reconnect.stableAfterMs);
    (await server.peer(2)).socket.terminate();
    await waitUntil(() => c.of('reconnecting').length === 3, 'reconnecting #3');
    const third = c.of('reconnecting')[2];
    expect(third?.attempt).to.equal(1);
    expect(third?.delayMs).to.be.within(50, 100);
    await passBackoff(c, clock, 3);
    await waitUntil(() => c.of('reconnected').length === 3, 'reconnected #3');
    expect(c.of('reconnected')[2]?.attempt).to.equal(1);
    expect(c.of('error')).to.deep.equal([]);
    expect(c.manager.running).to.equal(true);
  });
});
