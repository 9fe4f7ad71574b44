import convict from 'convict';
import type { ServiceIdentifier } from 'inversify';
import { protectConfig } from './config-redaction.js';
import { messageOf } from './error-message.js';
import { ParleyError } from './parley-error.js';
import { LOG_LEVELS, type LogLevel } from './pino-logger.js';
import { DEFAULT_BACKGROUND_STARTED_OUTPUT } from './tool-output.js';

function positiveInt(name: string): (value: unknown) => void {
  return (value: unknown) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new Error(`${name} must be a positive integer`);
    }
  };
}

function timeoutMs(name: string): (value: unknown) => void {
  return (value: unknown) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2147483647) {
      throw new Error(`${name} must be a whole number of milliseconds from 1 to 2147483647`);
    }
  };
}

function delegateTimeoutMs(name: string): (value: unknown) => void {
  return (value: unknown) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 2147483647) {
      throw new Error(`${name} must be a whole number of milliseconds from 0 (no limit) to 2147483647`);
    }
  };
}

function nonNegativeInt(name: string): (value: unknown) => void {
  return (value: unknown) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new Error(`${name} must be an integer >= 0`);
    }
  };
}

function intInRange(name: string, min: number, max: number): (value: unknown) => void {
  return (value: unknown) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new Error(`${name} must be an integer from ${min} to ${max}`);
    }
  };
}

function optionalNumberIn(name: string, min: number, max: number): (value: unknown) => void {
  return (value: unknown) => {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new Error(`${name} must be a number from ${min} to ${max} when set`);
    }
  };
}

function optionalInt(name: string, min: number): (value: unknown) => void {
  return (value: unknown) => {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw new Error(`${name} must be an integer >= ${min} when set`);
    }
  };
}

function stringMap(name: string): (value: unknown) => void {
  return (value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error(`${name} must be an object of string values`);
    }
    for (const [key, item] of Object.entries(value)) {
      if (typeof item !== 'string') throw new Error(`${name}.${key} must be a string`);
    }
  };
}

/** The audio formats of `realtime.audio.format` (v1 accepts only `pcm16`). */
export const AUDIO_FORMATS = ['pcm16', 'pcmu', 'pcma'] as const;

/** An audio format: `pcm16` (24 kHz, 2 bytes per sample), `pcmu` / `pcma` (G.711, 8 kHz, 1 byte per sample). */
export type AudioFormat = (typeof AUDIO_FORMATS)[number];

/** The turn-detection types of `realtime.v2.turnDetection.type` (`none` = push-to-talk). */
export const TURN_DETECTION_TYPES = ['server_vad', 'semantic_vad', 'none'] as const;

/** A turn-detection type. */
export type TurnDetectionType = (typeof TURN_DETECTION_TYPES)[number];

/**
 * The one convict schema of Parley. Every leaf has `doc`, `format`, `default`, and `env` where a
 * user would set it from the shell. Key paths are fixed: scenario files and users' config name them.
 */
