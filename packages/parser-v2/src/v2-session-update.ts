import type { AudioFormat, ParleyConfig, SessionSettings } from '@parley/core';
import {
  BACKGROUND_AGENT_TOOL_NAME,
  type BackgroundAgentTool,
  type V2AudioFormat,
  type V2AudioInput,
  type V2TranscriptionAudioInput,
  type V2InputTranscription,
  type V2NoiseReduction,
  type V2SemanticVad,
  type V2ServerVad,
  type V2SessionUpdateMessage,
  type V2TranscriptionSemanticVad,
  type V2TranscriptionServerVad,
  type V2UserFunctionTool,
  type V2UserTool,
} from './v2-client-messages.js';

/** The V2 session keys of the configuration (`realtime.v2`). */
export type V2SessionConfig = ParleyConfig['realtime']['v2'];

/** The voices V2 accepts, in the order the error message lists them. */
export const V2_VOICES: readonly string[] = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', 'cedar'];

/** The voice used when none is configured. */
export const DEFAULT_V2_VOICE = 'marin';

/**
 * The built-in description of the handoff tool (spec 03), used when
 * `realtime.v2.toolDescription` is `""`.
 */
export const DEFAULT_BACKGROUND_AGENT_DESCRIPTION =
  'Send a user request to the background agent. Use this as the default action. If the background agent is idle, this starts a new task and returns the final result to the user. If the background agent is already working on a task, this sends the request as guidance to steer that previous task. If the user asks to do something next, later, after this, or once current work finishes, call this tool so the work is actually queued instead of merely promising to do it later.';

/** Description of the handoff tool's `prompt` parameter. */
export const PROMPT_PARAMETER_DESCRIPTION = 'The user request to delegate to the background agent.';

/** The wire format of `realtime.audio.format` (spec 03): `pcm16` → PCM at 24 kHz; G.711 formats carry no rate. */
export function v2AudioFormat(format: AudioFormat | undefined): V2AudioFormat {
  if (format === 'pcmu') return { type: 'audio/pcmu' };
  if (format === 'pcma') return { type: 'audio/pcma' };
  return { type: 'audio/pcm', rate: 24000 };
}

/** `audio.input.transcription`, or `undefined` when the model is `""` (input transcription off). */
export function v2InputTranscription(v2: V2SessionConfig): V2InputTranscription | undefined {
  const { model, language, prompt } = v2.transcription;
  if (model === '') return undefined;
  const transcription: V2InputTranscription = { model };
  if (language !== '') transcription.language = language;
  if (prompt !== '') transcription.prompt = prompt;
  return transcription;
}

/** `audio.input.noise_reduction`, or `undefined` for `off`. */
export function v2NoiseReduction(v2: V2SessionConfig): V2NoiseReduction | undefined {
  return v2.noiseReduction === 'off' ? undefined : { type: v2.noiseReduction };
}

/**
 * `turn_detection` of a conversational session (spec 03): `none` → `null`; `semantic_vad` → its
 * eagerness; `server_vad` → the tuning keys that are set; both VAD types always carry
 * `interrupt_response` and `create_response`.
 */
export function v2TurnDetection(v2: V2SessionConfig): V2ServerVad | V2SemanticVad | null {
  const turn = v2.turnDetection;
  if (turn.type === 'none') return null;
  if (turn.type === 'semantic_vad') {
    return {
      type: 'semantic_vad',
      eagerness: turn.eagerness,
      interrupt_response: turn.interruptResponse,
      create_response: turn.createResponse,
    };
  }
  return {
    ...serverVadTuning(v2),
    ...(turn.idleTimeoutMs === undefined ? {} : { idle_timeout_ms: turn.idleTimeoutMs }),
    interrupt_response: turn.interruptResponse,
    create_response: turn.createResponse,
  };
}

