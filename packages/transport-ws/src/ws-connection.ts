import {
  ParleyError,
  describeError,
  type Cancellable,
  type Clock,
  type Connection,
  type ConnectionListener,
  type Logger,
} from '@parley/core';
import WebSocket from 'ws';
import type { Redactor } from './secret-redactor.js';

/** What a {@link WsConnection} needs besides its socket and listener. */
export interface WsConnectionSettings {
  /** The URL as shown in messages (no credentials, secrets redacted). */
  url: string;
  /** The socket's `maxPayload`, for the `ERR_PAYLOAD_TOO_LARGE` message. */
  maxPayloadBytes: number;
  /** How long `close()` waits for the server's close frame before dropping the socket (ms). */
  closeTimeoutMs: number;
  /** `bufferedAmount` above which {@link WsConnection.congested} is true (bytes). */
  highWaterMarkBytes: number;
  /** Applied to every message taken from `ws` or Node. */
  redact: Redactor;
  /** Receives debug lines and listener failures; never a secret. */
  logger?: Logger;
  /** Liveness: ping after this long without a check (ms); 0 = never. */
  pingIntervalMs: number;
  /** Liveness: no pong (nor any other frame) this long after a ping is a lost connection (ms); 0 = no limit. */
  pongTimeoutMs: number;
  /** The clock of the liveness timers (the container's `Clock`, so tests drive it virtually). */
  clock: Clock;
}

/** The state of a {@link WsConnection}, as `ws` reports it. */
export type WsConnectionState = 'connecting' | 'open' | 'closing' | 'closed';

/** A frame received while paused: text already decoded, binary as `ws` gave it. */
type HeldFrame = string | Uint8Array;

/** Delivers the final event (close or error) to the listener. */
type FinalEvent = (listener: ConnectionListener) => void;

const STATES: readonly WsConnectionState[] = ['connecting', 'open', 'closing', 'closed'];

/** Close code `ws` reports when the connection ended without a close frame. */
const ABNORMAL_CLOSURE = 1006;

/** `ws` error codes of an inbound frame too large to accept (over `maxPayload`, or over 2^53 - 1). */
const TOO_LARGE_CODES = new Set(['WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH']);

/**
 * One conversation's WebSocket (a core `Connection`). Built by `WsTransportFactory` before the
 * handshake so it sees the first frame; it reports nothing to its listener until the socket opened.
 *
 * Inbound, in order: a text frame → `onText(string)` (decoded once, UTF-8 validated by `ws`), a
 * binary frame → `onBinary(Uint8Array)`, a close frame from the server (any code) → `onClose(code,
 * reason)`, a connection lost without a close frame (code 1006) or a socket or protocol error →
 * `onError(ParleyError ERR_CONNECTION_LOST)`, a frame over `maxPayloadBytes` →
 * `onError(ParleyError ERR_PAYLOAD_TOO_LARGE)`. After `onClose` or `onError`, nothing more.
 *
 * `pause()` stops delivery at once: the socket stops reading (TCP pushes back on the server), and
 * frames `ws` had already read from the last chunk are held and delivered first by `resume()`; a
 * close or error that happens while frames are held is delivered after them. Nothing is dropped.
 *
 * Liveness: once open, the connection pings the server when `pingIntervalMs` passed since the last
 * check, and treats a missing answer — no pong and no other frame within `pongTimeoutMs` of the
 * ping — as a lost connection (`onError(ParleyError ERR_CONNECTION_LOST)`, the socket is dropped).
 * Nothing is checked while paused: the socket is not read then, so a pong could not be seen.
 *
 * Pings from the server are answered with one pong at a time (`ws`'s automatic pongs are off: it
 * drops a socket with more than 60 pending ones); pings that arrive while a pong is being written
 * are answered by one pong for the most recent of them (RFC 6455 §5.5.3), so a ping flood costs
 * one pong in flight and never ends the conversation.
 *
 * After `close()` or `terminate()` the listener is never called again.
 */
export class WsConnection implements Connection {
  private listener: ConnectionListener | undefined;
  private opened = false;
  private stopped = false;
  private ended = false;
  private paused = false;
  private flushing = false;
  private held: HeldFrame[] = [];
  private heldHead = 0;
  private finalEvent: FinalEvent | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  private pingTimer: Cancellable | undefined;
  private pongTimer: Cancellable | undefined;
  private pongInFlight = false;
  private pongOwed: Buffer | undefined;

  constructor(
    private readonly socket: WebSocket,
    listener: ConnectionListener,
    private readonly settings: WsConnectionSettings,
  ) {
    this.listener = listener;
    socket.on('open', this.onSocketOpen);
    socket.on('message', this.onSocketMessage);
    socket.on('close', this.onSocketClose);
    socket.on('error', this.onSocketError);
    socket.on('ping', this.onSocketPing);
    socket.on('pong', this.onSocketPong);
  }

  /** The socket's state. */
  get readyState(): WsConnectionState {
    return STATES[this.socket.readyState] ?? 'closed';
  }

