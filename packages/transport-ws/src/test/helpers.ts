import type { IncomingMessage } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { ConnectRequest, Connection, ConnectionListener } from '@parley/core';
import { WebSocketServer, type ServerOptions, type WebSocket } from 'ws';
import { RecordingLogger } from '@parley/testkit';

/** One call a {@link RecordingListener} received. */
export type Recorded =
  | { type: 'text'; text: string }
  | { type: 'binary'; data: Uint8Array }
  | { type: 'close'; code: number; reason: string }
  | { type: 'error'; error: Error };

/** Polls `predicate` on real time (for real sockets only) until it holds; fails after `timeoutMs`. */
export async function waitUntil(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Waits real time: only to let real sockets show that something did NOT happen. */
export function settle(ms = 50): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A ConnectionListener that records every call in order. */
export class RecordingListener implements ConnectionListener {
  readonly events: Recorded[] = [];
  /** Called after each recorded event (to act from inside a delivery, e.g. pause). */
  after: ((event: Recorded, index: number) => void) | undefined;

  onText(text: string): void {
    this.record({ type: 'text', text });
  }
  onBinary(data: Uint8Array): void {
    this.record({ type: 'binary', data });
  }
  onClose(code: number, reason: string): void {
    this.record({ type: 'close', code, reason });
  }
  onError(error: Error): void {
    this.record({ type: 'error', error });
  }

  get texts(): string[] {
    return this.events.flatMap((event) => (event.type === 'text' ? [event.text] : []));
  }

  /** Resolves once `count` events were recorded. */
  until(count: number): Promise<void> {
    return waitUntil(() => this.events.length >= count, `${count} listener events (have ${this.events.length})`);
  }

  private record(event: Recorded): void {
    this.events.push(event);
    this.after?.(event, this.events.length - 1);
  }
}

export { RecordingLogger };

/** A ConnectRequest for a local server, with test defaults (v2, no model, no key, 16 MiB, 2 s). */
export function connectRequest(overrides: Partial<ConnectRequest> = {}): ConnectRequest {
  return {
    protocol: 'v2',
    baseUrl: 'http://127.0.0.1:1',
    model: '',
    protocolQuery: {},
    extraQuery: {},
    headers: {},
    startHeaders: {},
    defaultHeaders: {},
    apiKey: undefined,
    sessionId: undefined,
    maxPayloadBytes: 16 * 1024 * 1024,
    connectTimeoutMs: 2000,
    allowInsecure: false,
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** A server-side peer: the socket and its upgrade request. */
export interface Peer {
  socket: WebSocket;
  request: IncomingMessage;
  /** Every message received, decoded (text frames only are expected). */
  received: string[];
  /** Every message's `isBinary` flag. */
  binary: boolean[];
  /** Resolves with the close code and reason the server saw. */
  closed: Promise<{ code: number; reason: string }>;
}

/** A WebSocket server on 127.0.0.1, port 0, whose peers arrive in order. */
export interface TestServer {
  wss: WebSocketServer;
  port: number;
  /** `http://127.0.0.1:<port>`. */
  baseUrl: string;
  /** The next peer to connect. */
  nextPeer(): Promise<Peer>;
}

/**
 * Tracks what a test opened and closes it all (call `closeAll()` from `afterEach`): servers,
 * raw TCP servers and their sockets, client connections.
 */
export class Fixtures {
  private readonly cleanups: (() => Promise<void> | void)[] = [];

  /** Terminates the connection after the test. */
  track<T extends Connection>(connection: T): T {
    this.cleanups.push(() => connection.terminate());
    return connection;
  }

  /** Starts a ws server on 127.0.0.1:0. */
  async wsServer(options: ServerOptions = {}): Promise<TestServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    const peers: Peer[] = [];
    const waiting: ((peer: Peer) => void)[] = [];
    wss.on('connection', (socket, request) => {
      const received: string[] = [];
      const binary: boolean[] = [];
      socket.on('message', (data, isBinary) => {
        received.push(data.toString());
        binary.push(isBinary);
      });
      socket.on('error', () => undefined);
      const closed = new Promise<{ code: number; reason: string }>((resolve) =>
        socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
      );
      const peer: Peer = { socket, request, received, binary, closed };
      const waiter = waiting.shift();
      if (waiter !== undefined) waiter(peer);
      else peers.push(peer);
    });
    this.cleanups.push(async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    });
    const port = (wss.address() as { port: number }).port;
    return {
      wss,
      port,
      baseUrl: `http://127.0.0.1:${port}`,
      nextPeer: () => {
        const peer = peers.shift();
        if (peer !== undefined) return Promise.resolve(peer);
        return new Promise<Peer>((resolve) => waiting.push(resolve));
      },
    };
  }

  /**
   * Starts a raw TCP server on 127.0.0.1:0 that hands each accepted socket to `onSocket`
   * (default: read and discard, never answer).
   */
  async tcpServer(
    onSocket: (socket: Socket) => void = (socket) => socket.resume(),
  ): Promise<{ server: Server; port: number; sockets: Socket[] }> {
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
      onSocket(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return { server, port: (server.address() as { port: number }).port, sockets };
  }

  /** A port on 127.0.0.1 where nothing listens. */
  async closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }

  async closeAll(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup();
  }
}

/** An unmasked server-to-client frame (FIN set) with opcode `opcode` (1 text, 2 binary, 8 close). */
export function rawFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  let header: Buffer;
  if (length < 126) header = Buffer.from([0x80 | opcode, length]);
  else if (length < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** A close frame payload: the code (2 bytes) and the reason. */
export function closePayload(code: number, reason = ''): Buffer {
  const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2);
  return payload;
}
