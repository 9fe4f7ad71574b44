import { injectable } from 'inversify';
import {
  buildRealtimeUrl,
  ParleyError,
  type Connection,
  type ConnectionListener,
  type ConnectRequest,
  type TransportFactory,
} from '@parley/core';

/** Observes what the client sends through an {@link InMemoryTransport}. */
export type SentListener = (text: string) => void;

/** Observes each connection attempt through an {@link InMemoryTransport}, with its WebSocket URL. */
export type ConnectListener = (url: string) => void;

/**
 * A {@link TransportFactory} without sockets, for tests and the scenario runner. The test plays the
 * server: {@link InMemoryConnection.serverText} and friends deliver inbound frames; every client send
 * is recorded (and reported to `onSent`) when it completes. `stall()` holds every send pending until
 * `unstall()`, like a stuck socket.
 */
@injectable()
export class InMemoryTransport implements TransportFactory {
  /** Every connection opened, oldest first. */
  readonly connections: InMemoryConnection[] = [];
  /** Every connect request, oldest first (headers and key included: tests only). */
  readonly requests: ConnectRequest[] = [];
  /** The WebSocket URL of every connect request, oldest first, built by spec 06's rules as a socket transport would. */
  readonly urls: string[] = [];
  private readonly connectListeners: ConnectListener[] = [];
  private nextFailure: Error | undefined;
  private readonly sentListeners: SentListener[] = [];

  /** The newest connection. Throws when none was opened. */
  get current(): InMemoryConnection {
    const connection = this.connections[this.connections.length - 1];
    if (connection === undefined) throw new Error('no connection was opened');
    return connection;
  }

  /** Makes the next `connect` fail with `error`. */
  failNextConnect(error: Error): void {
    this.nextFailure = error;
  }

  /** Calls `listener` with the URL of each connection attempt, when it is made (before its first send). */
  onConnect(listener: ConnectListener): void {
    this.connectListeners.push(listener);
  }

  /** Calls `listener` with each client frame once its send completes (any connection). */
  onSent(listener: SentListener): void {
    this.sentListeners.push(listener);
  }

  /**
   * Opens an in-memory connection. Builds the request's URL by spec 06's rules first (as a socket
   * transport would), so a bad `realtime.url` fails the same way (`ERR_UNSUPPORTED_URL`,
   * `ERR_INVALID_CONFIG`); then reports the attempt to `onConnect` listeners.
   */
  connect(request: ConnectRequest, listener: ConnectionListener): Promise<Connection> {
    this.requests.push(request);
    let url: string;
    try {
      url = buildRealtimeUrl(request);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.urls.push(url);
    for (const connected of this.connectListeners) connected(url);
    const failure = this.nextFailure;
    this.nextFailure = undefined;
    if (failure !== undefined) return Promise.reject(failure);
    if (request.signal.aborted) {
      return Promise.reject(new ParleyError('ERR_START_ABORTED', 'the start was aborted while connecting'));
    }
    const connection = new InMemoryConnection(listener, (text) => {
      for (const sent of this.sentListeners) sent(text);
    });
    this.connections.push(connection);
    return Promise.resolve(connection);
  }
}

/** The state of an {@link InMemoryConnection}. */
export type InMemoryConnectionState = 'open' | 'closed' | 'terminated' | 'server_closed' | 'failed';

/** One in-memory connection: the client side implements {@link Connection}; `server*` methods play the server. */
export class InMemoryConnection implements Connection {
  /** Client frames whose send completed, in order. */
  readonly sent: string[] = [];
  /** Open until the client closes or terminates it, or the server closes or fails it. */
  state: InMemoryConnectionState = 'open';
  private paused = false;
  private stalled = false;
  private readonly held: { text: string; resolve: () => void }[] = [];
  private readonly inbound: (() => void)[] = [];
  private failSends: Error | undefined;

  constructor(
    private readonly listener: ConnectionListener,
    private readonly onSent: (text: string) => void,
  ) {}

  // ---- client side ----------------------------------------------------------------------------

  get bufferedAmount(): number {
    let total = 0;
    for (const item of this.held) total += item.text.length;
    return total;
  }

  send(text: string): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new Error('the connection is not open'));
    if (this.failSends !== undefined) return Promise.reject(this.failSends);
    if (this.stalled) return new Promise((resolve) => this.held.push({ text, resolve }));
    this.complete(text);
    return Promise.resolve();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    while (!this.paused && this.inbound.length > 0 && this.state === 'open') (this.inbound.shift() as () => void)();
  }

  close(): void {
    if (this.state === 'open') this.state = 'closed';
  }

  terminate(): void {
    if (this.state === 'open') this.state = 'terminated';
  }

  /** True while inbound delivery is paused by the client. */
  get isPaused(): boolean {
    return this.paused;
  }

  /** Inbound frames held while paused. */
  get heldInbound(): number {
    return this.inbound.length;
  }

  // ---- server side ------------------------------------------------------------------------------

  /** The server sends a text frame (held while the client has paused delivery). */
  serverText(text: string): void {
    this.deliver(() => this.listener.onText(text));
  }

  /** The server sends one JSON object as a text frame. */
  serverJson(value: unknown): void {
    this.serverText(JSON.stringify(value));
  }

  /** The server sends a binary frame. */
  serverBinary(data: Uint8Array): void {
    this.deliver(() => this.listener.onBinary(data));
  }

  /** The server closes with a close frame. */
  serverClose(code = 1000, reason = ''): void {
    if (this.state !== 'open') return;
    this.state = 'server_closed';
    this.listener.onClose(code, reason);
  }

  /** The connection is lost without a close frame. */
  serverFail(error: Error): void {
    if (this.state !== 'open') return;
    this.state = 'failed';
    this.listener.onError(error);
  }

  /** From now on every send stays pending until {@link unstall}. */
  stall(): void {
    this.stalled = true;
  }

  /** Completes the pending sends in order; later sends complete at once. */
  unstall(): void {
    this.stalled = false;
    for (const item of this.held.splice(0)) {
      if (this.state !== 'open') return;
      this.complete(item.text);
      item.resolve();
    }
  }

  /** Makes every later send fail with `error` (`undefined` restores normal sends). */
  failSendsWith(error: Error | undefined): void {
    this.failSends = error;
  }

  /** The client frames sent so far, parsed. */
  sentJson(): unknown[] {
    return this.sent.map((text) => JSON.parse(text) as unknown);
  }

  private complete(text: string): void {
    this.sent.push(text);
    this.onSent(text);
  }

  private deliver(action: () => void): void {
    if (this.state !== 'open') return;
    if (this.paused) this.inbound.push(action);
    else action();
  }
}
