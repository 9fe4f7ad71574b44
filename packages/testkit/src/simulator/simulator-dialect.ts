import type { IdGenerator } from './id-generator.js';
import type { ResolvedSimulatorOptions } from './simulator-options.js';
import type { TaskScheduler } from './task-scheduler.js';

/** What a dialect gets from its connection. */
export interface DialectContext {
  /** The simulator's options (defaults filled). */
  readonly options: ResolvedSimulatorOptions;
  /** This connection's timers (one Node timer); disposed when the connection ends. */
  readonly scheduler: TaskScheduler;
  /** This connection's deterministic ids. */
  readonly ids: IdGenerator;
  /** The session id of this connection (`sess_sim_<connection number>`). */
  readonly sessionId: string;
  /** The handshake's query parameters. */
  readonly query: Readonly<Record<string, string>>;
  /** Sends one server event: an object as one JSON text frame, a string as a raw text frame. */
  send(event: object | string): void;
  /** Closes the connection with a close frame (default 1000). */
  close(code?: number, reason?: string): void;
}

/** A client frame as received: parsed JSON, or the parse failure. */
export type ClientFrame = { ok: true; value: unknown } | { ok: false; raw: string; error: string };

/**
 * Server-side behaviour of one connection. `open` runs once after the handshake, `message` for
 * each client frame in order, `dispose` once when the connection ends (cancel timers there).
 */
export interface SimulatorDialect {
  open(): void;
  message(frame: ClientFrame): void;
  dispose(): void;
}

/** A JSON object (a plain record), or undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The text of a message item's content parts (`input_text`/`text` parts joined by a space). */
export function itemText(item: Record<string, unknown>): string {
  const content = Array.isArray(item['content']) ? item['content'] : [];
  const texts: string[] = [];
  for (const part of content) {
    const text = asRecord(part)?.['text'];
    if (typeof text === 'string') texts.push(text);
  }
  return texts.join(' ');
}
