import { expect } from 'chai';
import { ParleyError } from '@parley/core';
import { createHarness, settle } from './support/harness.js';

const reconnecting = { realtime: { reconnect: { enabled: true, maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000 } } };

describe('reconnection (opt-in, realtime.reconnect.*)', () => {
  it('is off by default: a lost connection is fatal', async () => {
    const h = createHarness();
    await h.manager.start();
    h.server().serverFail(new ParleyError('ERR_CONNECTION_LOST', 'lost'));
    expect(h.of('closed')[0]?.reason).to.equal('error');
    expect(h.transport.connections).to.have.length(1);
  });

  it('after a lost connection: reconnecting with backoff, a new session.update first, reconnected, queued text kept', async () => {
    const h = createHarness({ config: reconnecting });
    await h.manager.start();
    h.server().serverJson({ type: 'handoff', id: 'h1', prompt: 'x' });
    h.server().serverFail(new ParleyError('ERR_CONNECTION_LOST', 'lost'));
    await h.manager.sendText('kept while reconnecting');
    const [event] = h.of('reconnecting');
    expect(event?.attempt).to.equal(1);
    expect(event?.delayMs).to.be.within(50, 100);
    expect(h.manager.running).to.equal(true);
    expect(h.manager.stats().state).to.equal('reconnecting');
    h.clock.advanceTo(100);
    await settle();
    expect(h.transport.connections).to.have.length(2);
    expect(h.wire()).to.deep.equal([
      { type: 'session.update', session: { instructions: '', voice: 'plain' } },
      { type: 'text', text: 'kept while reconnecting' },
    ]);
    expect(h.of('reconnected')).to.deep.equal([{ type: 'reconnected', attempt: 1 }]);
    expect(h.of('closed')).to.have.length(0);
    expect(h.manager.stats().reconnections).to.equal(1);
    h.server().serverJson({ type: 'say', text: 'carrying on' });
    expect(h.of('outputTranscriptDelta')).to.deep.equal([{ type: 'outputTranscriptDelta', delta: 'carrying on' }]);
  });

  it('an abnormal close code (1006, 1011, …) reconnects; a normal close (1000) does not', async () => {
    const h = createHarness({ config: reconnecting });
    await h.manager.start();
    h.server().serverClose(1011, 'internal error');
    expect(h.of('reconnecting')).to.have.length(1);
    h.clock.advanceTo(100);
    await settle();
    h.server().serverClose(1000, 'bye');
    expect(h.of('closed')).to.deep.equal([{ type: 'closed', reason: 'transport_closed', code: 1000, closeReason: 'bye' }]);
  });

  it('gives up after maxAttempts with a fatal error', async () => {
    const h = createHarness({ config: reconnecting });
    await h.manager.start();
    h.server().serverFail(new ParleyError('ERR_CONNECTION_LOST', 'lost'));
    for (let attempt = 0; attempt < 3; attempt += 1) {
      h.transport.failNextConnect(new ParleyError('ERR_CONNECT_FAILED', `refused ${attempt + 1}`));
      h.clock.advanceTo(h.clock.nextDue() ?? h.clock.now());
      await settle();
    }
    expect(h.of('reconnecting').map((event) => event.attempt)).to.deep.equal([1, 2, 3]);
    const delays = h.of('reconnecting').map((event) => event.delayMs ?? 0);
    expect(delays[1]).to.be.within(100, 200);
    expect(delays[2]).to.be.within(200, 400);
    expect(h.events.slice(-2)).to.deep.equal([
      { type: 'error', message: 'could not reconnect after 3 attempts: refused 3', fatal: true, code: 'ERR_CONNECTION_LOST' },
      { type: 'closed', reason: 'error' },
    ]);
  });

  it('close() while reconnecting ends with requested and stops the attempts', async () => {
    const h = createHarness({ config: reconnecting });
    await h.manager.start();
    h.server().serverFail(new ParleyError('ERR_CONNECTION_LOST', 'lost'));
    await h.manager.close();
    h.clock.advanceTo(10_000);
    await settle();
    expect(h.transport.connections).to.have.length(1);
    expect(h.of('closed')).to.deep.equal([{ type: 'closed', reason: 'requested' }]);
  });
});