  /** Bytes accepted by `send` and not yet written to the OS socket (from `ws`). */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  /** True while {@link bufferedAmount} is above the high-water mark (default 1 MiB). */
  get congested(): boolean {
    return this.socket.bufferedAmount > this.settings.highWaterMarkBytes;
  }

  /**
   * Sends one text frame. Resolves when `ws` has written it to the OS socket (the `ws.send`
   * callback), so a peer that stops reading leaves it pending once the OS buffers are full; rejects
   * with `ERR_SEND_FAILED` when the write fails or the connection is not open (after `close()`,
   * `terminate()`, or the end of the connection). Never waits for inbound data. Sends go out in
   * call order; a send is never refused for congestion.
   */
  send(text: string): Promise<void> {
    if (this.stopped || this.socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(new ParleyError('ERR_SEND_FAILED', `cannot send to ${this.settings.url}: the connection is closing or closed`));
    }
    return new Promise<void>((resolve, reject) => {
      this.socket.send(text, (error?: Error) => {
        if (error === undefined || error === null) resolve();
        else reject(this.sendFailed(error));
      });
    });
  }

  /** Stops inbound delivery now; the socket stops reading. Idempotent. */
  pause(): void {
    if (this.stopped || this.paused) return;
    this.paused = true;
    this.stopLiveness();
    this.socket.pause();
  }

  /** Delivers the frames held while paused, in order, then reads the socket again. Idempotent. */
  resume(): void {
    if (this.stopped || !this.paused) return;
    this.paused = false;
    if (!this.flushing) this.flush();
    if (!this.paused && !this.stopped) {
      this.socket.resume();
      this.scheduleLiveness();
    }
  }

  /**
   * Sends a normal close frame (1000) and stops all listener calls at once. Idempotent. The socket
   * keeps reading so the server's answer completes the close; when no answer comes within
   * `closeTimeoutMs` (default 1000 ms) the socket is dropped.
   */
  close(): void {
    if (this.stopped) return;
    this.stop();
    const socket = this.socket;
    if (socket.readyState === WebSocket.CLOSED) return;
    if (socket.readyState === WebSocket.CONNECTING) {
      socket.terminate();
      return;
    }
    if (socket.readyState === WebSocket.OPEN) {
      socket.resume();
      socket.close(1000);
    }
    this.closeTimer = setTimeout(() => socket.terminate(), this.settings.closeTimeoutMs);
    this.closeTimer.unref();
  }

  /** Drops the socket at once, without a close frame (also after `close()`); no listener call follows. */
  terminate(): void {
    this.stop();
    clearTimeout(this.closeTimer);
    this.closeTimer = undefined;
    this.socket.terminate();
  }

  private stop(): void {
    this.stopLiveness();
    this.stopped = true;
    this.listener = undefined;
    this.held = [];
    this.heldHead = 0;
    this.finalEvent = undefined;
  }

  // ---- socket events -------------------------------------------------------------------------

  private readonly onSocketOpen = (): void => {
    this.opened = true;
    if (!this.paused) this.scheduleLiveness();
  };

  private readonly onSocketMessage = (data: WebSocket.RawData, isBinary: boolean): void => {
    if (this.pongTimer !== undefined) this.alive();
    const listener = this.listener;
    if (listener === undefined) return;
    const buffer = Buffer.isBuffer(data) ? data : toBuffer(data);
    if (this.paused || this.heldHead < this.held.length) {
      this.held.push(isBinary ? buffer : buffer.toString());
      return;
    }
    try {
      if (isBinary) listener.onBinary(buffer);
      else listener.onText(buffer.toString());
    } catch (error) {
      this.listenerFailed(error);
    }
  };

  private readonly onSocketPing = (data: Buffer): void => {
    if (this.pongTimer !== undefined) this.alive();
    if (this.pongInFlight) {
      this.pongOwed = data;
      return;
    }
    this.sendPong(data);
  };

  private readonly onSocketPong = (): void => {
    if (this.pongTimer !== undefined) this.alive();
  };

  private readonly onSocketClose = (code: number, reason: Buffer): void => {
    this.stopLiveness();
    clearTimeout(this.closeTimer);
    this.closeTimer = undefined;
    if (!this.opened) return;
    this.log('debug', 'websocket closed', { url: this.settings.url, code });
    if (code === ABNORMAL_CLOSURE) {
      const error = new ParleyError(
        'ERR_CONNECTION_LOST',
        `the connection to ${this.settings.url} was lost without a close frame (code ${ABNORMAL_CLOSURE})`,
      );
      this.end((listener) => listener.onError(error));
      return;
    }
    const text = reason.toString();
    this.end((listener) => listener.onClose(code, text));
  };

