import { isParleyError, type ConnectRequest } from '@parley/core';
import { expect } from 'chai';
import type { ClientOptions, WebSocket } from 'ws';
import { MISSING_API_KEY_MESSAGE } from '../handshake-headers.js';
import { REDACTED } from '../secret-redactor.js';
import { START_ABORTED_MESSAGE } from '../ws-handshake.js';
import { WsTransportFactory } from '../ws-transport-factory.js';
import type { WsTransportOptions } from '../ws-transport-options.js';
import { Fixtures, RecordingListener, RecordingLogger, connectRequest, settle } from './helpers.js';

const KEY = 'sk-live-SECRET0123456789abcdefXYZ';

/** Counts the sockets it creates; optionally sends every connection to another host and port. */
class CountingFactory extends WsTransportFactory {
  created: string[] = [];
  constructor(
    logger: RecordingLogger,
    private readonly redirectTo?: string,
    options?: WsTransportOptions,
  ) {
    super(logger, options);
  }
  protected override createSocket(url: string, options: ClientOptions): WebSocket {
    this.created.push(url);
    if (this.redirectTo === undefined) return super.createSocket(url, options);
    const target = new URL(url);
    const local = new URL(this.redirectTo);
    target.protocol = 'ws:';
    target.host = local.host;
    return super.createSocket(target.href, options);
  }
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('WsTransportFactory', () => {
  const fixtures = new Fixtures();
  let logger: RecordingLogger;
  let factory: CountingFactory;

  beforeEach(() => {
    logger = new RecordingLogger();
    factory = new CountingFactory(logger);
  });
  afterEach(() => fixtures.closeAll());

  async function connect(request: ConnectRequest, listener = new RecordingListener()) {
    return fixtures.track(await factory.connect(request, listener));
  }

  describe('handshake', () => {
    it('opens the spec 06 URL with the merged headers (seen by the server)', async () => {
      const server = await fixtures.wsServer();
      await connect(
        connectRequest({
          protocol: 'v1',
          baseUrl: `${server.baseUrl}/v1`,
          model: 'snapshot',
          protocolQuery: { intent: 'quicksilver' },
          extraQuery: { trace: '1', intent: 'ignored' },
          headers: { 'X-Team': 'config', 'X-Keep': 'kept' },
          startHeaders: { 'x-team': 'start' },
          defaultHeaders: { 'openai-alpha': 'quicksilver=v1' },
          apiKey: KEY,
          sessionId: 'sess-1',
        }),
      );
      const peer = await server.nextPeer();
      expect(peer.request.url).to.equal('/v1/realtime?intent=quicksilver&model=snapshot&trace=1');
      const seen = peer.request.headers;
      expect(seen['authorization']).to.equal(`Bearer ${KEY}`);
      expect(seen['openai-alpha']).to.equal('quicksilver=v1');
      expect(seen['x-session-id']).to.equal('sess-1');
      expect(seen['x-team']).to.equal('start');
      expect(seen['x-keep']).to.equal('kept');
      expect(seen['sec-websocket-extensions']).to.equal(undefined);
    });

    it('needs no key for a loopback server and sends no Authorization', async () => {
      const server = await fixtures.wsServer();
      await connect(connectRequest({ baseUrl: server.baseUrl }));
      const peer = await server.nextPeer();
      expect(peer.request.url).to.equal('/v1/realtime');
      expect(peer.request.headers['authorization']).to.equal(undefined);
    });

    it('offers permessage-deflate only when WsTransportOptions.perMessageDeflate is set', async () => {
      const server = await fixtures.wsServer({ perMessageDeflate: true });
      factory = new CountingFactory(logger, undefined, { perMessageDeflate: true });
      await connect(connectRequest({ baseUrl: server.baseUrl }));
      const peer = await server.nextPeer();
      expect(peer.request.headers['sec-websocket-extensions']).to.include('permessage-deflate');
    });

    it('fails a refused handshake with ERR_HANDSHAKE_FAILED, the status and a body excerpt', async () => {
      const server = await fixtures.wsServer({
        verifyClient: (_info, done) => done(false, 401, 'Unauthorized', { 'Content-Type': 'application/json' }),
      });
      // ws answers a refusal with the status message as its body.
      const error = await rejection(factory.connect(connectRequest({ baseUrl: server.baseUrl }), new RecordingListener()));
      expect(isParleyError(error, 'ERR_HANDSHAKE_FAILED')).to.equal(true);
      expect(error.message).to.equal(
        `the server refused the WebSocket handshake for ws://127.0.0.1:${server.port}/v1/realtime: HTTP 401 Unauthorized: Unauthorized`,
      );
    });

    it('puts at most 200 characters of the body in the message, never the key', async () => {
      const body = JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}.`, padding: 'p'.repeat(400) } });
      const tcp = await fixtures.tcpServer((socket) => {
        socket.once('data', () => {
          socket.end(
            `HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
          );
        });
      });
      const baseUrl = `http://127.0.0.1:${tcp.port}`;
      const error = await rejection(factory.connect(connectRequest({ baseUrl, apiKey: KEY }), new RecordingListener()));
      expect(isParleyError(error, 'ERR_HANDSHAKE_FAILED')).to.equal(true);
      const excerpt = body.replace(KEY, REDACTED).slice(0, 200);
      expect(error.message).to.equal(
        `the server refused the WebSocket handshake for ws://127.0.0.1:${tcp.port}/v1/realtime: HTTP 401 Unauthorized: ${excerpt}`,
      );
      expect(error.message).to.not.include(KEY);
    });

    it('reports a refusal whose body never ends when the connect timeout fires', async () => {
      const tcp = await fixtures.tcpServer((socket) => {
        socket.once('data', () => socket.write('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 1000\r\n\r\nbusy, try'));
      });
      const error = await rejection(
        factory.connect(connectRequest({ baseUrl: `http://127.0.0.1:${tcp.port}`, connectTimeoutMs: 100 }), new RecordingListener()),
      );
      expect(isParleyError(error, 'ERR_HANDSHAKE_FAILED')).to.equal(true);
      expect(error.message).to.equal(
        `the server refused the WebSocket handshake for ws://127.0.0.1:${tcp.port}/v1/realtime: HTTP 503 Service Unavailable: busy, try`,
      );
    });

    it('fails with ERR_CONNECT_TIMEOUT when the server never answers, and drops the TCP connection', async () => {
      const tcp = await fixtures.tcpServer();
      const error = await rejection(
        factory.connect(connectRequest({ baseUrl: `http://127.0.0.1:${tcp.port}`, connectTimeoutMs: 50 }), new RecordingListener()),
      );
      expect(isParleyError(error, 'ERR_CONNECT_TIMEOUT')).to.equal(true);
      expect(error.message).to.equal(
        `could not connect to ws://127.0.0.1:${tcp.port}/v1/realtime within 50 ms: check that the server is reachable, or raise transport.ws.connectTimeoutMs`,
      );
      const [socket] = tcp.sockets;
      expect(socket).to.not.equal(undefined);
      if (!socket!.closed) await new Promise((resolve) => socket!.once('close', resolve));
    });

    it('fails with ERR_CONNECT_FAILED and the URL when nothing listens', async () => {
      const port = await fixtures.closedPort();
      const error = await rejection(factory.connect(connectRequest({ baseUrl: `http://127.0.0.1:${port}` }), new RecordingListener()));
      expect(isParleyError(error, 'ERR_CONNECT_FAILED')).to.equal(true);
      expect(error.message).to.match(new RegExp(`^could not connect to ws://127\\.0\\.0\\.1:${port}/v1/realtime: .*ECONNREFUSED`));
    });
  });

  describe('abort', () => {
    it('closing during the connect rejects with ERR_START_ABORTED and drops the socket', async () => {
      const controller = new AbortController();
      const tcp = await fixtures.tcpServer((socket) => {
        socket.resume();
        controller.abort();
      });
      const listener = new RecordingListener();
      const error = await rejection(
        factory.connect(connectRequest({ baseUrl: `http://127.0.0.1:${tcp.port}`, signal: controller.signal }), listener),
      );
      expect(isParleyError(error, 'ERR_START_ABORTED')).to.equal(true);
      expect(error.message).to.equal(START_ABORTED_MESSAGE);
      const [socket] = tcp.sockets;
      if (!socket!.closed) await new Promise((resolve) => socket!.once('close', resolve));
      await settle(10);
      expect(listener.events).to.deep.equal([]);
    });

    it('an already aborted signal rejects before any network activity', async () => {
      const controller = new AbortController();
      controller.abort();
      const error = await rejection(factory.connect(connectRequest({ signal: controller.signal }), new RecordingListener()));
      expect(isParleyError(error, 'ERR_START_ABORTED')).to.equal(true);
      expect(factory.created).to.deep.equal([]);
    });
  });

  describe('checks before any network activity', () => {
    it('refuses ws:// and http:// to a non-loopback host with ERR_INSECURE_URL', async () => {
      for (const baseUrl of ['ws://realtime.example.com', 'http://10.1.2.3:8011/v1']) {
        const error = await rejection(factory.connect(connectRequest({ baseUrl, apiKey: KEY }), new RecordingListener()));
        expect(isParleyError(error, 'ERR_INSECURE_URL'), baseUrl).to.equal(true);
        expect(error.message).to.include('insecure');
        expect(error.message).to.include('transport.ws.allowInsecure');
      }
      expect(factory.created).to.deep.equal([]);
    });

    it('connects to a non-loopback ws:// URL with allowInsecure', async () => {
      const server = await fixtures.wsServer();
      factory = new CountingFactory(logger, server.baseUrl);
      await connect(connectRequest({ baseUrl: 'ws://realtime.example.com:9', allowInsecure: true, apiKey: KEY }));
      expect(factory.created).to.deep.equal(['ws://realtime.example.com:9/v1/realtime']);
      const peer = await server.nextPeer();
      expect(peer.request.headers['authorization']).to.equal(`Bearer ${KEY}`);
    });

    it('fails with ERR_MISSING_API_KEY for a non-loopback host without key', async () => {
      const error = await rejection(factory.connect(connectRequest({ baseUrl: 'https://api.example.com/v1' }), new RecordingListener()));
      expect(isParleyError(error, 'ERR_MISSING_API_KEY')).to.equal(true);
      expect(error.message).to.equal(MISSING_API_KEY_MESSAGE);
      expect(factory.created).to.deep.equal([]);
    });

    it('fails with ERR_UNSUPPORTED_URL for another scheme', async () => {
      const error = await rejection(factory.connect(connectRequest({ baseUrl: 'ftp://example.com' }), new RecordingListener()));
      expect(isParleyError(error, 'ERR_UNSUPPORTED_URL')).to.equal(true);
      expect(error.message).to.equal('unsupported realtime url scheme: ftp');
      expect(factory.created).to.deep.equal([]);
    });

    it('maps an invalid configured header to ERR_INVALID_CONFIG naming the URL', async () => {
      const server = await fixtures.wsServer();
      const error = await rejection(
        factory.connect(connectRequest({ baseUrl: server.baseUrl, headers: { 'bad header': 'x' } }), new RecordingListener()),
      );
      expect(isParleyError(error, 'ERR_INVALID_CONFIG')).to.equal(true);
      expect(error.message).to.match(new RegExp(`^could not open a WebSocket to ws://127\\.0\\.0\\.1:${server.port}/v1/realtime: `));
    });
  });

  describe('the key never appears in an error message or a log line', () => {
    it('on every failure path', async () => {
      const errors: Error[] = [];
      const collect = async (request: Partial<ConnectRequest>): Promise<void> => {
        errors.push(await rejection(factory.connect(connectRequest({ apiKey: KEY, ...request }), new RecordingListener())));
      };
      // The key also put in a query parameter (a user mistake) and in a configured header.
      const extraQuery = { api_key: KEY };
      await collect({ baseUrl: 'ws://realtime.example.com', extraQuery });
      await collect({ baseUrl: 'ftp://realtime.example.com', extraQuery });
      await collect({ baseUrl: `http://127.0.0.1:${await fixtures.closedPort()}`, extraQuery });
      const silent = await fixtures.tcpServer();
      await collect({ baseUrl: `http://127.0.0.1:${silent.port}`, extraQuery, connectTimeoutMs: 30 });
      const echo = await fixtures.tcpServer((socket) =>
        socket.once('data', (request) =>
          socket.end(`HTTP/1.1 403 ${KEY}\r\nContent-Length: ${request.length}\r\n\r\n${request.toString()}`),
        ),
      );
      await collect({ baseUrl: `http://127.0.0.1:${echo.port}`, extraQuery });
      await collect({
        baseUrl: `http://127.0.0.1:${echo.port}`,
        extraQuery,
        apiKey: undefined,
        headers: { Authorization: `Bearer ${KEY}` },
      });

      const server = await fixtures.wsServer();
      const lost = new RecordingListener();
      await connect(connectRequest({ baseUrl: server.baseUrl, apiKey: KEY, extraQuery }), lost);
      (await server.nextPeer()).socket.terminate();
      await lost.until(1);
      const big = new RecordingListener();
      await connect(connectRequest({ baseUrl: server.baseUrl, apiKey: KEY, extraQuery, maxPayloadBytes: 8 }), big);
      (await server.nextPeer()).socket.send('more than eight bytes');
      await big.until(1);
      for (const event of [...lost.events, ...big.events]) if (event.type === 'error') errors.push(event.error);

      expect(errors.map((error) => (error as { code?: string }).code)).to.deep.equal([
        'ERR_INSECURE_URL',
        'ERR_UNSUPPORTED_URL',
        'ERR_CONNECT_FAILED',
        'ERR_CONNECT_TIMEOUT',
        'ERR_HANDSHAKE_FAILED',
        'ERR_HANDSHAKE_FAILED',
        'ERR_CONNECTION_LOST',
        'ERR_PAYLOAD_TOO_LARGE',
      ]);
      for (const error of errors) {
        expect(error.message).to.not.include(KEY);
        expect(error.message).to.not.include(encodeURIComponent(KEY).slice(0, 12));
        expect(String(error.stack)).to.not.include(KEY);
      }
      expect(errors[4]!.message).to.include(REDACTED);
      expect(logger.text()).to.not.include(KEY);
    });
  });
});
