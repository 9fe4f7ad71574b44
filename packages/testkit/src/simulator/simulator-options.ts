import { defaultDemoAnswer } from './demo-model.js';
import type { EnergyVadOptions } from './energy-vad.js';

/** The realtime dialect a simulator speaks (spec 02 and 03). */
export type SimulatorProtocol = 'v1' | 'v2' | 'live';

/** How a simulator decides what to send. */
export type SimulatorMode = 'scripted' | 'demo';

/** How a simulated response ends (see `responseOutcomes`). */
export type SimulatedResponseOutcome = 'completed' | 'failed' | 'incomplete';

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
  /**
   * Demo mode: how many times faster than real time the simulated clock runs (answers, their audio).
   * Default 1: output audio is paced at real time, as live. Tests, demos and benchmarks set more
   * (e.g. 20) to run fast; `Infinity` sends each answer at once.
   */
  speed?: number;
  /**
   * Demo mode, v2: how much audio (ms of playback) the model generates ahead of real time. Frame k
   * of an answer goes out `max(0, k × 20 − audioLeadMs) / speed` ms after the answer starts, so
   * `response.done` (sent when generation ends) arrives `audioLeadMs` before the audio has played,
   * as live. Default 1000.
   */
  audioLeadMs?: number;
  /**
   * Demo mode, v2: send a VAD turn's input transcription after the automatic response has started
   * (`response.created` and its first deltas), as the live API may. Default false (before it).
   */
  userTranscriptAfterResponse?: boolean;
  /**
   * Demo mode, v2: how the n-th response of a connection ends (entry n−1; missing entries:
   * `completed`). `failed`: `response.done` status `failed` with no output and
   * `status_details.error` (`server_error`); `incomplete`: cut after half its words,
   * `status_details.reason` `max_output_tokens`. Default `[]`.
   */
  responseOutcomes?: SimulatedResponseOutcome[];
  /**
   * Demo mode, v2: the audio turns (1-based, per connection) whose transcription fails
   * (`conversation.item.input_audio_transcription.failed` instead of deltas and `.completed`).
   * Only when the session transcribes. Default `[]`.
   */
  transcriptionFailures?: number[];
  /**
   * Serve TLS (`https:` / `wss:`) with a self-signed certificate for `127.0.0.1` and `localhost`
   * generated at `start()` (or the `key`/`cert` PEM given). Clients must trust
   * `simulator.certificate` (e.g. `ca` in `ws`). Default false (plain `http:` / `ws:`).
   */
  tls?: boolean | { key: string; cert: string };
  /**
   * Demo mode: what the VAD "hears" for successive audio turns of a connection (cycled).
   * Default `['Hello, can you hear me?']`.
   */
  transcripts?: string[];
  /**
   * Demo mode: what the user is heard saying — one text per utterance the VAD detects in a
   * connection's audio, in order (cycled). The simulator does not recognise speech; this is what
   * `parley simulate --heard` sets. Takes precedence over `transcripts`, which it names for users.
   */
  heard?: string[];
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
  audioLeadMs: number;
  userTranscriptAfterResponse: boolean;
  responseOutcomes: SimulatedResponseOutcome[];
  transcriptionFailures: number[];
  tls: false | true | { key: string; cert: string };
  transcripts: string[];
  answer: (userText: string) => string;
  handoffLateMs: number;
  vad: EnergyVadOptions;
  model: string;
  recordMessages: boolean;
}

/** Fills the defaults and validates; throws a `TypeError` that names the bad option. */
export function resolveSimulatorOptions(options: RealtimeSimulatorOptions): ResolvedSimulatorOptions {
  if (options.protocol !== 'v1' && options.protocol !== 'v2' && options.protocol !== 'live') {
    throw new TypeError(`simulator protocol must be "v1", "v2" or "live", got ${JSON.stringify(options.protocol)}`);
  }
  const mode = options.mode ?? (options.replies !== undefined ? 'scripted' : 'demo');
  if (mode !== 'scripted' && mode !== 'demo')
    throw new TypeError(`simulator mode must be "scripted" or "demo", got ${JSON.stringify(mode)}`);
  const replies = options.replies ?? [];
  if (!Array.isArray(replies) || !replies.every((batch) => Array.isArray(batch))) {
    throw new TypeError('simulator replies must be an array of arrays (one batch of server events per client message)');
  }
  const speed = options.speed ?? 1;
  if (!(speed > 0)) throw new TypeError(`simulator speed must be a positive number, got ${String(speed)}`);
  const transcripts = options.heard ?? options.transcripts ?? ['Hello, can you hear me?'];
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
    audioLeadMs: Math.max(0, options.audioLeadMs ?? 1000),
    userTranscriptAfterResponse: options.userTranscriptAfterResponse ?? false,
    responseOutcomes: options.responseOutcomes ?? [],
    transcriptionFailures: options.transcriptionFailures ?? [],
    tls: options.tls ?? false,
    transcripts,
    answer: options.answer ?? defaultDemoAnswer,
    handoffLateMs: Math.max(0, options.handoffLateMs ?? 150),
    vad: options.vad ?? {},
    model: options.model ?? 'gpt-realtime',
    recordMessages: options.recordMessages ?? true,
  };
}