export const parleyConfigSchema = {
  realtime: {
    protocol: {
      doc: 'Protocol strategy id: "v1", "v2", or the id of a strategy you registered.',
      format: String,
      default: 'v2',
      env: 'PARLEY_PROTOCOL',
    },
    url: {
      doc: 'Base URL of the realtime server (http, https, ws or wss); the path is completed per spec 06.',
      format: String,
      default: 'https://api.openai.com/v1',
      env: 'PARLEY_REALTIME_URL',
    },
    model: {
      doc: 'Model sent as the `model` query parameter; "" sends none (the server chooses).',
      format: String,
      default: 'gpt-realtime-1.5',
      env: 'PARLEY_MODEL',
    },
    apiKey: {
      doc: 'API key, sent only as `Authorization: Bearer`. Not needed for loopback servers.',
      format: String,
      default: '',
      env: 'OPENAI_API_KEY',
      sensitive: true,
    },
    voice: {
      doc: 'Output voice; "" means the protocol default (v1: cove, v2: marin).',
      format: String,
      default: '',
      env: 'PARLEY_VOICE',
    },
    instructions: {
      doc: 'System instructions sent in session.update.',
      format: String,
      default: '',
    },
    outputModality: {
      doc: 'Assistant output modality: "audio", or "text" (v2 only).',
      format: ['audio', 'text'],
      default: 'audio',
    },
    mode: {
      doc: 'Session mode: "conversational", or "transcription" (v2 only; v1 treats it as conversational).',
      format: ['conversational', 'transcription'],
      default: 'conversational',
    },
    audio: {
      format: {
        doc: 'Audio format of input and output: "pcm16" (16-bit PCM, 24 kHz), or (v2 only) "pcmu" / "pcma" (G.711 μ-law / A-law, 8 kHz).',
        format: [...AUDIO_FORMATS] as string[],
        default: 'pcm16' as string,
        env: 'PARLEY_AUDIO_FORMAT',
      },
    },
    query: {
      doc: 'Extra query parameters added to the URL (`intent`, and `model` when a model is set, are ignored).',
      format: stringMap('realtime.query'),
      default: {} as Record<string, string>,
    },
    headers: {
      doc: 'Extra handshake headers; per-start headers override them.',
      format: stringMap('realtime.headers'),
      default: {} as Record<string, string>,
    },
    v1: {
      handoffGraceMs: {
        doc: 'V1 delayed delegation: how long after a handoff the delegation takes the transcript (ms).',
        format: nonNegativeInt('realtime.v1.handoffGraceMs'),
        default: 1000,
      },
    },
    v2: {
      toolDescription: {
        doc: 'V2: description of the background_agent tool; "" uses the built-in description.',
        format: String,
        default: '',
      },
      transcription: {
        model: {
          doc: 'V2: input transcription model (audio.input.transcription.model); "" turns input transcription off.',
          format: String,
          default: 'gpt-4o-mini-transcribe',
          env: 'PARLEY_TRANSCRIPTION_MODEL',
        },
        language: {
          doc: 'V2: language of the input audio (ISO-639-1, e.g. "en"); "" omits it.',
          format: String,
          default: '',
        },
        prompt: {
          doc: 'V2: prompt guiding the input transcription; "" omits it.',
          format: String,
          default: '',
        },
      },
      turnDetection: {
        type: {
          doc: 'V2: turn detection: "server_vad", "semantic_vad", or "none" (push-to-talk: commitInput() and requestResponse()).',
          format: [...TURN_DETECTION_TYPES] as string[],
          default: 'server_vad' as string,
          env: 'PARLEY_TURN_DETECTION',
        },
        threshold: {
          doc: 'V2 server_vad: activation threshold 0.0–1.0; not set = the server default (omitted).',
          format: optionalNumberIn('realtime.v2.turnDetection.threshold', 0, 1),
          default: undefined as number | undefined,
        },
        prefixPaddingMs: {
          doc: 'V2 server_vad: audio kept before detected speech (ms); not set = omitted.',
          format: optionalInt('realtime.v2.turnDetection.prefixPaddingMs', 0),
          default: undefined as number | undefined,
        },
        silenceDurationMs: {
          doc: 'V2 server_vad: silence that ends a turn (ms); not set = omitted.',
          format: optionalInt('realtime.v2.turnDetection.silenceDurationMs', 0),
          default: undefined as number | undefined,
        },
        idleTimeoutMs: {
          doc: 'V2 server_vad, conversational only: idle time before the server prompts the user (ms, > 0); not set = omitted.',
          format: optionalInt('realtime.v2.turnDetection.idleTimeoutMs', 1),
          default: undefined as number | undefined,
        },
        eagerness: {
          doc: "V2 semantic_vad: how eagerly the model ends the user's turn: low, medium, high or auto.",
          format: ['low', 'medium', 'high', 'auto'],
          default: 'auto' as string,
        },
        createResponse: {
          doc: 'V2 (VAD, conversational): the server creates a response when a turn ends.',
          format: Boolean,
          default: true,
        },
        interruptResponse: {
          doc: 'V2 (VAD, conversational): speech interrupts the assistant (and Parley truncates what was not heard).',
          format: Boolean,
          default: true,
        },
      },
      noiseReduction: {
        doc: 'V2: input noise reduction: "near_field", "far_field", or "off" (omitted).',
        format: ['near_field', 'far_field', 'off'],
        default: 'near_field' as string,
        env: 'PARLEY_NOISE_REDUCTION',
      },
    },
    live: {
      delegation: {
        doc: 'Live (spec 08): who answers delegations, "client" (Parley routes them) or "responses" (a hosted Responses model); fixed for the session.',
        format: ['client', 'responses'],
        default: 'client' as 'client' | 'responses',
        env: 'PARLEY_LIVE_DELEGATION',
      },
      responses: {
        doc: 'Live responses mode: the backend, sent as delegation.responses with the session tools (a JSON object; `model` required).',
        // convict's built-in `Object` format makes the key a leaf: a backend with nested objects
        // (`reasoning: { effort }`) is taken whole, not walked as undeclared schema keys.
        format: Object,
        default: {} as Record<string, unknown>,
      },
      delegationGraceMs: {
        doc: 'Live: the longest a client delegation waits for the input transcript to reach its offset (ms).',
        format: nonNegativeInt('realtime.live.delegationGraceMs'),
        default: 1000,
        env: 'PARLEY_LIVE_DELEGATION_GRACE_MS',
      },
      appendTokenBudget: {
        doc: 'Live: estimated tokens per context append (1-500; the server limit is 500); longer text is chunked.',
        format: intInRange('realtime.live.appendTokenBudget', 1, 500),
        default: 450,
      },
      replyPrompt: {
        doc: 'Live: what requestResponse() sends as commentary; "" makes requestResponse() a no-op.',
        format: String,
        default: "Respond to the user's latest message now.",
      },
      startTimeoutMs: {
        doc: 'Live: how long to wait for session.started after session.start (ms).',
        format: positiveInt('realtime.live.startTimeoutMs'),
        default: 10000,
      },
      closeTimeoutMs: {
        doc: 'Live: how long close() waits for session.closed (ms; the server drains for up to 10 s).',
        format: nonNegativeInt('realtime.live.closeTimeoutMs'),
        default: 10000,
      },
      alphaHeader: {
        doc: 'Live: the openai-alpha header. "auto": quicksilver=v3 for models ending in -alpha, else none; "": never; other: sent as given.',
        format: String,
        default: 'auto',
      },
    },
    queues: {
      audioIn: {
        doc: 'Audio frames queued for sending; when full, frames are dropped and counted.',
        format: positiveInt('realtime.queues.audioIn'),
        default: 256,
      },
      textIn: {
        doc: 'User texts and response requests queued for sending; when full, callers await space.',
        format: positiveInt('realtime.queues.textIn'),
        default: 64,
      },
      handoffOut: {
        doc: 'Assistant outputs and turn completions queued; when full, callers await space.',
        format: positiveInt('realtime.queues.handoffOut'),
        default: 64,
      },
      events: {
        doc: 'Events buffered per event iterator; when full, the transport is paused.',
        format: positiveInt('realtime.queues.events'),
        default: 256,
      },
      eventBytes: {
        doc: 'Bytes of events (their inbound frames) buffered per event iterator; when reached, the transport is paused.',
        format: positiveInt('realtime.queues.eventBytes'),
        default: 4 * 1024 * 1024,
      },
      toolOut: {
        doc: 'Tool answers and background results queued for sending (from tools and sendToolOutput); when full, writers await space.',
        format: positiveInt('realtime.queues.toolOut'),
        default: 64,
      },
    },
    closeDrainMs: {
      doc: 'How long close() keeps sending the inputs already accepted while the socket is congested (ms); what is still queued after that is discarded and counted. 0 = never wait for a congested socket.',
      format: nonNegativeInt('realtime.closeDrainMs'),
      default: 5000,
    },
    delegate: {
      timeoutMs: {
        doc: 'How long a bound HandoffDelegate may work on one delegation before its turn is aborted and finished with a failure text (ms; 0 = no limit).',
        format: delegateTimeoutMs('realtime.delegate.timeoutMs'),
        default: 120000,
      },
    },
    tools: {
      timeoutMs: {
        doc: 'How long a blocking or declared tool call may take before it is answered with a timeout error (ms, 1 to 2147483647).',
        format: timeoutMs('realtime.tools.timeoutMs'),
        default: 30000,
        env: 'PARLEY_TOOL_TIMEOUT_MS',
      },
      backgroundTimeoutMs: {
        doc: 'How long a background tool call may take before its result is a timeout error (ms, 1 to 2147483647).',
        format: timeoutMs('realtime.tools.backgroundTimeoutMs'),
        default: 600000,
      },
      backgroundStartedOutput: {
        doc: "A background tool call's immediate answer, sent before its result.",
        format: String,
        default: DEFAULT_BACKGROUND_STARTED_OUTPUT,
      },
    },
    text: {
      maxChars: {
        doc: 'Longest user text or assistant output accepted (characters).',
        format: positiveInt('realtime.text.maxChars'),
        default: 65536,
      },
    },
    transcript: {
      maxEntryChars: {
        doc: 'Longest active-transcript entry (characters): the newest are kept, the older ones dropped and counted.',
        format: positiveInt('realtime.transcript.maxEntryChars'),
        default: 16384,
      },
      maxEntries: {
        doc: 'Most active-transcript entries kept; the oldest are dropped and counted beyond it.',
        format: positiveInt('realtime.transcript.maxEntries'),
        default: 256,
      },
    },
    reconnect: {
      enabled: { doc: 'Reconnect after an abnormal close (opt-in).', format: Boolean, default: false, env: 'PARLEY_RECONNECT' },
      maxAttempts: { doc: 'Reconnection attempts before giving up.', format: positiveInt('realtime.reconnect.maxAttempts'), default: 5 },
      initialDelayMs: {
        doc: 'First backoff delay (ms); doubles each attempt, with jitter.',
        format: nonNegativeInt('realtime.reconnect.initialDelayMs'),
        default: 250,
      },
      maxDelayMs: { doc: 'Longest backoff delay (ms).', format: nonNegativeInt('realtime.reconnect.maxDelayMs'), default: 10000 },
      stableAfterMs: {
        doc: 'How long a connection must stay up before the attempt counter and backoff start over (ms); a server that drops every connection sooner ends the conversation after maxAttempts.',
        format: nonNegativeInt('realtime.reconnect.stableAfterMs'),
        default: 10000,
      },
    },
  },
  transport: {
    ws: {
      maxPayloadBytes: {
        doc: 'Largest inbound WebSocket frame accepted (bytes); a larger one is fatal for that conversation.',
        format: positiveInt('transport.ws.maxPayloadBytes'),
        default: 16 * 1024 * 1024,
      },
      connectTimeoutMs: {
        doc: 'How long the WebSocket handshake may take (ms).',
        format: positiveInt('transport.ws.connectTimeoutMs'),
        default: 10000,
      },
      allowInsecure: {
        doc: 'Allow ws:// and http:// URLs to non-loopback hosts.',
        format: Boolean,
        default: false,
        env: 'PARLEY_ALLOW_INSECURE',
      },
      pingIntervalMs: {
        doc: 'Liveness: after this long without a check the client pings the server (ms); 0 = never ping.',
        format: nonNegativeInt('transport.ws.pingIntervalMs'),
        default: 15000,
      },
      pongTimeoutMs: {
        doc: 'Liveness: no pong (nor any other frame) within this long after a ping is a lost connection (ms); 0 = wait forever.',
        format: nonNegativeInt('transport.ws.pongTimeoutMs'),
        default: 10000,
      },
    },
  },
  log: {
    level: {
      doc: 'Log level: fatal, error, warn, info, debug, trace or silent.',
      format: [...LOG_LEVELS] as string[],
      default: 'info' as string,
      env: 'PARLEY_LOG_LEVEL',
    },
  },
};

