import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect } from 'chai';
import { advanceVirtualClock, VirtualClock } from '@parley/testkit';
import { ioPause, waitUntil, WsFixtures, type Peer } from '../support/ws-fixtures.js';

const MIB = 1024 * 1024;
const EVENT_BYTES = 4 * MIB; // realtime.queues.eventBytes, default
const FRAME_BYTES = 16 * MIB; // transport.ws.maxPayloadBytes, default: the largest legal frame
const OFFERED = 8; // 128 MiB offered (kept finite so that a regression fails instead of exhausting the heap)

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Heap and buffers in use after full collections (array buffer memory is freed in the background: wait for it). */
async function memoryInUse(): Promise<number> {
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, 100));
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, 100));
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** One legal output audio delta frame of exactly FRAME_BYTES bytes (built once, sent many times). */
function largestFrame(): Buffer {
  const head = '{"type":"response.output_audio.delta","item_id":"it_big","delta":"';
  const tail = '"}';
  const dataChars = FRAME_BYTES - head.length - tail.length;
  return Buffer.from(head + 'A'.repeat(dataChars - (dataChars % 4)) + '='.repeat(dataChars % 4) + tail);
}

/** Sends `frame` up to `total` times, each once the previous one left the server's socket buffer. */
function pump(peer: Peer, frame: Buffer, total: number): { sent: () => number; stop: () => void } {
  let sent = 0;
  let stopped = false;
  const next = (): void => {
    if (stopped) return;
    if (sent < total && peer.socket.bufferedAmount === 0) {
      peer.socket.send(frame, { binary: false });
      sent += 1;
    }
    if (sent < total) setTimeout(next, 2);
    else peer.socket.close(1000, 'all sent');
  };
  next();
  return { sent: () => sent, stop: () => (stopped = true) };
}

describe('reliability: 16 MiB frames to an application that does not read (real ws)', () => {
  const fixtures = new WsFixtures();
  afterEach(() => fixtures.closeAll());

  it('the byte bound pauses the socket: for 30 s (virtual) the heap stays within realtime.queues.eventBytes plus one frame; then every frame arrives', async function () {
    this.timeout(60_000);
    const server = await fixtures.server();
    const clock = new VirtualClock();
    const c = fixtures.conversation(server.url, { clock });
    const frame = largestFrame();
    const iterator = c.manager.events();
    await c.manager.start({ apiKey: 'k' });
    const peer = await server.peer(0);
    const before = await memoryInUse();

    const producer = pump(peer, frame, OFFERED);
    fixtures.defer(() => producer.stop());
    let last = -1;
    await waitUntil(
      () => {
        const stuck = producer.sent() === last && peer.socket.bufferedAmount > 0;
        last = producer.sent();
        return stuck && c.manager.stats().paused;
      },
      'the server to be held back',
      30_000,
    );
    // The application does not read for 30 s: time passes (liveness pings are not sent while paused).
    for (let t = 1000; t <= 30_000; t += 1000) {
      await advanceVirtualClock(clock, t);
      await ioPause(5);
    }
    const heldBack = producer.sent();
    const growth = (await memoryInUse()) - before;
    expect(c.manager.stats().paused).to.equal(true);
    expect(c.manager.running, 'not taken for a dead connection').to.equal(true);
    expect(heldBack, 'the server is held back').to.be.below(OFFERED);
    expect(growth, `heap grew by ${(growth / MIB).toFixed(1)} MiB`).to.be.below(EVENT_BYTES + FRAME_BYTES);

    let frames = 0;
    const others: string[] = [];
    for await (const event of iterator) {
      if (event.type === 'audioOut') frames += 1;
      else others.push(event.type);
    }
    expect(frames).to.equal(OFFERED);
    expect(others).to.deep.equal(['started', 'closed']);
    expect(c.of('closed')).to.deep.equal([{ type: 'closed', reason: 'transport_closed', code: 1000, closeReason: 'all sent' }]);
  });
});
