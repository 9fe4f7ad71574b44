import { asRecord } from './simulator-dialect.js';
import type { G711Law } from './audio-codec.js';

/** An audio format of the GA API: PCM16 24 kHz, or G.711 μ-law / A-law at 8 kHz. */
export type V2AudioFormat = 'audio/pcm' | 'audio/pcmu' | 'audio/pcma';

/** The G.711 law of a format, or undefined for PCM16. */
export function formatLaw(format: V2AudioFormat): G711Law | undefined {
  return format === 'audio/pcmu' ? 'mulaw' : format === 'audio/pcma' ? 'alaw' : undefined;
}

/** The wire object of a format (`{type: "audio/pcm", rate: 24000}`, `{type: "audio/pcmu"}`). */
export function formatObject(format: V2AudioFormat): Record<string, unknown> {
  return format === 'audio/pcm' ? { type: format, rate: 24000 } : { type: format };
}

/** A session setting the simulator refused (sent back as an `invalid_value` error). */
export interface V2SessionProblem {
  message: string;
  param: string;
}

/** Silence (ms) the energy VAD waits for, per semantic-VAD eagerness (an approximation: there is no semantics here). */
const EAGERNESS_SILENCE_MS: Record<string, number> = { low: 800, medium: 500, auto: 500, high: 300 };
const SERVER_VAD_KEYS = [
  'threshold',
  'prefix_padding_ms',
  'silence_duration_ms',
  'idle_timeout_ms',
  'create_response',
  'interrupt_response',
];
const SEMANTIC_VAD_KEYS = ['eagerness', 'create_response', 'interrupt_response'];
const TRANSCRIPTION_KEYS = ['model', 'language', 'prompt'];
const FORMATS: readonly string[] = ['audio/pcm', 'audio/pcmu', 'audio/pcma'];
const NOISE_REDUCTION_TYPES: readonly string[] = ['near_field', 'far_field'];

/**
 * The effective session of a v2 connection, kept in the GA wire shape, as the live API keeps it:
 * created from the URL (`?intent=transcription` makes a transcription session; `model`), changed by
 * `session.update` (top-level keys replace, `audio.input.*` / `audio.output.*` keys replace one by
 * one, `null` turns a setting off), and echoed by {@link echo} for `session.created` and
 * `session.updated`. Turn detection is filled with the API's defaults for its own type only:
 * server VAD `threshold 0.5, prefix_padding_ms 300, silence_duration_ms 500, idle_timeout_ms null,
 * create_response true, interrupt_response true`; semantic VAD `eagerness "auto", create_response
 * true, interrupt_response true`. Transcription and noise reduction are off until configured.
 */
export class V2SessionConfig {
  type: 'realtime' | 'transcription';
  model: string;
  instructions = '';
  outputModalities: string[] = ['audio'];
  voice = 'marin';
  outputSpeed = 1;
  tools: unknown[] = [];
  toolChoice: unknown = 'auto';
  tracing: unknown = null;
  include: unknown[] | undefined;
  maxOutputTokens: unknown = 'inf';
  truncation: unknown = 'auto';
  prompt: unknown = null;
  inputFormat: V2AudioFormat = 'audio/pcm';
  outputFormat: V2AudioFormat = 'audio/pcm';
  /** `audio.input.noise_reduction` as configured; undefined = off. */
  noiseReduction: Record<string, unknown> | undefined;
  /** `audio.input.transcription` as configured; undefined = off (no transcription events). */
  transcription: Record<string, unknown> | undefined;
  /** `audio.input.turn_detection` with defaults filled in; `null` = none (push-to-talk). */
  turnDetection: Record<string, unknown> | null;

  constructor(
    readonly id: string,
    type: 'realtime' | 'transcription',
    model: string,
  ) {
    this.type = type;
    this.model = model;
    this.turnDetection = this.withDefaults({ type: 'server_vad' });
  }