/** The validated configuration: the convict schema's properties, fully typed. */
export interface ParleyConfig {
  realtime: {
    protocol: string;
    url: string;
    model: string;
    apiKey: string;
    voice: string;
    instructions: string;
    outputModality: 'audio' | 'text';
    mode: 'conversational' | 'transcription';
    audio: { format: AudioFormat };
    query: Record<string, string>;
    headers: Record<string, string>;
    v1: { handoffGraceMs: number };
    v2: {
      toolDescription: string;
      transcription: { model: string; language: string; prompt: string };
      turnDetection: {
        type: TurnDetectionType;
        threshold: number | undefined;
        prefixPaddingMs: number | undefined;
        silenceDurationMs: number | undefined;
        idleTimeoutMs: number | undefined;
        eagerness: 'low' | 'medium' | 'high' | 'auto';
        createResponse: boolean;
        interruptResponse: boolean;
      };
      noiseReduction: 'near_field' | 'far_field' | 'off';
    };
    live: {
      delegation: 'client' | 'responses';
      responses: Record<string, unknown>;
      delegationGraceMs: number;
      appendTokenBudget: number;
      replyPrompt: string;
      startTimeoutMs: number;
      closeTimeoutMs: number;
      alphaHeader: string;
    };
    queues: { audioIn: number; textIn: number; handoffOut: number; events: number; eventBytes: number; toolOut: number };
    closeDrainMs: number;
    delegate: { timeoutMs: number };
    tools: { timeoutMs: number; backgroundTimeoutMs: number; backgroundStartedOutput: string };
    text: { maxChars: number };
    transcript: { maxEntries: number; maxEntryChars: number };
    reconnect: { enabled: boolean; maxAttempts: number; initialDelayMs: number; maxDelayMs: number; stableAfterMs: number };
  };
  transport: {
    ws: { maxPayloadBytes: number; connectTimeoutMs: number; allowInsecure: boolean; pingIntervalMs: number; pongTimeoutMs: number };
  };
  log: { level: LogLevel };
}

