import {
  isJsonObject,
  parseFrame,
  decodeServerError,
  type AudioOutEvent,
  type JsonObject,
  type RealtimeEvent,
  type SkipReason,
} from '@parley/core';
import { decodeFunctionCall, isUserFunctionCall } from './v2-tool-messages.js';
import { BACKGROUND_AGENT_TOOL_NAME } from './v2-client-messages.js';

/** Sample rate of `audioOut` when the frame names none. */
export const DEFAULT_OUTPUT_SAMPLE_RATE = 24000;

/** Channel count of `audioOut` when the frame names none. */
export const DEFAULT_OUTPUT_CHANNELS = 1;

/** Keys of the handoff call's arguments that may hold the routed text, in order of preference. */
export const HANDOFF_TEXT_KEYS: readonly string[] = ['input_transcript', 'input', 'text', 'prompt', 'query'];

/**
 * Decodes one V2 server frame (spec 03, "Server events"). Parses the JSON once and reads only the
 * fields it needs; never throws and never merges server JSON into the returned objects (except
 * `conversationItemAdded.item`, which is the server's JSON untouched by definition).
 *
 * Skips (returns the reason): invalid JSON; no string `type`; an unknown `type`; a missing or
 * mistyped required field (`invalid_fields`). Optional fields that are absent or mistyped are
 * omitted; fields with a default (`sample_rate` 24000, `channels`/`num_channels` 1, `arguments`
 * `""`) take it when absent or not a positive integer (resp. not a string). A server `error` is
 * returned with `fatal: true`: the session policy decides whether it is the response race.
 * `handoffRequested.activeTranscript` is `[]`; the policy fills it.
 */
export function decodeV2Frame(frame: string): RealtimeEvent | SkipReason {
  const message = parseFrame(frame);
  if (typeof message === 'string') return message;
  switch (message.type as string) {
    case 'response.output_audio.delta':
    case 'response.audio.delta':
      return decodeAudio(message);
    case 'response.output_text.delta':
    case 'response.output_audio_transcript.delta':
      return typeof message.delta === 'string' ? { type: 'outputTranscriptDelta', delta: message.delta } : 'invalid_fields';
    case 'conversation.item.input_audio_transcription.delta':
      return typeof message.delta === 'string' ? { type: 'inputTranscriptDelta', delta: message.delta } : 'invalid_fields';
    case 'conversation.item.input_audio_transcription.completed':
      return typeof message.transcript === 'string' ? { type: 'inputTranscriptDone', text: message.transcript } : 'invalid_fields';
    case 'response.output_text.done':
      return typeof message.text === 'string' ? { type: 'outputTranscriptDone', text: message.text } : 'invalid_fields';
    case 'response.output_audio_transcript.done':
      return typeof message.transcript === 'string' ? { type: 'outputTranscriptDone', text: message.transcript } : 'invalid_fields';
    case 'response.created':
      return responseLifecycle('responseCreated', message);
    case 'response.done':
      return responseLifecycle('responseDone', message);
    case 'response.cancelled':
      return responseLifecycle('responseCancelled', message);
    case 'input_audio_buffer.speech_started':
      return typeof message.item_id === 'string'
        ? { type: 'inputAudioSpeechStarted', itemId: message.item_id }
        : { type: 'inputAudioSpeechStarted' };
    case 'session.updated':
      return decodeSessionUpdated(message);
    case 'conversation.item.added':
    case 'conversation.item.created':
      return message.item === undefined ? 'invalid_fields' : { type: 'conversationItemAdded', item: message.item };
    case 'conversation.item.done':
      return isUserFunctionCall(message.item) ? decodeFunctionCall(message.item, 'item', undefined) : decodeItemDone(message);
    case 'response.output_item.done':
      return isUserFunctionCall(message.item) ? decodeFunctionCall(message.item, 'output_item', message.response_id) : 'unknown_type';
    case 'error':
      return decodeServerError(message);
    default:
      return 'unknown_type';
  }
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

function decodeAudio(message: JsonObject): AudioOutEvent | SkipReason {
  const data = message.delta;
  if (typeof data !== 'string') return 'invalid_fields';
  const event: AudioOutEvent = {
    type: 'audioOut',
    data,
    sampleRate: positiveInteger(message.sample_rate) ?? DEFAULT_OUTPUT_SAMPLE_RATE,
    numChannels: positiveInteger(message.channels) ?? positiveInteger(message.num_channels) ?? DEFAULT_OUTPUT_CHANNELS,
  };
  const samples = message.samples_per_channel;
  if (typeof samples === 'number' && Number.isInteger(samples) && samples >= 0) event.samplesPerChannel = samples;
  const itemId = message.item_id;
  if (typeof itemId === 'string') event.itemId = itemId;
  return event;
}

function responseLifecycle(type: 'responseCreated' | 'responseDone' | 'responseCancelled', message: JsonObject): RealtimeEvent {
  const response = message.response;
  let responseId: unknown = isJsonObject(response) ? response.id : undefined;
  if (typeof responseId !== 'string') responseId = message.response_id;
  return typeof responseId === 'string' ? { type, responseId } : { type };
}

function decodeSessionUpdated(message: JsonObject): RealtimeEvent | SkipReason {
  const session = message.session;
  if (!isJsonObject(session) || typeof session.id !== 'string') return 'invalid_fields';
  return typeof session.instructions === 'string'
    ? { type: 'sessionUpdated', sessionId: session.id, instructions: session.instructions }
    : { type: 'sessionUpdated', sessionId: session.id };
}

function decodeItemDone(message: JsonObject): RealtimeEvent | SkipReason {
  const item = message.item;
  if (!isJsonObject(item)) return 'invalid_fields';
  const id = typeof item.id === 'string' ? item.id : undefined;
  if (item.type === 'function_call' && item.name === BACKGROUND_AGENT_TOOL_NAME) {
    const callId = typeof item.call_id === 'string' ? item.call_id : undefined;
    const handoffId = callId ?? id;
    if (handoffId === undefined) return 'invalid_fields';
    return {
      type: 'handoffRequested',
      handoffId,
      itemId: id ?? handoffId,
      inputTranscript: handoffInputTranscript(typeof item.arguments === 'string' ? item.arguments : ''),
      activeTranscript: [],
    };
  }
  return id === undefined ? 'invalid_fields' : { type: 'conversationItemDone', itemId: id };
}

/**
 * The routed text of a handoff call (spec 03): when `args` parses as a JSON object and one of
 * {@link HANDOFF_TEXT_KEYS} (in that order) holds a string that is non-empty after trimming, that
 * string trimmed; otherwise `args` unchanged (not JSON, not an object, no such key).
 */
export function handoffInputTranscript(args: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    return args;
  }
  if (!isJsonObject(parsed)) return args;
  for (const key of HANDOFF_TEXT_KEYS) {
    if (!Object.hasOwn(parsed, key)) continue;
    const value = parsed[key];
    if (typeof value !== 'string') continue;
    const trimmed = value.trim();
    if (trimmed !== '') return trimmed;
  }
  return args;
}