  private readonly onSocketError = (error: Error): void => {
    if (!this.opened) return;
    const failure = TOO_LARGE_CODES.has((error as NodeJS.ErrnoException).code ?? '')
      ? new ParleyError(
          'ERR_PAYLOAD_TOO_LARGE',
          `an inbound frame from ${this.settings.url} is larger than maxPayloadBytes (${this.settings.maxPayloadBytes} bytes): ` +
            'the conversation ends; raise transport.ws.maxPayloadBytes if the server sends larger frames',
          { cause: error },
        )
      : new ParleyError('ERR_CONNECTION_LOST', `the connection to ${this.settings.url} failed: ${this.settings.redact(error.message)}`, {
          cause: error,
        });
    this.end((listener) => listener.onError(failure));
  };

  // ---- pongs and liveness -----------------------------------------------------------------------

  /** Answers a ping; one pong in flight at most, later pings answered by one pong for the newest. */
  private sendPong(data: Buffer): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    this.pongInFlight = true;
    this.socket.pong(data, true, () => {
      this.pongInFlight = false;
      const owed = this.pongOwed;
      this.pongOwed = undefined;
      if (owed !== undefined) this.sendPong(owed);
    });
  }

  /** Starts the next liveness period: a ping after `pingIntervalMs`. */
  private scheduleLiveness(): void {
    this.stopLiveness();
    const { pingIntervalMs, clock } = this.settings;
    if (pingIntervalMs <= 0 || this.stopped || this.ended || !this.opened) return;
    this.pingTimer = clock.setTimer(pingIntervalMs, this.onPingDue);
  }

  private stopLiveness(): void {
    this.pingTimer?.cancel();
    this.pingTimer = undefined;
    this.pongTimer?.cancel();
    this.pongTimer = undefined;
  }

  /** A frame arrived while a ping was unanswered: the peer is alive; start a new period. */
  private alive(): void {
    this.scheduleLiveness();
  }

  private readonly onPingDue = (): void => {
    this.pingTimer = undefined;
    if (this.stopped || this.ended || this.paused || this.socket.readyState !== WebSocket.OPEN) return;
    const { pongTimeoutMs, clock } = this.settings;
    this.socket.ping();
    if (pongTimeoutMs > 0) this.pongTimer = clock.setTimer(pongTimeoutMs, this.onPongMissing);
  };

  private readonly onPongMissing = (): void => {
    this.pongTimer = undefined;
    if (this.stopped || this.ended) return;
    const { url, pongTimeoutMs } = this.settings;
    const error = new ParleyError(
      'ERR_CONNECTION_LOST',
      `the connection to ${url} was lost: no pong (and no other frame) within ${pongTimeoutMs} ms of a ping; ` +
        'the server or the network stopped responding (transport.ws.pongTimeoutMs)',
    );
    this.log('debug', 'websocket liveness check failed', { url, pongTimeoutMs });
    // Dropped first: the peer is not answering, so no close frame (a close handshake would only wait).
    this.socket.terminate();
    this.end((listener) => listener.onError(error));
  };

  // ---- delivery --------------------------------------------------------------------------------

  /** The connection ended: deliver its final event now, or after the held frames. */
  private end(event: FinalEvent): void {
    if (this.ended) return;
    this.ended = true;
    this.stopLiveness();
    if (this.listener === undefined) return;
    if (this.heldHead < this.held.length) {
      this.finalEvent = event;
      return;
    }
    this.deliverEnd(event);
  }

  private deliverEnd(event: FinalEvent): void {
    const listener = this.listener;
    this.listener = undefined;
    this.finalEvent = undefined;
    if (listener === undefined) return;
    try {
      event(listener);
    } catch (error) {
      this.listenerFailed(error);
    }
  }

  /** Delivers held frames until none is left, the listener pauses again, or the connection stops. */
  private flush(): void {
    this.flushing = true;
    try {
      while (this.heldHead < this.held.length) {
        const listener = this.listener;
        if (this.paused || listener === undefined) return;
        const frame = this.held[this.heldHead];
        this.heldHead += 1;
        try {
          if (typeof frame === 'string') listener.onText(frame);
          else listener.onBinary(frame as Uint8Array);
        } catch (error) {
          this.listenerFailed(error);
        }
      }
      this.held = [];
      this.heldHead = 0;
      if (this.finalEvent !== undefined) this.deliverEnd(this.finalEvent);
    } finally {
      this.flushing = false;
    }
  }

  /** Logs without ever throwing into a socket event handler (a logger whose stream is gone must not crash the process). */
  private log(level: 'debug' | 'error', message: string, fields: Record<string, unknown>): void {
    try {
      this.settings.logger?.[level](message, fields);
    } catch {
      // Nothing to do: the log line is lost, the connection goes on.
    }
  }

  private listenerFailed(error: unknown): void {
    this.log('error', 'the connection listener threw', {
      url: this.settings.url,
      error: this.settings.redact(describeError(error)),
    });
  }

  private sendFailed(error: Error): ParleyError {
    return new ParleyError('ERR_SEND_FAILED', `failed to send to ${this.settings.url}: ${this.settings.redact(error.message)}`, {
      cause: error,
    });
  }
}

function toBuffer(data: ArrayBuffer | Buffer[]): Buffer {
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
