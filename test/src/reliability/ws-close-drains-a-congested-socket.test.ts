import { expect } from 'chai';
import { advanceVirtualClock, RecordingLogger, VirtualClock } from '@parley/testkit';
import { ioPause, waitUntil, WsFixtures, type Peer } from '../support/ws-fixtures.js';

/** 40 texts of 256 KiB (10 MiB): more than loopback TCP buffers hold, so the socket is congested. */
const TEXTS = 40;
const TEXT_CHARS = 256 * 1024;
const DRAIN_MS = 2000;

function textOf(index: number): string {
  return String(index % 10).repeat(TEXT_CHARS);
}

/** The user texts the server received, as their index (their repeated digit), in arrival order. */
function textsReceived(peer: Peer): string[] {
  return peer
    .json()
    .filter((message) => message.type === 'conversation.item.create')
    .map((message) => {
      const item = message.item as { content: { text: string }[] };
      const text = item.content[0]?.text ?? '';
      return `${text.length}:${text[0] ?? ''}`;
    });
}

/** Reads slowly: the socket is resumed for one turn of the event loop every 5 ms. */
function readSlowly(peer: Peer): () => void {
  let reading = true;
  const timer = setInterval(() => {
    peer.socket.resume();
    setImmediate(() => {
      if (reading) peer.socket.pause();
    });
  }, 5);
  return () => {
    reading = false;
    clearInterval(timer);
    peer.socket.resume();
  };
}

describe('reliability: close() drains a congested socket for realtime.closeDrainMs (real ws, virtual clock)', () => {
  const fixtures = new WsFixtures();
  afterEach(() => fixtures.closeAll());

  async function congested(logger: RecordingLogger) {
    const server = await fixtures.server();
    const clock = new VirtualClock();
    const c = fixtures.conversation(server.url, {
      clock,
      logger,
      config: { realtime: { closeDrainMs: DRAIN_MS, text: { maxChars: TEXT_CHARS } } },
    });
    await c.manager.start({ apiKey: 'k' });
    const peer = await server.peer(0);
    await waitUntil(() => peer.received.length === 1, 'session.update');
    peer.socket.pause();
    // Every sendText resolves: the text queue (64) takes them all while the socket is congested.
    for (let i = 0; i < TEXTS; i += 1) await c.manager.sendText(textOf(i));
    await ioPause(50);
    const queued = c.manager.stats().queued.textIn;
    expect(queued, 'texts still queued behind the congested socket').to.be.at.least(10);
    return { c, clock, peer };
  }

  it('a server that reads slowly gets every accepted text, in order, before the close frame; nothing discarded', async function () {
    this.timeout(20_000);
    const logger = new RecordingLogger();
    const { c, clock, peer } = await congested(logger);
    let closed = false;
    const closing = c.manager.close().then(() => (closed = true));
    // Within the bound (virtual), close() keeps waiting for the socket.
    await advanceVirtualClock(clock, clock.now() + DRAIN_MS - 1);
    await ioPause(50);
    expect(closed, 'close() waits while the drain fits the bound').to.equal(false);
    expect(c.manager.running).to.equal(true);

    const stop = readSlowly(peer);
    fixtures.defer(stop);
    await closing;
    stop();
    const code = await peer.closed;
    expect(code).to.equal(1000);
    expect(textsReceived(peer)).to.deep.equal(Array.from({ length: TEXTS }, (_, i) => `${TEXT_CHARS}:${i % 10}`));
    expect(c.manager.stats().discardedInputs).to.equal(0);
    expect(c.of('closed')).to.deep.equal([{ type: 'closed', reason: 'requested' }]);
    expect(logger.lines.filter((line) => line.message.includes('discarded'))).to.deep.equal([]);
  });

  it('a socket that makes no progress is given up on after the bound: what is still queued is discarded, counted and logged', async function () {
    this.timeout(20_000);
    const logger = new RecordingLogger();
    const { c, clock } = await congested(logger);
    let closed = false;
    const closing = c.manager.close().then(() => (closed = true));
    await advanceVirtualClock(clock, clock.now() + DRAIN_MS - 1);
    await ioPause(50);
    expect(closed).to.equal(false);
    const queued = c.manager.stats().queued.textIn;
    const handed = c.manager.stats().framesOut - 1;
    expect(queued + handed, 'every text is either handed to the socket or queued').to.equal(TEXTS);

    await advanceVirtualClock(clock, clock.now() + 1);
    await closing;
    const stats = c.manager.stats();
    expect(stats.discardedInputs).to.equal(queued);
    expect(stats.framesOut - 1).to.equal(handed);
    expect(c.of('closed')).to.deep.equal([{ type: 'closed', reason: 'requested' }]);
    const warnings = logger.lines.filter((line) => line.level === 'warn' && line.message.startsWith('close(): discarded'));
    expect(warnings.map((line) => line.message)).to.deep.equal([
      `close(): discarded ${queued} queued inputs the socket did not take within realtime.closeDrainMs (${DRAIN_MS} ms)`,
    ]);
  });
});
