import type { IncomingHttpHeaders } from 'node:http';
import WebSocket from 'ws';
import type { ClientFrame, SimulatorDialect } from './simulator-dialect.js';
import type { TaskScheduler } from './task-scheduler.js';

/** A WebSocket handshake the simulator saw, accepted or not. */
export interface SimulatorHandshake {
  /** The request path (e.g. `/v1/realtime`). */
  path: string;
  /** The query parameters (the last value wins for a repeated name). */
  query: Record<string, string>;
  /** Request headers, names lower-case, repeated values joined by `, `; the Authorization value is `[redacted]`. */
  headers: Record<string, string>;
  /** Whether the upgrade was accepted. */
  accepted: boolean;
  /** 101 when accepted, else the HTTP status sent (400, 404). */
  status: number;
  /** The rejection body (plain text), when rejected. */
  body?: string;
}

/** One accepted connection, as tests see it. */
export interface SimulatorConnection {
  /** 1-based, in order of acceptance. */
  readonly id: number;
  /** The session id the simulator reports for this connection (`sess_sim_<id>`). */
  readonly sessionId: string;
  readonly handshake: SimulatorHandshake;
  /**
   * Client frames received, in order: parsed JSON, or the raw text when it is not JSON.
   * Empty when the simulator's `recordMessages` is off.
   */
  readonly messages: readonly unknown[];
  /** Whether the socket is still open. */
  readonly open: boolean;
  /** Sends a server event now: an object as one JSON text frame, a string as a raw text frame. No-op once closed. */
  send(event: unknown): void;
  /** Closes the connection with a close frame (default 1000). */
  close(code?: number, reason?: string): void;
}

/** Copies request headers for the record, hiding the credential. */
export function recordHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    record[name] = name === 'authorization' ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return record;
}

/** Hooks from a connection back to its simulator. */
export interface ConnectionHooks {
  message(connection: SimulatorConnection, message: unknown): void;
  sent(connection: SimulatorConnection, event: unknown): void;
  closed(connection: SimulatorConnection, code: number, reason: string): void;
}

/** The server side of one socket: records frames, feeds the dialect, sends its events. */
export class SimulatorSocket implements SimulatorConnection {
  readonly messages: unknown[] = [];
  private dialect: SimulatorDialect | undefined;
  private ended = false;

  constructor(
    readonly id: number,
    readonly sessionId: string,
    readonly handshake: SimulatorHandshake,
    private readonly socket: WebSocket,
    private readonly scheduler: TaskScheduler,
    private readonly record: boolean,
    private readonly hooks: ConnectionHooks,
  ) {}

  get open(): boolean {
    return !this.ended && this.socket.readyState === WebSocket.OPEN;
  }

  /** Wires the socket to `dialect` and runs its `open`. */
  attach(dialect: SimulatorDialect): void {
    this.dialect = dialect;
    this.socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    this.socket.on('close', (code, reason) => this.end(code, reason.toString()));
    this.socket.on('error', () => this.end(1006, ''));
    dialect.open();
  }

  send(event: unknown): void {
    if (!this.open) return;
    this.socket.send(typeof event === 'string' ? event : JSON.stringify(event));
    this.hooks.sent(this, event);
  }

  close(code = 1000, reason = ''): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.close(code, reason);
    this.stop();
  }

  /** Drops the socket at once (simulator shutdown). */
  terminate(): void {
    this.socket.terminate();
    this.end(1006, '');
  }

  private receive(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.ended) return;
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    const text = bytes.toString('utf8');
    let frame: ClientFrame;
    try {
      frame = isBinary
        ? { ok: false, raw: text, error: 'binary frames are not supported' }
        : { ok: true, value: JSON.parse(text) as unknown };
    } catch (error) {
      frame = { ok: false, raw: text, error: error instanceof Error ? error.message : String(error) };
    }
    const message = frame.ok ? frame.value : frame.raw;
    if (this.record) this.messages.push(message);
    this.hooks.message(this, message);
    this.dialect?.message(frame);
  }

  /** Stops the dialect and timers; no more events go out. */
  private stop(): void {
    this.scheduler.dispose();
    this.dialect?.dispose();
    this.dialect = undefined;
  }

  private end(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.stop();
    this.hooks.closed(this, code, reason);
  }
}
