import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect } from 'chai';
import type { ConversationEvent } from '@parley/core';
import { ioPause, waitUntil, WsFixtures, type Peer } from '../support/ws-fixtures.js';

const EVENTS_CAPACITY = 16;
const FRAME_CHARS = 16 * 1024;
const TOTAL_FRAMES = 2000; // 32 MiB offered: far more than the client may hold

/** A full garbage collection, for memory measurements (mocha runs without --expose-gc). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Heap and buffers in use after a full collection. */
function memoryInUse(): number {
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/**
 * A server that sends `total` output audio frames (item `it_<i>`, 16 KiB of base64 each), each only when its own socket
 * buffer is nearly empty: it never holds more than one frame in memory, so how far it gets shows
 * how much the client (and TCP) accepted. After the last frame it closes with 1000 "all sent".
 */
function pump(peer: Peer, total: number): { sent: () => number; stop: () => void } {
  let sent = 0;
  let stopped = false;
  const audio = Buffer.alloc((FRAME_CHARS / 4) * 3, 1).toString('base64');
  const next = (): void => {
    while (!stopped && sent < total && peer.socket.bufferedAmount < 64 * 1024) {
      peer.send({ type: 'response.output_audio.delta', delta: audio, item_id: `it_${sent}` });
      sent += 1;
    }
    if (stopped) return;
    if (sent < total) setTimeout(next, 1);
    else peer.socket.close(1000, 'all sent');
  };
  next();
  return { sent: () => sent, stop: () => (stopped = true) };
}

describe('reliability: a slow event consumer pauses the socket (real ws)', () => {
  const fixtures = new WsFixtures();
  afterEach(() => fixtures.closeAll());

  it('the socket is paused, TCP pushes back on the server, memory stays bounded; once read, no event is lost and the close comes last', async function () {
    this.timeout(20_000);
    const server = await fixtures.server();
    const c = fixtures.conversation(server.url, { config: { realtime: { queues: { events: EVENTS_CAPACITY } } } });
    const iterator = c.manager.events();
    await c.manager.start({ apiKey: 'k' });
    const peer = await server.peer(0);
    const before = memoryInUse();

    const producer = pump(peer, TOTAL_FRAMES);
    fixtures.defer(() => producer.stop());
    // Wait until the server cannot get rid of its frames any more: TCP is full.
    let last = -1;
    await waitUntil(
      () => {
        const stuck = producer.sent() === last && peer.socket.bufferedAmount > 0;
        last = producer.sent();
        return stuck && c.manager.stats().paused;
      },
      'the server to be held back',
      15_000,
    );
    await ioPause(50);
    const heldBack = producer.sent();
    const stats = c.manager.stats();
    expect(stats.paused).to.equal(true);
    expect(stats.pauses).to.be.at.least(1);
    expect(stats.bufferedEvents, 'events buffered for the iterator').to.be.at.most(EVENTS_CAPACITY + 1);
    expect(heldBack, 'the server is held back long before the end').to.be.below(TOTAL_FRAMES / 2);
    const growth = memoryInUse() - before;
    expect(growth, `memory grew by ${growth} bytes while ${(heldBack * FRAME_CHARS) / 1e6} MB were sent`).to.be.below(4 * 1024 * 1024);

    // Now read: every frame arrives, in order, none dropped, and the server's close comes last.
    let expected = 0;
    const others: ConversationEvent[] = [];
    for (;;) {
      const { value, done } = await iterator.next();
      if (done === true) break;
      if (value.type !== 'audioOut') {
        others.push(value);
        continue;
      }
      expect(value.itemId, 'in order').to.equal(`it_${expected}`);
      expected += 1;
    }
    expect(expected).to.equal(TOTAL_FRAMES);
    expect(others).to.deep.equal([
      { type: 'started', protocol: 'v2' },
      { type: 'closed', reason: 'transport_closed', code: 1000, closeReason: 'all sent' },
    ]);
    expect(c.manager.stats().framesIn).to.equal(TOTAL_FRAMES);
    expect(c.manager.stats().paused).to.equal(false);
    expect(c.manager.running).to.equal(false);
  });
});