/** Service identifier of the validated {@link ParleyConfig}. */
export const ParleyConfig = Symbol('ParleyConfig') as ServiceIdentifier<ParleyConfig>;

/** A partial {@link ParleyConfig}, as given in code, config files and scenario files. */
export type ParleyConfigInput = { [K in keyof ParleyConfig]?: DeepPartial<ParleyConfig[K]> };

/** Recursively optional. */
export type DeepPartial<T> = string extends keyof T ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** Options of {@link loadParleyConfig}. */
export interface LoadConfigOptions {
  /** Environment variables to read (default: none, so tests are isolated; pass `process.env` in apps). */
  env?: Record<string, string | undefined>;
  /** Config files (JSON) loaded before `overrides`. */
  files?: string[];
}

/**
 * `realtime.live.responses` is a JSON object; convict would try to parse a string given there as
 * JSON and fail with a message that names neither the key nor what to give. Checked first.
 */
function checkLiveResponses(overrides: ParleyConfigInput): void {
  const live = (overrides.realtime as { live?: { responses?: unknown } } | undefined)?.live;
  const value = live?.responses;
  if (typeof value !== 'string') return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ParleyError(
      'ERR_INVALID_CONFIG',
      'invalid configuration: realtime.live.responses must be a JSON object naming the backend, for example {"model":"gpt-5"}; got a string that is not one',
    );
  }
}

