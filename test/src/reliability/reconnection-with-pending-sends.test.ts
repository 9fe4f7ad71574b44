import { expect } from 'chai';
import { ParleyError } from '@parley/core';
import { advanceVirtualClock, VirtualClock } from '@parley/testkit';
import { createHarness, settle } from '../support/harness.js';
import { waitUntil, WsFixtures } from '../support/ws-fixtures.js';

const reconnect = { enabled: true, maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000 };
/** 192 KiB of PCM16 per frame: a server that stops reading is stuck after a few dozen. */
const FRAME = Buffer.alloc(192 * 1024, 3).toString('base64');

describe('reliability: reconnection while sends are pending', () => {
  const fixtures = new WsFixtures();
  afterEach(() => fixtures.closeAll());

  // Regression (found by this suite, fixed in core): the transport fails the pending or next send
  // before it reports the lost connection; with reconnection on, that failed write is handled as the
  // lost connection (it used to end the conversation with a fatal ERR_SEND_FAILED).
  it('real ws: the server kills a stuck socket: the conversation reconnects instead of ending on the failed send', async function () {
    this.timeout(10_000);
    const server = await fixtures.server();
    const clock = new VirtualClock();
    const c = fixtures.conversation(server.url, { clock, config: { realtime: { queues: { audioIn: 4 }, reconnect } } });
    await c.manager.start({ apiKey: 'k' });
    const first = await server.peer(0);
    await waitUntil(() => first.received.length === 1, 'session.update');
    first.socket.pause();
    for (let offered = 0; c.manager.stats().droppedAudioFrames === 0; offered += 1) {
      expect(offered).to.be.below(2000);
      c.manager.sendAudio({ data: FRAME });
      await new Promise((resolve) => setImmediate(resolve));
    }
    const queued = c.manager.sendText('queued behind the stuck audio');
    queued.catch(() => undefined); // awaited below; fails with ERR_NOT_RUNNING if the conversation ends
    first.socket.terminate();
    await waitUntil(() => c.of('reconnecting').length === 1 || c.of('closed').length === 1, 'reconnecting or closed');
    expect(c.of('closed')).to.deep.equal([]);
    expect(c.of('error')).to.deep.equal([]);
    await advanceVirtualClock(clock, 1000);
    const second = await server.peer(1);
    await queued;
    await waitUntil(
      () => second.json().some((message) => message.type === 'conversation.item.create'),
      'the queued text on the new socket',
    );
    expect(second.json()[0]).to.deep.include({ type: 'session.update' });
  });

  // Regression (found by this suite, fixed in core): the input loop used to wait forever for a send
  // of the replaced connection that never settles (the in-memory transport keeps a stalled send
  // pending after the connection is lost), so inputs queued after the reconnection were never sent.
  it('in-memory: a send stalled when the connection is lost does not block the inputs after the reconnection', async () => {
    const h = createHarness({ config: { realtime: { reconnect } } });
    await h.manager.start();
    h.server().stall();
    await h.manager.sendText('in flight when the connection is lost');
    await settle();
    h.server().serverFail(new ParleyError('ERR_CONNECTION_LOST', 'lost'));
    await h.manager.sendText('queued while reconnecting');
    h.clock.advanceTo(100);
    await settle();
    expect(h.of('reconnected')).to.have.length(1);
    expect(h.wire()).to.deep.equal([
      { type: 'session.update', session: { instructions: '', voice: 'plain' } },
      { type: 'text', text: 'queued while reconnecting' },
    ]);
    expect(h.manager.stats().queued.textIn).to.equal(0);
  });
});