/** `server_vad` with the tuning keys that are set (threshold, prefix padding, silence duration). */
function serverVadTuning(v2: V2SessionConfig): V2TranscriptionServerVad {
  const turn = v2.turnDetection;
  return {
    type: 'server_vad',
    ...(turn.threshold === undefined ? {} : { threshold: turn.threshold }),
    ...(turn.prefixPaddingMs === undefined ? {} : { prefix_padding_ms: turn.prefixPaddingMs }),
    ...(turn.silenceDurationMs === undefined ? {} : { silence_duration_ms: turn.silenceDurationMs }),
  };
}

/** `turn_detection` of a transcription session: only the type and its tuning keys. */
export function v2TranscriptionTurnDetection(v2: V2SessionConfig): V2TranscriptionServerVad | V2TranscriptionSemanticVad | null {
  const turn = v2.turnDetection;
  if (turn.type === 'none') return null;
  if (turn.type === 'semantic_vad') return { type: 'semantic_vad', eagerness: turn.eagerness };
  return serverVadTuning(v2);
}

/** The handoff tool with the given description (`""` = {@link DEFAULT_BACKGROUND_AGENT_DESCRIPTION}). */
export function backgroundAgentTool(description: string): BackgroundAgentTool {
  return {
    type: 'function',
    name: BACKGROUND_AGENT_TOOL_NAME,
    description: description === '' ? DEFAULT_BACKGROUND_AGENT_DESCRIPTION : description,
    parameters: {
      type: 'object',
      properties: { prompt: { type: 'string', description: PROMPT_PARAMETER_DESCRIPTION } },
      required: ['prompt'],
      additionalProperties: false,
    },
  };
}

/**
 * The first client message (spec 03), from the settings (`audioFormat`, default `pcm16`) and
 * `realtime.v2`. Transcription mode (`RealtimeTranscriptionSessionCreateRequest`): only
 * `audio.input` (format, transcription, noise reduction, turn detection without response keys).
 * Conversational: instructions, output modality (`audio` or `text`; everything else is the same
 * for both), `audio.input` (format, transcription unless the model is `""`, noise reduction unless
 * `off`, turn detection), `audio.output` (format, the voice: default `marin` when unset), then the
 * tools: the handoff tool first, then `settings.tools` in order (validated by `resolveV2Session`),
 * and `tool_choice: auto`. Keys that are not set are omitted, never `null` (except
 * `turn_detection: null` for `none`).
 */
export function buildV2SessionUpdate(settings: SessionSettings, v2: V2SessionConfig): V2SessionUpdateMessage {
  const format = v2AudioFormat(settings.audioFormat);
  const transcription = v2InputTranscription(v2);
  const noiseReduction = v2NoiseReduction(v2);
  const optional = {
    ...(transcription === undefined ? {} : { transcription }),
    ...(noiseReduction === undefined ? {} : { noise_reduction: noiseReduction }),
  };
  if (settings.mode === 'transcription') {
    const input: V2TranscriptionAudioInput = { format, ...optional, turn_detection: v2TranscriptionTurnDetection(v2) };
    return { type: 'session.update', session: { type: 'transcription', audio: { input } } };
  }
  const userTools = settings.tools as V2UserTool[];
  const input: V2AudioInput = { format, ...optional, turn_detection: v2TurnDetection(v2) };
  return {
    type: 'session.update',
    session: {
      type: 'realtime',
      instructions: settings.instructions,
      output_modalities: settings.outputModality === 'text' ? ['text'] : ['audio'],
      audio: {
        input,
        output: { format, voice: settings.voice === undefined || settings.voice === '' ? DEFAULT_V2_VOICE : settings.voice },
      },
      tools: [backgroundAgentTool(v2.toolDescription), ...boundToolDeclarations(settings), ...userTools],
      tool_choice: 'auto',
    },
  };
}

/** The bound tools (spec 09 §1.4), binding order, as `{"type":"function","name","description","parameters"}`. */
function boundToolDeclarations(settings: SessionSettings): V2UserFunctionTool[] {
  return (settings.boundTools ?? []).map((tool) => ({
    type: 'function',
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
  }));
}