/**
 * Builds and strictly validates the configuration: defaults, then `files`, then `env`, then
 * `overrides` (so code and command-line flags win over the environment). Unknown keys and wrong types fail with `ERR_INVALID_CONFIG` naming the field.
 */
export function loadParleyConfig(overrides: ParleyConfigInput = {}, options: LoadConfigOptions = {}): ParleyConfig {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[key] = value;
  checkLiveResponses(overrides);
  try {
    // convict lets the environment win over load(); Parley wants code (and CLI flags) to win, so
    // the environment and files are resolved first and loaded as the base of a second instance.
    const base = convict(parleyConfigSchema, { env, args: [] });
    if (options.files && options.files.length > 0) base.loadFile(options.files);
    const config = convict(parleyConfigSchema, { env: {}, args: [] });
    config.load(base.getProperties());
    config.load(overrides);
    config.validate({ allowed: 'strict' });
    // Printing or serializing the config shows the API key and credential headers as [redacted].
    return protectConfig(config.getProperties() as unknown as ParleyConfig);
  } catch (error) {
    // convict appends ": value was <the value>" — which can be a secret (an Authorization header,
    // a key pasted into the wrong field). Name the field, never the value; keep no cause.
    const detail = messageOf(error).replace(/: value was [^\n]*/g, '');
    throw new ParleyError('ERR_INVALID_CONFIG', `invalid configuration: ${detail}`);
  }
}
