import { expect } from 'chai';
import { ioPause, waitUntil, WsFixtures } from '../support/ws-fixtures.js';

/** A `verifyClient` that holds each handshake until the test lets it through. */
function heldHandshakes(): {
  verifyClient: (info: unknown, done: (ok: boolean) => void) => void;
  release: () => void;
  waiting: () => number;
} {
  const held: ((ok: boolean) => void)[] = [];
  return {
    verifyClient: (_info, done) => held.push(done),
    release: () => {
      for (const done of held.splice(0)) done(true);
    },
    waiting: () => held.length,
  };
}

describe('reliability: start races on real sockets', () => {
  const fixtures = new WsFixtures();
  afterEach(() => fixtures.closeAll());

  it('close() while connecting aborts the start: ERR_START_ABORTED, no started, no closed, the socket is dropped', async () => {
    const gate = heldHandshakes();
    const server = await fixtures.server({ verifyClient: gate.verifyClient });
    const c = fixtures.conversation(server.url);
    const start = c.manager.start({ apiKey: 'k' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    await waitUntil(() => gate.waiting() === 1, 'the handshake');
    await c.manager.close();
    const error = await start;
    expect(error).to.have.property('code', 'ERR_START_ABORTED');
    gate.release();
    await ioPause();
    expect(
      server.peers.every((peer) => peer.received.length === 0),
      'nothing was sent',
    ).to.equal(true);
    expect(c.events.map((event) => event.type)).to.deep.equal(['error']);
    expect(c.events[0]).to.include({ fatal: true, code: 'ERR_START_ABORTED' });
    expect(c.manager.running).to.equal(false);
  });

  it('a second start() while the first is connecting: the first fails with ERR_START_ABORTED, the second runs alone', async () => {
    const gate = heldHandshakes();
    const server = await fixtures.server({ verifyClient: gate.verifyClient });
    const c = fixtures.conversation(server.url);
    const first = c.manager.start({ apiKey: 'k', instructions: 'first' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    await waitUntil(() => gate.waiting() === 1, 'the first handshake');
    const second = c.manager.start({ apiKey: 'k', instructions: 'second' });
    await waitUntil(() => gate.waiting() === 2, 'the second handshake');
    gate.release();
    await second;
    expect(await first).to.have.property('code', 'ERR_START_ABORTED');
    await waitUntil(() => server.peers.some((peer) => peer.received.length > 0), 'a session.update');
    await ioPause();
    const updates = server.peers.flatMap((peer) => peer.json());
    expect(updates).to.have.length(1);
    expect(JSON.stringify(updates[0])).to.contain('"instructions":"second"');
    // The first start's failure is reported (before the second one's started), nothing else of it.
    expect(c.events.map((event) => event.type)).to.deep.equal(['error', 'started']);
    expect(c.events[0]).to.include({ fatal: true, code: 'ERR_START_ABORTED' });
    expect(c.manager.running).to.equal(true);
  });

  it('frames the server sends before session.update went out are delivered right after started, in order', async () => {
    const server = await fixtures.server();
    server.wss.on('connection', (socket) => {
      socket.send(JSON.stringify({ type: 'session.updated', session: { id: 'early' } }));
      socket.send(JSON.stringify({ type: 'response.output_audio_transcript.delta', delta: 'hello' }));
    });
    const c = fixtures.conversation(server.url);
    await c.manager.start({ apiKey: 'k' });
    await waitUntil(() => c.events.length === 3, 'the early frames');
    expect(c.events).to.deep.equal([
      { type: 'started', protocol: 'v2' },
      { type: 'sessionUpdated', sessionId: 'early' },
      { type: 'outputTranscriptDelta', delta: 'hello' },
    ]);
  });
});
