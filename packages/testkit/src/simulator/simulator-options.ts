import { defaultDemoAnswer } from './demo-model.js';
import type { EnergyVadOptions } from './energy-vad.js';

/** The realtime dialect a simulator speaks (spec 02 and 03). */
export type SimulatorProtocol = 'v1' | 'v2';

/** How a simulator decides what to send. */
export type SimulatorMode = 'scripted' | 'demo';

/** Options of a {@link RealtimeSimulator}; everything but `protocol` has a default. */
export interface RealtimeSimulatorOptions {
  /** `v1` (quicksilver: the server hands off) or `v2` (OpenAI Realtime GA events, function-call handoff). */
  protocol: SimulatorProtocol;
  /** Interface to listen on. Default `127.0.0.1` (loopback: Parley needs no API key there). */
  host?: string;
  /** Port to listen on. Default 0: a free port, read it from the URL `start()` returns. */
  port?: number;
  /**
   * `scripted`: send the batches of `replies`; `demo`: play a deterministic speech model.
   * Default: `scripted` when `replies` is given, else `demo`.
   */
  mode?: SimulatorMode;
  /**
   * Scripted mode: batch i (0-based) is sent, in order, right after the (i+1)-th client message of
   * a connection arrives (the first client message is Parley's `session.update`). Each object is
   * sent as one JSON text frame; a string is sent as a raw text frame (e.g. invalid JSON). Client
   * messages beyond the last batch get no reply. Default `[]`.
   */
  replies?: unknown[][];
  /** Demo mode: how many times faster than real time answers are streamed. `Infinity`: all at once. Default 4. */
  speed?: number;
  /**
   * Demo mode: what the VAD "hears" for successive audio turns of a connection (cycled).
   * Default `['Hello, can you hear me?']`.
   */
  transcripts?: string[];
  /** Demo mode: the answer to a user turn that is not handed off. Default: `You said: <text>.` */
  answer?: (userText: string) => string;
  /**
   * Demo mode, v1: delay (real ms, not scaled by `speed`) between `conversation.handoff.requested`
   * and the late tail of the user's transcript; the assistant's "On it." follows after twice this.
   * Default 150 (so both land inside Parley's 1 s grace).
   */
  handoffLateMs?: number;
  /** Demo mode: energy VAD tuning (threshold 500 RMS, start after 60 ms voiced, stop after 400 ms silent). */
  vad?: EnergyVadOptions;
  /** Demo mode: model name reported in the v2 session when the URL has no `model`. Default `gpt-realtime`. */
  model?: string;
  /**
   * Keep every parsed client message in `connection.messages`. Default true; turn off for long
   * benchmarks (the `message` event still fires).
   */
  recordMessages?: boolean;
}

/** Options with every default filled in. */
export interface ResolvedSimulatorOptions {
  protocol: SimulatorProtocol;
  host: string;
  port: number;
  mode: SimulatorMode;
  replies: unknown[][];
  speed: number;
  transcripts: string[];
  answer: (userText: string) => string;
  handoffLateMs: number;
  vad: EnergyVadOptions;
  model: string;
  recordMessages: boolean;
}

/** Fills the defaults and validates; throws a `TypeError` that names the bad option. */
export function resolveSimulatorOptions(options: RealtimeSimulatorOptions): ResolvedSimulatorOptions {
  if (options.protocol !== 'v1' && options.protocol !== 'v2') {
    throw new TypeError(`simulator protocol must be "v1" or "v2", got ${JSON.stringify(options.protocol)}`);
  }
  const mode = options.mode ?? (options.replies !== undefined ? 'scripted' : 'demo');
  if (mode !== 'scripted' && mode !== 'demo')
    throw new TypeError(`simulator mode must be "scripted" or "demo", got ${JSON.stringify(mode)}`);
  const replies = options.replies ?? [];
  if (!Array.isArray(replies) || !replies.every((batch) => Array.isArray(batch))) {
    throw new TypeError('simulator replies must be an array of arrays (one batch of server events per client message)');
  }
  const speed = options.speed ?? 4;
  if (!(speed > 0)) throw new TypeError(`simulator speed must be a positive number, got ${String(speed)}`);
  const transcripts = options.transcripts ?? ['Hello, can you hear me?'];
  if (transcripts.length === 0) throw new TypeError('simulator transcripts must not be empty');
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new TypeError(`simulator port must be an integer 0-65535, got ${String(port)}`);
  return {
    protocol: options.protocol,
    host: options.host ?? '127.0.0.1',
    port,
    mode,
    replies,
    speed,
    transcripts,
    answer: options.answer ?? defaultDemoAnswer,
    handoffLateMs: Math.max(0, options.handoffLateMs ?? 150),
    vad: options.vad ?? {},
    model: options.model ?? 'gpt-realtime',
    recordMessages: options.recordMessages ?? true,
  };
}