  /** Whether the session answers on its own when the VAD ends a turn (`create_response`). */
  get createsResponse(): boolean {
    return this.type === 'realtime' && this.turnDetection !== null && this.turnDetection['create_response'] !== false;
  }

  /** Whether speech cancels the active response (`interrupt_response`). */
  get interruptsResponse(): boolean {
    return this.type === 'realtime' && this.turnDetection !== null && this.turnDetection['interrupt_response'] !== false;
  }

  /** `idle_timeout_ms` of a realtime session's server VAD (a positive number), else undefined. */
  get idleTimeoutMs(): number | undefined {
    const detection = this.turnDetection;
    if (this.type !== 'realtime' || detection === null || detection['type'] !== 'server_vad') return undefined;
    const timeout = detection['idle_timeout_ms'];
    return typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0 ? timeout : undefined;
  }

  /** Silence that ends a VAD turn: `silence_duration_ms` (server VAD) or by eagerness (semantic VAD). */
  get silenceMs(): number {
    const detection = this.turnDetection;
    if (detection === null) return 500;
    if (detection['type'] === 'semantic_vad') return EAGERNESS_SILENCE_MS[String(detection['eagerness'])] ?? 500;
    return typeof detection['silence_duration_ms'] === 'number' ? detection['silence_duration_ms'] : 500;
  }

  /** Applies a `session.update`'s `session`; returns the first problem (and changes nothing) or undefined. */
  apply(update: Record<string, unknown>): V2SessionProblem | undefined {
    const next = this.clone();
    const problem = next.merge(update);
    if (problem !== undefined) return problem;
    Object.assign(this, next);
    return undefined;
  }

  /** The `session` object of `session.created` / `session.updated`, in the GA shape. */
  echo(): Record<string, unknown> {
    const input: Record<string, unknown> = { format: formatObject(this.inputFormat) };
    if (this.noiseReduction !== undefined) input['noise_reduction'] = { ...this.noiseReduction };
    if (this.transcription !== undefined) input['transcription'] = { ...this.transcription };
    input['turn_detection'] = this.turnDetection === null ? null : { ...this.turnDetection };
    const include = this.include === undefined ? {} : { include: [...this.include] };
    if (this.type === 'transcription') {
      return { type: 'transcription', object: 'realtime.transcription_session', id: this.id, audio: { input }, ...include };
    }
    return {
      type: 'realtime',
      object: 'realtime.session',
      id: this.id,
      model: this.model,
      output_modalities: [...this.outputModalities],
      instructions: this.instructions,
      tools: this.tools,
      tool_choice: this.toolChoice,
      max_output_tokens: this.maxOutputTokens,
      tracing: this.tracing,
      truncation: this.truncation,
      prompt: this.prompt,
      audio: { input, output: { format: formatObject(this.outputFormat), voice: this.voice, speed: this.outputSpeed } },
      ...include,
    };
  }

  private clone(): V2SessionConfig {
    return Object.assign(Object.create(V2SessionConfig.prototype) as V2SessionConfig, this);
  }

