import { expect } from 'chai';
import { ContainerModule } from 'inversify';
import { ParleyError, TransportFactory, type Connection, type ConnectionListener, type ConnectRequest } from '@parley/core';
import { createHarness, settle } from './support/harness.js';

describe('conversation lifecycle (spec 04)', () => {
  it('sends session.update first, then emits started with the protocol and session id', async () => {
    const h = createHarness();
    await h.manager.start({ instructions: 'be brief', sessionId: 'abc' });
    expect(h.wire()).to.deep.equal([{ type: 'session.update', session: { instructions: 'be brief', voice: 'plain' } }]);
    expect(h.events).to.deep.equal([{ type: 'started', protocol: 'echo', sessionId: 'abc' }]);
    expect(h.manager.running).to.equal(true);
  });

  it('passes the protocol query, default headers, key and limits to the transport', async () => {
    const h = createHarness({ config: { realtime: { url: 'http://127.0.0.1:9', query: { a: 'b' }, headers: { 'x-conf': '1' } } } });
    await h.manager.start({ apiKey: 'sk-test', headers: { 'x-start': '2' } });
    const request = h.transport.requests[0] as ConnectRequest;
    expect(request.protocol).to.equal('echo');
    expect(request.baseUrl).to.equal('http://127.0.0.1:9');
    expect(request.protocolQuery).to.deep.equal({ dialect: 'echo' });
    expect(request.extraQuery).to.deep.equal({ a: 'b' });
    expect(request.headers).to.deep.equal({ 'x-conf': '1' });
    expect(request.startHeaders).to.deep.equal({ 'x-start': '2' });
    expect(request.defaultHeaders).to.deep.equal({ 'x-echo': '1' });
    expect(request.apiKey).to.equal('sk-test');
    expect(request.maxPayloadBytes).to.equal(16 * 1024 * 1024);
  });

  it('omits sessionId from started when none was given', async () => {
    const h = createHarness();
    await h.manager.start();
    expect(h.events).to.deep.equal([{ type: 'started', protocol: 'echo' }]);
  });

  it('fails the start for an unknown protocol, naming it and the registered ids; no started, no closed', async () => {
    const h = createHarness({ config: { realtime: { protocol: 'v9' } } });
    let caught: unknown;
    await h.manager.start().catch((error: unknown) => (caught = error));
    expect(caught).to.be.instanceOf(ParleyError);
    expect((caught as ParleyError).code).to.equal('ERR_UNKNOWN_PROTOCOL');
    expect((caught as ParleyError).message)
      .to.contain('`v9`')
      .and.contain('echo');
    expect(h.events).to.deep.equal([{ type: 'error', message: (caught as Error).message, fatal: true, code: 'ERR_UNKNOWN_PROTOCOL' }]);
    expect(h.transport.requests).to.have.length(0);
    expect(() => h.manager.sendAudio({ data: 'AAAAAA==' })).to.throw('conversation is not running');
  });

  it('a failed connect rejects with the typed error and emits only a fatal error event', async () => {
    const h = createHarness();
    h.transport.failNextConnect(new ParleyError('ERR_HANDSHAKE_FAILED', 'handshake refused: 401'));
    let caught: unknown;
    await h.manager.start().catch((error: unknown) => (caught = error));
    expect((caught as ParleyError).code).to.equal('ERR_HANDSHAKE_FAILED');
    expect(h.events.map((event) => event.type)).to.deep.equal(['error']);
    expect(h.manager.stats().state).to.equal('ended');
  });

  it('close() ends with reason requested exactly once; it is idempotent and does nothing when idle', async () => {
    const h = createHarness();
    await h.manager.close();
    expect(h.events).to.deep.equal([]);
    await h.manager.start();
    await h.manager.close();
    await h.manager.close();
    expect(h.of('closed')).to.deep.equal([{ type: 'closed', reason: 'requested' }]);
    expect(h.server().state).to.equal('closed');
    expect(h.manager.running).to.equal(false);
  });

  it('a server close frame ends with transport_closed carrying code and closeReason', async () => {
    const h = createHarness();
    await h.manager.start();
    h.server().serverClose(4000, 'bye');
    expect(h.of('closed')).to.deep.equal([{ type: 'closed', reason: 'transport_closed', code: 4000, closeReason: 'bye' }]);
  });

  it('a connection lost without a close frame is a fatal error, then closed with reason error', async () => {
    const h = createHarness();
    await h.manager.start();
    h.server().serverFail(new ParleyError('ERR_CONNECTION_LOST', 'connection to ws://x lost'));
    expect(h.events.slice(1)).to.deep.equal([
      { type: 'error', message: 'connection to ws://x lost', fatal: true, code: 'ERR_CONNECTION_LOST' },
      { type: 'closed', reason: 'error' },
    ]);
  });

  it('a binary frame is a fatal protocol error', async () => {
    const h = createHarness();
    await h.manager.start();
    h.server().serverBinary(new Uint8Array([1, 2, 3]));
    expect(h.events.slice(1).map((event) => [event.type, 'fatal' in event ? event.fatal : undefined])).to.deep.equal([
      ['error', true],
      ['closed', undefined],
    ]);
    expect(h.of('closed')[0]?.reason).to.equal('error');
  });

  it('an inbound server error is forwarded as fatal and ends the conversation', async () => {
    const h = createHarness();
    await h.manager.start();
    h.server().serverJson({ type: 'error', message: 'boom' });
    h.server().serverJson({ type: 'say', text: 'late' });
    expect(h.events.slice(1)).to.deep.equal([
      { type: 'error', message: 'boom', fatal: true },
      { type: 'closed', reason: 'error' },
    ]);
  });

  it('a second start replaces the first silently: socket terminated, no closed, nothing from the old socket', async () => {
    const h = createHarness();
    await h.manager.start();
    const first = h.server();
    await h.manager.start();
    expect(first.state).to.equal('terminated');
    expect(h.of('closed')).to.have.length(0);
    expect(h.of('started')).to.have.length(2);
    first.serverJson({ type: 'say', text: 'from the old socket' });
    expect(h.of('outputTranscriptDelta')).to.have.length(0);
  });

  it('delivers nothing after close: no late event, no second closed', async () => {
    const h = createHarness();
    await h.manager.start();
    await h.manager.close();
    h.server().serverJson({ type: 'say', text: 'late' });
    h.server().serverClose(1000, '');
    expect(h.events.map((event) => event.type)).to.deep.equal(['started', 'closed']);
  });

  it('frames that arrive before started are delivered after it, in order', async () => {
    let listener: ConnectionListener | undefined;
    const early: Connection = {
      send: () => {
        listener?.onText(JSON.stringify({ type: 'session.updated', session: { id: 's1' } }));
        return Promise.resolve();
      },
      bufferedAmount: 0,
      pause: () => undefined,
      resume: () => undefined,
      close: () => undefined,
      terminate: () => undefined,
    };
    const module = new ContainerModule(({ rebind }) => {
      rebind(TransportFactory).toConstantValue({
        connect: (_request: ConnectRequest, l: ConnectionListener) => {
          listener = l;
          return Promise.resolve(early);
        },
      });
    });
    const h = createHarness({ modules: [module] });
    await h.manager.start();
    expect(h.events).to.deep.equal([
      { type: 'started', protocol: 'echo' },
      { type: 'sessionUpdated', sessionId: 's1' },
    ]);
  });

  it('close() during the connect aborts the start: ERR_START_ABORTED, no started, no closed', async () => {
    let release: (() => void) | undefined;
    let aborted = false;
    const module = new ContainerModule(({ rebind }) => {
      rebind(TransportFactory).toConstantValue({
        connect: (request: ConnectRequest) =>
          new Promise<Connection>((_resolve, reject) => {
            release = () => reject(new ParleyError('ERR_START_ABORTED', 'aborted'));
            request.signal.addEventListener('abort', () => {
              aborted = true;
              release?.();
            });
          }),
      });
    });
    const h = createHarness({ modules: [module] });
    const starting = h.manager.start().catch((error: unknown) => error);
    await settle();
    await h.manager.close();
    const error = (await starting) as ParleyError;
    expect(aborted).to.equal(true);
    expect(error.code).to.equal('ERR_START_ABORTED');
    expect(h.events.map((event) => event.type)).to.deep.equal(['error']);
  });
});
