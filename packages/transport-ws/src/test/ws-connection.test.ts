import { isParleyError } from '@parley/core';
import { expect } from 'chai';
import type { WsConnection } from '../ws-connection.js';
import { WsTransportFactory } from '../ws-transport-factory.js';
import type { WsTransportOptions } from '../ws-transport-options.js';
import {
  Fixtures,
  RecordingListener,
  RecordingLogger,
  closePayload,
  connectRequest,
  rawFrame,
  settle,
  waitUntil,
  type Peer,
  type TestServer,
} from './helpers.js';

const text = (value: string): Buffer => rawFrame(1, Buffer.from(value));

describe('WsConnection', () => {
  const fixtures = new Fixtures();
  let server: TestServer;

  beforeEach(async () => {
    server = await fixtures.wsServer();
  });
  afterEach(() => fixtures.closeAll());

  /** Connects a client to the test server; returns it with its listener and the server's peer. */
  async function open(
    options: { maxPayloadBytes?: number; transport?: WsTransportOptions } = {},
  ): Promise<{ connection: WsConnection; listener: RecordingListener; peer: Peer; url: string }> {
    const listener = new RecordingListener();
    const factory = new WsTransportFactory(new RecordingLogger(), options.transport);
    const request = connectRequest({ baseUrl: server.baseUrl, maxPayloadBytes: options.maxPayloadBytes ?? 16 * 1024 * 1024 });
    const connection = fixtures.track(await factory.connect(request, listener));
    const peer = await server.nextPeer();
    return { connection, listener, peer, url: `ws://127.0.0.1:${server.port}/v1/realtime` };
  }

  /** Sends `messages` from the server; resolves when all were handed to its socket. */
  function serverSends(peer: Peer, messages: readonly string[]): Promise<void> {
    return Promise.all(
      messages.map(
        (message) => new Promise<void>((resolve, reject) => peer.socket.send(message, (error) => (error ? reject(error) : resolve()))),
      ),
    ).then(() => undefined);
  }

  describe('outbound', () => {
    it('sends many text frames in call order; every send resolves', async () => {
      const { connection, peer } = await open();
      const messages = Array.from({ length: 1000 }, (_, index) => JSON.stringify({ type: 'input_audio_buffer.append', index }));
      await Promise.all(messages.map((message) => connection.send(message)));
      await waitUntil(() => peer.received.length === 1000, 'the server to receive 1000 frames');
      expect(peer.received).to.deep.equal(messages);
      expect(peer.binary.every((isBinary) => !isBinary)).to.equal(true);
    });

    it('send rejects with ERR_SEND_FAILED after close(), terminate() or the end of the connection', async () => {
      const first = await open();
      first.connection.close();
      const closed = await first.connection.send('late').then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isParleyError(closed, 'ERR_SEND_FAILED')).to.equal(true);
      expect((closed as Error).message).to.equal(`cannot send to ${first.url}: the connection is closing or closed`);

      const second = await open();
      second.peer.socket.close(1000);
      await second.listener.until(1);
      const ended = await second.connection.send('late').then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isParleyError(ended, 'ERR_SEND_FAILED')).to.equal(true);
    });

    it('a peer that stops reading leaves sends pending and bufferedAmount growing; they complete in order when it reads again', async () => {
      const { connection, peer } = await open({ transport: { highWaterMarkBytes: 1024 * 1024 } });
      peer.request.socket.pause();
      const frame = 'x'.repeat(512 * 1024);
      const count = 64; // 32 MiB: more than the OS socket buffers hold on loopback
      let done = 0;
      const sends = Array.from({ length: count }, (_, index) =>
        connection.send(`${index}:${frame}`).then(() => {
          done += 1;
        }),
      );
      expect(connection.bufferedAmount).to.be.greaterThan(0);
      // Let the OS take what it can, until nothing moves.
      let previous = -1;
      await waitUntil(() => {
        const stalled = previous === connection.bufferedAmount;
        previous = connection.bufferedAmount;
        return stalled && done < count;
      }, 'the writes to stall');
      await settle(20);
      expect(done).to.be.lessThan(count);
      expect(connection.bufferedAmount).to.be.greaterThan(1024 * 1024);
      expect(connection.congested).to.equal(true);

      peer.request.socket.resume();
      await Promise.all(sends);
      expect(done).to.equal(count);
      expect(connection.bufferedAmount).to.equal(0);
      expect(connection.congested).to.equal(false);
      await waitUntil(() => peer.received.length === count, 'the server to receive every frame');
      expect(peer.received.map((message) => Number(message.slice(0, message.indexOf(':'))))).to.deep.equal(
        Array.from({ length: count }, (_, index) => index),
      );
    });
  });

  describe('inbound', () => {
    it('delivers text frames in order, decoded as UTF-8 strings', async () => {
      const { listener, peer } = await open();
      const messages = Array.from({ length: 1000 }, (_, index) => `{"type":"delta","delta":"é€😀 ${index}${'.'.repeat(index % 97)}"}`);
      await serverSends(peer, messages);
      await listener.until(1000);
      expect(listener.events).to.deep.equal(messages.map((message) => ({ type: 'text', text: message })));
    });

    it('answers a server ping with a pong', async () => {
      const { listener, peer } = await open();
      const pong = new Promise<string>((resolve) => peer.socket.once('pong', (data) => resolve(data.toString())));
      peer.socket.ping('are you there');
      expect(await pong).to.equal('are you there');
      expect(listener.events).to.deep.equal([]);
    });

    it('delivers a binary frame as binary (Uint8Array)', async () => {
      const { listener, peer } = await open();
      peer.socket.send(Buffer.from([1, 2, 3, 250]), { binary: true });
      await listener.until(1);
      const [event] = listener.events;
      expect(event?.type).to.equal('binary');
      expect(Array.from((event as { data: Uint8Array }).data)).to.deep.equal([1, 2, 3, 250]);
    });

    it('accepts a frame of exactly maxPayloadBytes; a larger one is ERR_PAYLOAD_TOO_LARGE, then nothing', async () => {
      const { listener, peer, url } = await open({ maxPayloadBytes: 1024 });
      await serverSends(peer, ['a'.repeat(1024), 'b'.repeat(1025), 'c']);
      await listener.until(2);
      const closed = await peer.closed;
      await settle(10);
      expect(listener.events.length).to.equal(2);
      expect(listener.events[0]).to.deep.equal({ type: 'text', text: 'a'.repeat(1024) });
      const error = (listener.events[1] as { error: Error }).error;
      expect(isParleyError(error, 'ERR_PAYLOAD_TOO_LARGE')).to.equal(true);
      expect(error.message).to.equal(
        `an inbound frame from ${url} is larger than maxPayloadBytes (1024 bytes): ` +
          'the conversation ends; raise transport.ws.maxPayloadBytes if the server sends larger frames',
      );
      expect(closed.code).to.equal(1009);
    });

    it('invalid UTF-8 in a text frame is an error (ws validates it), not a silently altered text', async () => {
      const { listener, peer, url } = await open();
      peer.request.socket.write(rawFrame(1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])));
      await listener.until(1);
      const error = (listener.events[0] as { error: Error }).error;
      expect(isParleyError(error, 'ERR_CONNECTION_LOST')).to.equal(true);
      expect(error.message).to.match(new RegExp(`^the connection to ${url.replace(/[./?]/g, '\\$&')} failed: `));
    });
  });

  describe('end of the connection', () => {
    for (const [code, reason] of [
      [1000, 'done'],
      [4000, 'custom reason'],
      [1001, ''],
    ] as const) {
      it(`a server close frame ${code} is onClose(${code}, ${JSON.stringify(reason)}), never an error`, async () => {
        const { listener, peer } = await open();
        peer.socket.close(code, reason);
        await listener.until(1);
        await peer.closed;
        await settle(10);
        expect(listener.events).to.deep.equal([{ type: 'close', code, reason }]);
      });
    }

    it('a close frame without a code is onClose(1005, "")', async () => {
      const { listener, peer } = await open();
      peer.socket.close();
      await listener.until(1);
      expect(listener.events).to.deep.equal([{ type: 'close', code: 1005, reason: '' }]);
    });

    it('an abrupt TCP drop is onError(ERR_CONNECTION_LOST) with the URL, and nothing else', async () => {
      const { listener, peer, url } = await open();
      await serverSends(peer, ['before']);
      await listener.until(1);
      peer.socket.terminate();
      await listener.until(2);
      await settle(10);
      expect(listener.events.length).to.equal(2);
      expect(listener.events[0]).to.deep.equal({ type: 'text', text: 'before' });
      const error = (listener.events[1] as { error: Error }).error;
      expect(isParleyError(error, 'ERR_CONNECTION_LOST')).to.equal(true);
      expect(error.message).to.equal(`the connection to ${url} was lost without a close frame (code 1006)`);
    });
  });

  describe('pause and resume', () => {
    it('pause() from inside a delivery stops at once, though the rest of the chunk was read; resume() delivers it in order', async () => {
      const { connection, listener, peer } = await open();
      listener.after = (_event, index) => {
        if (index === 2) connection.pause();
      };
      const messages = Array.from({ length: 20 }, (_, index) => `m${index}`);
      // One write: the client reads every frame in one chunk.
      peer.request.socket.write(Buffer.concat(messages.map(text)));
      await listener.until(3);
      await settle();
      expect(listener.texts).to.deep.equal(['m0', 'm1', 'm2']);
      connection.resume();
      expect(listener.texts).to.deep.equal(messages);
    });

    it('a paused connection delivers nothing; resume() delivers everything in order, nothing lost', async () => {
      const { connection, listener, peer } = await open();
      connection.pause();
      const messages = Array.from({ length: 2000 }, (_, index) => `${index}:${'z'.repeat(1024)}`);
      await serverSends(peer, messages);
      await settle();
      expect(listener.events).to.deep.equal([]);
      connection.resume();
      await listener.until(2000);
      expect(listener.texts).to.deep.equal(messages);
    });

    it('pausing stops reading the socket, so TCP pushes back on the server', async () => {
      const { connection, listener, peer } = await open();
      connection.pause();
      const frame = 'y'.repeat(512 * 1024);
      const count = 64;
      const sent = serverSends(
        peer,
        Array.from({ length: count }, (_, index) => `${index}:${frame}`),
      );
      let previous = -1;
      await waitUntil(() => {
        const stalled = previous === peer.socket.bufferedAmount;
        previous = peer.socket.bufferedAmount;
        return stalled;
      }, 'the server writes to stall');
      await settle(20);
      expect(peer.socket.bufferedAmount).to.be.greaterThan(0);
      expect(listener.events.length).to.equal(0);
      connection.resume();
      await sent;
      await listener.until(count);
      expect(listener.texts.map((message) => Number(message.slice(0, message.indexOf(':'))))).to.deep.equal(
        Array.from({ length: count }, (_, index) => index),
      );
    });

    it('a close that arrives while frames are held is delivered after them', async () => {
      const { connection, listener, peer } = await open();
      listener.after = (_event, index) => {
        if (index === 0) connection.pause();
      };
      peer.request.socket.write(Buffer.concat([text('a'), text('b'), text('c'), rawFrame(8, closePayload(4000, 'bye'))]));
      await peer.closed;
      await settle(20);
      expect(listener.events).to.deep.equal([{ type: 'text', text: 'a' }]);
      connection.resume();
      expect(listener.events).to.deep.equal([
        { type: 'text', text: 'a' },
        { type: 'text', text: 'b' },
        { type: 'text', text: 'c' },
        { type: 'close', code: 4000, reason: 'bye' },
      ]);
    });

    it('pause() and resume() are idempotent', async () => {
      const { connection, listener, peer } = await open();
      connection.pause();
      connection.pause();
      await serverSends(peer, ['one', 'two']);
      await settle(20);
      connection.resume();
      connection.resume();
      await listener.until(2);
      expect(listener.texts).to.deep.equal(['one', 'two']);
    });
  });

  describe('close and terminate', () => {
    it('close() sends one close frame with code 1000; idempotent; no listener call after it', async () => {
      const { connection, listener, peer } = await open();
      connection.close();
      connection.close();
      expect(connection.readyState).to.equal('closing');
      await serverSends(peer, ['after close']).catch(() => undefined);
      const closed = await peer.closed;
      expect(closed).to.deep.equal({ code: 1000, reason: '' });
      await waitUntil(() => connection.readyState === 'closed', 'the client socket to close');
      connection.close();
      await settle(10);
      expect(listener.events).to.deep.equal([]);
    });

    it('close() from inside a delivery stops delivery at once', async () => {
      const { connection, listener, peer } = await open();
      listener.after = (_event, index) => {
        if (index === 4) connection.close();
      };
      peer.request.socket.write(Buffer.concat(Array.from({ length: 50 }, (_, index) => text(`m${index}`))));
      await peer.closed;
      await settle(10);
      expect(listener.texts).to.deep.equal(['m0', 'm1', 'm2', 'm3', 'm4']);
      expect(listener.events.length).to.equal(5);
    });

    it('close() while paused still completes the close handshake', async () => {
      const { connection, peer } = await open({ transport: { closeTimeoutMs: 60_000 } });
      connection.pause();
      connection.close();
      expect(await peer.closed).to.deep.equal({ code: 1000, reason: '' });
      await waitUntil(() => connection.readyState === 'closed', 'the close handshake to complete', 2000);
    });

    it('close() drops the socket after closeTimeoutMs when the server does not answer', async () => {
      const { connection, peer } = await open({ transport: { closeTimeoutMs: 30 } });
      peer.request.socket.pause();
      const started = Date.now();
      connection.close();
      await waitUntil(() => connection.readyState === 'closed', 'the close timeout to drop the socket', 3000);
      expect(Date.now() - started).to.be.lessThan(2000);
      peer.request.socket.resume();
    });

    it('terminate() drops at once without a close frame (the server sees 1006); no listener call; idempotent', async () => {
      const { connection, listener, peer } = await open();
      connection.terminate();
      connection.terminate();
      expect(await peer.closed).to.deep.equal({ code: 1006, reason: '' });
      await settle(10);
      expect(listener.events).to.deep.equal([]);
      expect(connection.readyState).to.equal('closed');
    });

    it('terminate() after close() drops at once', async () => {
      const { connection, peer } = await open({ transport: { closeTimeoutMs: 60_000 } });
      peer.request.socket.pause();
      connection.close();
      connection.terminate();
      await waitUntil(() => connection.readyState === 'closed', 'the socket to close');
      peer.request.socket.resume();
    });

    it('pending sends reject when the connection is terminated', async () => {
      const { connection, peer } = await open();
      peer.request.socket.pause();
      const frame = 'p'.repeat(1024 * 1024);
      const results = Array.from({ length: 32 }, () =>
        connection.send(frame).then(
          () => 'sent',
          (error: unknown) => (isParleyError(error, 'ERR_SEND_FAILED') ? 'failed' : 'other'),
        ),
      );
      connection.terminate();
      const outcomes = await Promise.all(results);
      expect(outcomes).to.include('failed');
      expect(outcomes).to.not.include('other');
    });
  });

  describe('a listener that throws', () => {
    it('is logged and does not stop later deliveries', async () => {
      const logger = new RecordingLogger();
      const listener = new RecordingListener();
      listener.after = (event) => {
        if (event.type === 'text' && event.text === 'boom') throw new Error('listener bug');
      };
      const connection = fixtures.track(
        await new WsTransportFactory(logger).connect(connectRequest({ baseUrl: server.baseUrl }), listener),
      );
      const peer = await server.nextPeer();
      await serverSends(peer, ['boom', 'next']);
      await listener.until(2);
      expect(listener.texts).to.deep.equal(['boom', 'next']);
      expect(logger.lines.filter((line) => line.level === 'error').map((line) => line.fields?.['error'])).to.deep.equal(['listener bug']);
      expect(connection.readyState).to.equal('open');
    });
  });
});
