import { EventEmitter } from 'node:events';
import { createServer, STATUS_CODES, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { IdGenerator } from './id-generator.js';
import { loopbackCertificate } from './self-signed-certificate.js';
import { ScriptedDialect } from './scripted-dialect.js';
import {
  recordHeaders,
  SimulatorSocket,
  type ConnectionHooks,
  type SimulatorConnection,
  type SimulatorHandshake,
} from './simulator-connection.js';
import type { DialectContext, SimulatorDialect } from './simulator-dialect.js';
import { resolveSimulatorOptions, type RealtimeSimulatorOptions, type ResolvedSimulatorOptions } from './simulator-options.js';
import { TaskScheduler } from './task-scheduler.js';
import { V1Dialect } from './v1-dialect.js';
import { LiveDialect } from './live-dialect.js';
import { V2Dialect } from './v2-dialect.js';

/** The only path the simulator serves, as the real APIs. */
export const SIMULATOR_PATH = '/v1/realtime';
/** The path the `live` simulator serves (the Live API's). */
export const SIMULATOR_LIVE_PATH = '/v1/live/sessions';

/** Events of a {@link RealtimeSimulator}, emitted synchronously as things happen. */
export interface RealtimeSimulatorEvents {
  /** A handshake was accepted; the connection's first server events follow this. */
  connection: [connection: SimulatorConnection];
  /** A client frame arrived (parsed JSON, or the raw text when it is not JSON), before the simulator reacts to it. */
  message: [connection: SimulatorConnection, message: unknown];
  /** The simulator sent a server event (the object, or the raw text of a raw frame). */
  sent: [connection: SimulatorConnection, event: unknown];
  /** A connection ended (close code and reason; 1006 when it dropped without a close frame). */
  disconnect: [connection: SimulatorConnection, code: number, reason: string];
  /** A handshake was rejected (wrong path, missing `intent=quicksilver` for v1). */
  rejected: [handshake: SimulatorHandshake];
}

/**
 * A local realtime server for tests, demos and benchmarks: speaks the v1 or v2 protocol
 * server-side over real WebSockets on loopback, in `scripted` mode (replies sent after each client
 * message) or `demo` mode (a deterministic stand-in for a speech model, see the README).
 *
 * Lifecycle: `start()` listens and resolves with the base URL to give Parley as `realtime.url`
 * (`http://127.0.0.1:<port>`); `close()` terminates every client, cancels every timer and stops
 * listening (idempotent). Handshakes must use the path `/v1/realtime`; v1 handshakes must carry
 * `intent=quicksilver` (else HTTP 400). No API key is required. Each connection has its own ids
 * (`resp_1`, `item_1`, `call_1`, `event_1`…) and one timer; the session id is `sess_sim_<n>` for
 * the n-th accepted connection.
 */
export class RealtimeSimulator extends EventEmitter<RealtimeSimulatorEvents> {
  /** The options with defaults filled in. */
  readonly options: ResolvedSimulatorOptions;
  /** Every handshake seen, in order (accepted and rejected). */
  readonly handshakes: SimulatorHandshake[] = [];
  /** Every accepted connection, in order (closed ones stay, with `open` false). */
  readonly connections: SimulatorConnection[] = [];

  private server: Server | undefined;
  private readonly wss: WebSocketServer;
  private pem: string | undefined;
  private readonly live = new Set<SimulatorSocket>();
  private readonly hooks: ConnectionHooks;
  private baseUrl: string | undefined;
  private closing: Promise<void> | undefined;

  /** Validates the options (throws a `TypeError` naming a bad one); does not listen yet. */
  constructor(options: RealtimeSimulatorOptions) {
    super();
    this.options = resolveSimulatorOptions(options);
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    this.hooks = {
      message: (connection, message) => this.emit('message', connection, message),
      sent: (connection, event) => this.emit('sent', connection, event),
      closed: (connection, code, reason) => {
        this.live.delete(connection as SimulatorSocket);
        this.emit('disconnect', connection, code, reason);
      },
    };
  }

  /**
   * The certificate (PEM) the simulator serves with `tls`, for clients to trust (`ca`); undefined
   * without TLS or before `start()` resolved.
   */
  get certificate(): string | undefined {
    return this.pem;
  }

  /** The base URL (`http://host:port`, `https://…` with `tls`); throws before `start()` resolved. */
  get url(): string {
    if (this.baseUrl === undefined) throw new Error('the simulator is not started: call start() first');
    return this.baseUrl;
  }

  /**
   * Listens on `host:port` (with `tls`, after generating or loading the certificate); resolves
   * with the base URL once listening. Call once.
   */
  async start(): Promise<{ url: string }> {
    if (this.baseUrl !== undefined) return { url: this.baseUrl };
    const server = await this.createServer();
    this.server = server;
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(request, socket, head));
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      server.once('error', onError);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.baseUrl = `${this.options.tls === false ? 'http' : 'https'}://${host}:${address.port}`;
    return { url: this.baseUrl };
  }

  private async createServer(): Promise<Server> {
    const plain: RequestListener = (request, response) => {
      const body = `Parley realtime simulator (${this.options.protocol}, ${this.options.mode} mode): connect a WebSocket to ${SIMULATOR_PATH}\n`;
      response.writeHead(426, {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        connection: 'close',
      });
      response.end(body);
      request.resume();
    };
    const tls = this.options.tls;
    if (tls === false) return createServer(plain);
    const credentials = tls === true ? await loopbackCertificate() : tls;
    this.pem = credentials.cert;
    return createTlsServer({ key: credentials.key, cert: credentials.cert }, plain);
  }

  /** Terminates every connection, cancels their timers and stops listening. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const connection of [...this.live]) connection.terminate();
      this.live.clear();
      await new Promise<void>((resolve) => this.wss.close(() => resolve()));
      const server = this.server;
      if (server === undefined || !server.listening) return;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    })();
    return this.closing;
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://simulator');
    const handshake: SimulatorHandshake = {
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: recordHeaders(request.headers),
      accepted: false,
      status: 0,
    };
    this.handshakes.push(handshake);
    const rejection = this.closing !== undefined ? { status: 503, body: 'the simulator is shutting down' } : this.check(handshake);
    if (rejection !== undefined) {
      handshake.status = rejection.status;
      handshake.body = rejection.body;
      this.emit('rejected', handshake);
      const body = `${rejection.body}\n`;
      socket.end(
        `HTTP/1.1 ${rejection.status} ${STATUS_CODES[rejection.status] ?? ''}\r\n` +
          `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, handshake));
  }

  private check(handshake: SimulatorHandshake): { status: number; body: string } | undefined {
    const intent = handshake.query['intent'];
    if (this.options.protocol === 'live') {
      if (handshake.path !== SIMULATOR_LIVE_PATH) {
        return { status: 404, body: `unknown path ${handshake.path}: the live simulator serves ${SIMULATOR_LIVE_PATH}` };
      }
      return intent === undefined ? undefined : { status: 400, body: 'the live simulator takes no intent in the query' };
    }
    if (handshake.path !== SIMULATOR_PATH) {
      return { status: 404, body: `unknown path ${handshake.path}: the realtime simulator serves ${SIMULATOR_PATH}` };
    }
    if (this.options.protocol === 'v1' && intent !== 'quicksilver') {
      return { status: 400, body: 'the v1 (quicksilver) simulator requires intent=quicksilver in the query' };
    }
    if (this.options.protocol === 'v2' && intent === 'quicksilver') {
      return { status: 400, body: 'this simulator speaks v2; intent=quicksilver is for a v1 simulator' };
    }
    return undefined;
  }

  private accept(ws: WebSocket, handshake: SimulatorHandshake): void {
    handshake.accepted = true;
    handshake.status = 101;
    if (this.closing !== undefined) {
      ws.terminate();
      return;
    }
    const id = this.connections.length + 1;
    const scheduler = new TaskScheduler();
    const ids = new IdGenerator();
    const connection = new SimulatorSocket(id, `sess_sim_${id}`, handshake, ws, scheduler, this.options.recordMessages, this.hooks);
    const context: DialectContext = {
      options: this.options,
      scheduler,
      ids,
      sessionId: connection.sessionId,
      query: handshake.query,
      send: (event) => connection.send(event),
      close: (code, reason) => connection.close(code, reason),
    };
    this.connections.push(connection);
    this.live.add(connection);
    this.emit('connection', connection);
    connection.attach(this.dialect(context));
  }

  private dialect(context: DialectContext): SimulatorDialect {
    if (this.options.mode === 'scripted') return new ScriptedDialect(context);
    if (this.options.protocol === 'live') return new LiveDialect(context);
    return this.options.protocol === 'v1' ? new V1Dialect(context) : new V2Dialect(context);
  }
}
