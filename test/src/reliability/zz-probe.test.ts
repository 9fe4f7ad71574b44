import { advanceVirtualClock, VirtualClock } from '@parley/testkit';
import { waitUntil, WsFixtures, ioPause } from '../support/ws-fixtures.js';

const FRAME = Buffer.alloc(192 * 1024, 3).toString('base64');
describe('probe', () => {
  const fixtures = new WsFixtures();
  afterEach(() => fixtures.closeAll());
  it('stuck socket then server kill then reconnect (real ws)', async function () {
    this.timeout(10000);
    const server = await fixtures.server();
    const clock = new VirtualClock();
    const c = fixtures.conversation(server.url, {
      clock,
      config: { realtime: { queues: { audioIn: 4 }, reconnect: { enabled: true, maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000 } } },
    });
    await c.manager.start({ apiKey: 'k' });
    const first = await server.peer(0);
    await waitUntil(() => first.received.length === 1, 'su');
    first.socket.pause();
    while (c.manager.stats().droppedAudioFrames === 0) {
      c.manager.sendAudio({ data: FRAME });
      await new Promise((r) => setImmediate(r));
    }
    void c.manager.sendText('queued');
    first.socket.terminate();
    await waitUntil(() => c.of('reconnecting').length === 1, 'reconnecting');
    await advanceVirtualClock(clock, 1000);
    const second = await server.peer(1);
    await ioPause(300);
    console.log(
      second.json().map((m) => m.type),
      c.events.map((e) => e.type),
      c.manager.stats().queued,
    );
  });
});
