import { expect } from 'chai';
import { RealtimeSimulator, type RealtimeSimulatorOptions } from '../simulator/index.js';
import { realtimeUrl, TestClient } from './simulator-test-client.js';

describe('RealtimeSimulator server (handshake, scripted mode, lifecycle)', function () {
  this.timeout(5000);
  let simulator: RealtimeSimulator | undefined;
  let clients: TestClient[] = [];

  async function start(options: RealtimeSimulatorOptions): Promise<string> {
    simulator = new RealtimeSimulator(options);
    return (await simulator.start()).url;
  }

  async function connect(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
    const client = await TestClient.connect(url, headers);
    clients.push(client);
    return client;
  }

  afterEach(async () => {
    for (const client of clients) client.close();
    clients = [];
    await simulator?.close();
    simulator = undefined;
  });

  describe('handshake', () => {
    it('serves http://127.0.0.1:<port> and accepts /v1/realtime for v2, recording the handshake without the key', async () => {
      const url = await start({ protocol: 'v2', replies: [] });
      expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(simulator?.url).to.equal(url);
      await connect(realtimeUrl(url, '?model=m1'), { authorization: 'Bearer sk-secret', 'x-session-id': 's1' });
      const handshake = simulator?.handshakes[0];
      expect(handshake).to.include({ path: '/v1/realtime', accepted: true, status: 101 });
      expect(handshake?.query).to.deep.equal({ model: 'm1' });
      expect(handshake?.headers['authorization']).to.equal('[redacted]');
      expect(handshake?.headers['x-session-id']).to.equal('s1');
      expect(JSON.stringify(simulator?.handshakes)).not.to.include('sk-secret');
      expect(simulator?.connections.map((connection) => connection.sessionId)).to.deep.equal(['sess_sim_1']);
    });

    it('rejects v1 handshakes without intent=quicksilver with HTTP 400 and a clear body', async () => {
      const url = await start({ protocol: 'v1', replies: [] });
      const refusal = await TestClient.refused(realtimeUrl(url, '?model=m'));
      expect(refusal).to.deep.equal({ status: 400, body: 'the v1 (quicksilver) simulator requires intent=quicksilver in the query\n' });
      expect(simulator?.handshakes[0]).to.include({ accepted: false, status: 400 });
      expect(simulator?.connections).to.have.length(0);
      await connect(realtimeUrl(url, '?intent=quicksilver'));
      expect(simulator?.handshakes[1]).to.include({ accepted: true, status: 101 });
    });

    it('rejects other paths with 404, and intent=quicksilver on a v2 simulator with 400', async () => {
      const url = await start({ protocol: 'v2', replies: [] });
      const wrongPath = await TestClient.refused(`${url.replace('http', 'ws')}/realtime`);
      expect(wrongPath).to.deep.equal({ status: 404, body: 'unknown path /realtime: the realtime simulator serves /v1/realtime\n' });
      const wrongProtocol = await TestClient.refused(realtimeUrl(url, '?intent=quicksilver'));
      expect(wrongProtocol.status).to.equal(400);
      expect(simulator?.handshakes.map((handshake) => handshake.status)).to.deep.equal([404, 400]);
    });

    it('rejects invalid options with a TypeError', () => {
      expect(() => new RealtimeSimulator({ protocol: 'v3' as 'v1' })).to.throw(
        TypeError,
        'simulator protocol must be "v1", "v2" or "live"',
      );
      expect(() => new RealtimeSimulator({ protocol: 'v2', speed: 0 })).to.throw(TypeError, 'speed');
      expect(() => new RealtimeSimulator({ protocol: 'v2', replies: [{}] as unknown as unknown[][] })).to.throw(TypeError, 'replies');
    });
  });

  describe('scripted mode', () => {
    it('sends batch i after the (i+1)-th client message, in order, raw strings as raw frames, and records the messages', async () => {
      const url = await start({
        protocol: 'v2',
        replies: [[{ type: 'session.updated', session: { id: 'sess_a' } }], [{ type: 'a' }, '{"type":"raw"}'], []],
      });
      const client = await connect(realtimeUrl(url));
      const connection = simulator?.connections[0];
      // A marker sent by hand after each message's batch shows exactly what each message caused.
      simulator?.on('message', (source) => setImmediate(() => source.send({ type: 'marker' })));
      client.send({ type: 'session.update', session: { type: 'realtime' } });
      await client.next('marker');
      client.send('not json');
      await client.next('marker');
      client.send({ type: 'response.create' });
      await client.next('marker');
      client.send({ type: 'response.create' });
      await client.next('marker');
      expect(client.events).to.deep.equal([
        { type: 'session.updated', session: { id: 'sess_a' } },
        { type: 'marker' },
        { type: 'a' },
        { type: 'raw' },
        { type: 'marker' },
        { type: 'marker' },
        { type: 'marker' },
      ]);
      expect(connection?.messages).to.deep.equal([
        { type: 'session.update', session: { type: 'realtime' } },
        'not json',
        { type: 'response.create' },
        { type: 'response.create' },
      ]);
    });

    it('runs each connection from the first batch', async () => {
      const url = await start({ protocol: 'v1', replies: [[{ type: 'x' }]] });
      const first = await connect(realtimeUrl(url, '?intent=quicksilver'));
      const second = await connect(realtimeUrl(url, '?intent=quicksilver'));
      first.send({ type: 'session.update' });
      second.send({ type: 'session.update' });
      expect((await first.next('x')).type).to.equal('x');
      expect((await second.next('x')).type).to.equal('x');
      expect(simulator?.connections.map((connection) => connection.id)).to.deep.equal([1, 2]);
    });
  });

  describe('lifecycle', () => {
    it('emits connection, message, sent and disconnect', async () => {
      const url = await start({ protocol: 'v2', replies: [[{ type: 'pong' }]] });
      const seen: string[] = [];
      simulator?.on('connection', (connection) => seen.push(`connection ${connection.id}`));
      simulator?.on('message', (_connection, message) => seen.push(`message ${JSON.stringify(message)}`));
      simulator?.on('sent', (_connection, event) => seen.push(`sent ${JSON.stringify(event)}`));
      const disconnected = new Promise<number>((resolve) => simulator?.on('disconnect', (_connection, code) => resolve(code)));
      const client = await connect(realtimeUrl(url));
      client.send({ type: 'ping' });
      await client.next('pong');
      simulator?.connections[0]?.close(4000, 'bye');
      expect(await client.whenClosed()).to.deep.equal({ code: 4000, reason: 'bye' });
      expect(await disconnected).to.equal(4000);
      expect(seen).to.deep.equal(['connection 1', 'message {"type":"ping"}', 'sent {"type":"pong"}']);
      expect(simulator?.connections[0]?.open).to.equal(false);
    });

    it('close() terminates connected clients and is idempotent', async () => {
      const url = await start({ protocol: 'v2', speed: 1 });
      const client = await connect(realtimeUrl(url));
      await client.next('session.created');
      client.sendText('tell me a long story about the sea and the ships');
      client.send({ type: 'response.create' });
      await client.next('response.output_audio.delta');
      await Promise.all([simulator?.close(), simulator?.close()]);
      expect((await client.whenClosed()).code).to.equal(1006);
      expect(simulator?.connections[0]?.open).to.equal(false);
      await TestClient.connect(realtimeUrl(url)).then(
        () => expect.fail('connected after close'),
        (error: Error) => expect(error.message).to.match(/ECONNREFUSED/),
      );
    });
  });
});
