import { readFileSync } from 'node:fs';
import { RealtimeSimulator } from '@parley/testkit';
import type { Output } from './replay-command.js';

/** Options of `parley simulate`. */
export interface SimulateOptions {
  /** The dialect to speak: `v1` (quicksilver), `v2` (OpenAI Realtime GA events) or `live` (the OpenAI Live API). */
  protocol: 'v1' | 'v2' | 'live';
  /** Port to listen on; default 0 (a free port, printed). */
  port?: number;
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /**
   * Path to a JSON file of reply batches (scripted mode): an array of arrays of server events, or
   * an object with such a `replies` array. Batch i is sent after the (i+1)-th client message.
   * Without it the simulator runs its demo model.
   */
  script?: string;
  /** Demo mode: how many times faster than real time answers stream (default 1: real time, as live). */
  speed?: number;
  /** Demo mode: what the user is heard saying, one per utterance detected in the audio (in order, cycled). */
  heard?: string[];
}

/** A running simulator. */
export interface RunningSimulator {
  /** Base URL to give Parley as `realtime.url` (`http://127.0.0.1:<port>`). */
  url: string;
  /** Terminates every connection and stops listening. Idempotent. */
  close(): Promise<void>;
}

/** Reads a script file: `[[event, …], …]` or `{"replies": [[…], …]}`. Throws naming the file. */
export function readReplyScript(file: string): unknown[][] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: cannot read the reply script (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const replies = Array.isArray(parsed) ? parsed : (parsed as { replies?: unknown } | null)?.replies;
  if (!Array.isArray(replies) || !replies.every((batch) => Array.isArray(batch))) {
    throw new Error(`${file}: a reply script is an array of batches (arrays of server events), or {"replies": [...]}`);
  }
  return replies as unknown[][];
}

function describeMode(options: SimulateOptions, replies: unknown[][] | undefined): string {
  if (replies !== undefined) {
    return `scripted mode: ${replies.length} reply batch(es) from ${options.script}; batch i is sent after the (i+1)-th client message`;
  }
  const handoff =
    options.protocol === 'v2'
      ? 'a background_agent function call'
      : options.protocol === 'live'
        ? 'session.delegation.created, its last words arriving late'
        : 'conversation.handoff.requested';
  const heard = (options.heard ?? []).length > 0 ? (options.heard as string[]) : ['Hello, can you hear me?'];
  return (
    `demo mode (answers stream at ${options.speed ?? 1}x real time): it answers "You said: ..."; ` +
    `a request mentioning "agent" or "look up" is handed off with ${handoff}\n` +
    `  it does not recognise speech: each utterance its VAD detects in your audio is heard as ${heard.map((text) => JSON.stringify(text)).join(', then ')}`
  );
}

/**
 * `parley simulate`: starts the {@link RealtimeSimulator} (from `@parley/testkit`) on loopback and prints
 * its URL and how to connect Parley to it; then logs connections to `output.out` and refused
 * handshakes to `output.err`. Resolves once listening; the caller keeps the process alive and
 * calls `close()` (e.g. on Ctrl-C). Rejects on an unreadable script or a port in use.
 */
export async function runSimulateCommand(options: SimulateOptions, output: Output): Promise<RunningSimulator> {
  const replies = options.script !== undefined ? readReplyScript(options.script) : undefined;
  const simulator = new RealtimeSimulator({
    protocol: options.protocol,
    host: options.host,
    port: options.port,
    mode: replies !== undefined ? 'scripted' : 'demo',
    replies,
    speed: options.speed,
    heard: options.heard,
  });
  const { url } = await simulator.start();
  simulator.on('connection', (connection) => {
    const query = new URLSearchParams(connection.handshake.query).toString();
    output.out(`connection ${connection.id} opened: ${connection.handshake.path}${query === '' ? '' : `?${query}`}\n`);
  });
  simulator.on('disconnect', (connection, code, reason) => {
    output.out(`connection ${connection.id} closed: ${code}${reason === '' ? '' : ` ${reason}`}\n`);
  });
  simulator.on('rejected', (handshake) => {
    output.err(`refused a handshake on ${handshake.path}: ${handshake.status} ${handshake.body ?? ''}\n`);
  });
  const wsUrl = `${url.replace(/^http/, 'ws')}${options.protocol === 'live' ? '/v1/live/sessions' : '/v1/realtime'}`;
  output.out(
    [
      `Parley realtime simulator (${options.protocol}) listening on ${url} (pid ${process.pid})`,
      `  WebSocket endpoint: ${wsUrl}${options.protocol === 'v1' ? '?intent=quicksilver' : ''}`,
      `  ${describeMode(options, replies)}`,
      '',
      'Connect Parley to it (no API key is needed on loopback):',
      `  parley connect --protocol ${options.protocol} --url ${url} --text "hello"`,
      `  or set PARLEY_PROTOCOL=${options.protocol} PARLEY_REALTIME_URL=${url}`,
      '',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  return { url, close: () => simulator.close() };
}