  private merge(update: Record<string, unknown>): V2SessionProblem | undefined {
    const type = update['type'];
    if (type !== this.type) {
      return {
        message: `Invalid value: '${String(type)}'. This is a ${this.type} session${this.type === 'realtime' ? ' (use ?intent=transcription in the URL for a transcription session)' : ''}.`,
        param: 'session.type',
      };
    }
    if (typeof update['instructions'] === 'string') this.instructions = update['instructions'];
    if (typeof update['model'] === 'string') this.model = update['model'];
    if (Array.isArray(update['output_modalities']))
      this.outputModalities = update['output_modalities'].filter((m): m is string => m === 'audio' || m === 'text');
    if (Array.isArray(update['tools'])) this.tools = update['tools'];
    if (update['tool_choice'] !== undefined) this.toolChoice = update['tool_choice'];
    if ('tracing' in update) this.tracing = update['tracing'];
    if ('prompt' in update) this.prompt = update['prompt'];
    if (update['max_output_tokens'] !== undefined) this.maxOutputTokens = update['max_output_tokens'];
    if (update['truncation'] !== undefined) this.truncation = update['truncation'];
    if ('include' in update) this.include = Array.isArray(update['include']) ? update['include'] : undefined;
    const audio = asRecord(update['audio']);
    const output = asRecord(audio?.['output']);
    if (output !== undefined) {
      if (typeof output['voice'] === 'string') this.voice = output['voice'];
      if (typeof output['speed'] === 'number') this.outputSpeed = output['speed'];
      if (output['format'] !== undefined) {
        const format = this.format(output['format'], 'session.audio.output.format');
        if (typeof format !== 'string') return format;
        this.outputFormat = format;
      }
    }
    const input = asRecord(audio?.['input']);
    if (input === undefined) return undefined;
    if (input['format'] !== undefined) {
      const format = this.format(input['format'], 'session.audio.input.format');
      if (typeof format !== 'string') return format;
      this.inputFormat = format;
    }
    if ('noise_reduction' in input) {
      const noise = asRecord(input['noise_reduction']);
      if (noise !== undefined && !NOISE_REDUCTION_TYPES.includes(String(noise['type']))) {
        return {
          message: `Invalid value: '${String(noise['type'])}'. Supported values are: 'near_field', 'far_field'.`,
          param: 'session.audio.input.noise_reduction.type',
        };
      }
      this.noiseReduction = noise === undefined ? undefined : { ...noise };
    }
    if ('transcription' in input) {
      const transcription = asRecord(input['transcription']);
      if (transcription !== undefined && typeof transcription['model'] !== 'string') {
        return {
          message: "Missing required parameter: 'session.audio.input.transcription.model'.",
          param: 'session.audio.input.transcription.model',
        };
      }
      this.transcription = transcription === undefined ? undefined : pick(transcription, TRANSCRIPTION_KEYS);
    }
    if ('turn_detection' in input) {
      const detection = asRecord(input['turn_detection']);
      if (detection === undefined) this.turnDetection = null;
      else {
        if (detection['type'] !== 'server_vad' && detection['type'] !== 'semantic_vad') {
          return {
            message: `Invalid value: '${String(detection['type'])}'. Supported values are: 'server_vad', 'semantic_vad'.`,
            param: 'session.audio.input.turn_detection.type',
          };
        }
        this.turnDetection = this.withDefaults(detection);
      }
    }
    return undefined;
  }

  private format(value: unknown, param: string): V2AudioFormat | V2SessionProblem {
    const type = asRecord(value)?.['type'];
    if (typeof type === 'string' && FORMATS.includes(type)) return type as V2AudioFormat;
    return {
      message: `Invalid value: '${String(type)}'. Supported values are: 'audio/pcm', 'audio/pcmu', 'audio/pcma'.`,
      param: `${param}.type`,
    };
  }

  /** The API's defaults for the detection's own type, overridden by what was sent (other types' keys dropped). */
  private withDefaults(detection: Record<string, unknown>): Record<string, unknown> {
    // A transcription session never answers: it echoes no response keys.
    const keys = this.type === 'transcription' ? ['create_response', 'interrupt_response', 'idle_timeout_ms'] : [];
    const filled: Record<string, unknown> =
      detection['type'] === 'semantic_vad'
        ? {
            type: 'semantic_vad',
            eagerness: 'auto',
            create_response: true,
            interrupt_response: true,
            ...pick(detection, SEMANTIC_VAD_KEYS),
          }
        : this.serverVad(detection);
    for (const key of keys) delete filled[key];
    return filled;
  }

  private serverVad(detection: Record<string, unknown>): Record<string, unknown> {
    return {
      type: 'server_vad',
      threshold: 0.5,
      prefix_padding_ms: 300,
      silence_duration_ms: 500,
      idle_timeout_ms: null,
      create_response: true,
      interrupt_response: true,
      ...pick(detection, SERVER_VAD_KEYS),
    };
  }
}

function pick(record: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key of keys) if (record[key] !== undefined) picked[key] = record[key];
  return picked;
}
