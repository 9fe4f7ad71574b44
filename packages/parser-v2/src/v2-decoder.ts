import {
  FlatJsonScanner,
  isJsonObject,
  parseFrame,
  decodeServerError,
  type AudioOutEvent,
  type JsonObject,
  type RateLimit,
  type RealtimeEvent,
  type ResponseDoneEvent,
  type SkipReason,
} from '@parley/core';
import { decodeFunctionCall, isUserFunctionCall } from './v2-tool-messages.js';
import { decodeResponseUsage } from './v2-usage.js';
import { BACKGROUND_AGENT_TOOL_NAME } from './v2-client-messages.js';

/** Sample rate of `audioOut` when the frame names none (`pcm16`; G.711 formats: 8000, see {@link V2DecodeOptions}). */
export const DEFAULT_OUTPUT_SAMPLE_RATE = 24000;

/** Options of {@link decodeV2Frame}. */
export interface V2DecodeOptions {
  /** `audioOut.sampleRate` when the frame names none: the session format's rate (24000 for `pcm16`, 8000 for G.711). */
  defaultSampleRate?: number;
}

/** Message of `inputTranscriptFailed` when the server gives none. */
export const DEFAULT_TRANSCRIPTION_FAILED_MESSAGE = 'input audio transcription failed';

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
 * omitted; fields with a default (`sample_rate` the format's rate, `channels`/`num_channels` 1,
 * `arguments` `""`, a failed transcription's message) take it when absent or mistyped. A server
 * `error` is returned with `fatal: true` (with `code`, `param`, `eventId`): the session policy
 * decides whether it is the response race or an empty commit. `handoffRequested.activeTranscript`
 * is `[]`; the policy fills it.
 */
export function decodeV2Frame(frame: string, options: V2DecodeOptions = {}): RealtimeEvent | SkipReason {
  const fast = decodeV2FastPath(frame, options);
  if (fast !== undefined) return fast;
  const message = parseFrame(frame);
  if (typeof message === 'string') return message;
  switch (message.type as string) {
    case 'response.output_audio.delta':
    case 'response.audio.delta':
      return audioOut(
        message.delta,
        message.sample_rate,
        message.channels,
        message.num_channels,
        message.samples_per_channel,
        message.item_id,
        options.defaultSampleRate ?? DEFAULT_OUTPUT_SAMPLE_RATE,
      );
    case 'response.output_text.delta':
    case 'response.output_audio_transcript.delta':
      return transcriptDelta('outputTranscriptDelta', message.delta, message.item_id);
    case 'conversation.item.input_audio_transcription.delta':
      return transcriptDelta('inputTranscriptDelta', message.delta, message.item_id);
    case 'conversation.item.input_audio_transcription.completed':
      return typeof message.transcript === 'string'
        ? withItemId({ type: 'inputTranscriptDone', text: message.transcript }, message)
        : 'invalid_fields';
    case 'conversation.item.input_audio_transcription.failed':
      return decodeTranscriptionFailed(message);
    case 'response.output_text.done':
      return typeof message.text === 'string'
        ? withItemId({ type: 'outputTranscriptDone', text: message.text }, message)
        : 'invalid_fields';
    case 'response.output_audio_transcript.done':
      return typeof message.transcript === 'string'
        ? withItemId({ type: 'outputTranscriptDone', text: message.transcript }, message)
        : 'invalid_fields';
    case 'response.created':
      return { type: 'responseCreated', ...responseIdOf(message) };
    case 'response.done':
      return decodeResponseDone(message);
    case 'response.cancelled':
      return { type: 'responseCancelled', ...responseIdOf(message) };
    case 'input_audio_buffer.speech_started':
      return withItemId({ type: 'inputAudioSpeechStarted' }, message);
    case 'input_audio_buffer.speech_stopped':
      return withItemId({ type: 'inputAudioSpeechStopped' }, message);
    case 'input_audio_buffer.committed': {
      const event = withItemId({ type: 'inputAudioCommitted' as const }, message);
      if (typeof message.previous_item_id === 'string') return { ...event, previousItemId: message.previous_item_id };
      return event;
    }
    case 'input_audio_buffer.timeout_triggered': {
      const start = message.audio_start_ms;
      const end = message.audio_end_ms;
      if (!isOffset(start) || !isOffset(end)) return 'invalid_fields';
      return withItemId({ type: 'inputAudioTimeoutTriggered' as const, audioStartMs: start, audioEndMs: end }, message);
    }
    case 'session.created':
      return decodeSession('sessionCreated', message);
    case 'session.updated':
      return decodeSession('sessionUpdated', message);
    case 'conversation.item.added':
    case 'conversation.item.created':
      return message.item === undefined ? 'invalid_fields' : { type: 'conversationItemAdded', item: message.item };
    case 'conversation.item.done':
      return isUserFunctionCall(message.item) ? decodeFunctionCall(message.item, 'item', undefined) : decodeItemDone(message);
    case 'response.output_item.done':
      return isUserFunctionCall(message.item) ? decodeFunctionCall(message.item, 'output_item', message.response_id) : 'unknown_type';
    case 'conversation.item.truncated': {
      const end = message.audio_end_ms;
      if (typeof message.item_id !== 'string' || typeof end !== 'number' || !Number.isFinite(end) || end < 0) return 'invalid_fields';
      return { type: 'conversationItemTruncated', itemId: message.item_id, audioEndMs: end };
    }
    case 'conversation.item.deleted':
      return typeof message.item_id === 'string' ? { type: 'conversationItemDeleted', itemId: message.item_id } : 'invalid_fields';
    case 'rate_limits.updated':
      return decodeRateLimits(message);
    case 'error':
      return decodeServerError(message);
    default:
      return 'unknown_type';
  }
}

/** Adds `itemId` from the frame's `item_id` when it is a string. */
function withItemId<T extends RealtimeEvent>(event: T, message: JsonObject): T & { itemId?: string } {
  return typeof message.item_id === 'string' ? { ...event, itemId: message.item_id } : event;
}

function decodeTranscriptionFailed(message: JsonObject): RealtimeEvent {
  const error = isJsonObject(message.error) ? message.error : undefined;
  const text = error !== undefined && typeof error.message === 'string' ? error.message : DEFAULT_TRANSCRIPTION_FAILED_MESSAGE;
  const event = withItemId({ type: 'inputTranscriptFailed' as const, message: text }, message);
  return error !== undefined && typeof error.code === 'string' ? { ...event, code: error.code } : event;
}

function decodeResponseDone(message: JsonObject): ResponseDoneEvent {
  const event: ResponseDoneEvent = { type: 'responseDone', ...responseIdOf(message) };
  const response = message.response;
  if (!isJsonObject(response)) return event;
  if (typeof response.status === 'string') event.status = response.status;
  if (isJsonObject(response.status_details)) event.statusDetails = response.status_details;
  const usage = decodeResponseUsage(response.usage);
  if (usage !== undefined) event.usage = usage;
  return event;
}

function decodeRateLimits(message: JsonObject): RealtimeEvent | SkipReason {
  const limits = message.rate_limits;
  if (!Array.isArray(limits)) return 'invalid_fields';
  const rateLimits: RateLimit[] = [];
  for (const element of limits as unknown[]) {
    if (!isJsonObject(element)) continue;
    const limit: RateLimit = {};
    if (typeof element.name === 'string') limit.name = element.name;
    if (isNumber(element.limit)) limit.limit = element.limit;
    if (isNumber(element.remaining)) limit.remaining = element.remaining;
    if (isNumber(element.reset_seconds)) limit.resetSeconds = element.reset_seconds;
    rateLimits.push(limit);
  }
  return { type: 'rateLimitsUpdated', rateLimits };
}

/** A millisecond offset: a finite number ≥ 0. */
function isOffset(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** Top-level fields the fast path reads, in the order of the scanner's values. */
const FAST_PATH_KEYS = ['type', 'delta', 'sample_rate', 'channels', 'num_channels', 'samples_per_channel', 'item_id'];
const FAST_PATH = new FlatJsonScanner(FAST_PATH_KEYS);

/**
 * The fast path of {@link decodeV2Frame} for the hot frames — audio deltas and transcript deltas
 * (about 98 % of a speaking response's frames): when the frame is a flat, plainly written JSON
 * object ({@link FlatJsonScanner}) of one of those types, decodes it from the scanned fields without
 * `JSON.parse`; otherwise returns `undefined` and the caller parses the frame. Both paths build the
 * event with the same functions from the same field values, so the result is the same for every
 * input (property-tested against the `JSON.parse` path).
 */
export function decodeV2FastPath(frame: string, options: V2DecodeOptions = {}): RealtimeEvent | SkipReason | undefined {
  if (!FAST_PATH.scan(frame)) return undefined;
  const values = FAST_PATH.values;
  switch (values[0]) {
    case 'response.output_audio.delta':
    case 'response.audio.delta':
      return audioOut(
        values[1],
        values[2],
        values[3],
        values[4],
        values[5],
        values[6],
        options.defaultSampleRate ?? DEFAULT_OUTPUT_SAMPLE_RATE,
      );
    case 'response.output_text.delta':
    case 'response.output_audio_transcript.delta':
      return transcriptDelta('outputTranscriptDelta', values[1], values[6]);
    case 'conversation.item.input_audio_transcription.delta':
      return transcriptDelta('inputTranscriptDelta', values[1], values[6]);
    default:
      return undefined;
  }
}

/** A transcript delta from the frame's `delta` (required) and `item_id` (kept when a string). */
function transcriptDelta(
  type: 'inputTranscriptDelta' | 'outputTranscriptDelta',
  delta: unknown,
  itemId: unknown,
): RealtimeEvent | SkipReason {
  if (typeof delta !== 'string') return 'invalid_fields';
  return typeof itemId === 'string' ? { type, delta, itemId } : { type, delta };
}

/** An `audioOut` event from the frame's `delta`, `sample_rate`, `channels`, `num_channels`, `samples_per_channel` and `item_id`. */
function audioOut(
  data: unknown,
  sampleRate: unknown,
  channels: unknown,
  numChannels: unknown,
  samples: unknown,
  itemId: unknown,
  defaultSampleRate: number,
): AudioOutEvent | SkipReason {
  if (typeof data !== 'string') return 'invalid_fields';
  const event: AudioOutEvent = {
    type: 'audioOut',
    data,
    sampleRate: positiveInteger(sampleRate) ?? defaultSampleRate,
    numChannels: positiveInteger(channels) ?? positiveInteger(numChannels) ?? DEFAULT_OUTPUT_CHANNELS,
  };
  if (typeof samples === 'number' && Number.isInteger(samples) && samples >= 0) event.samplesPerChannel = samples;
  if (typeof itemId === 'string') event.itemId = itemId;
  return event;
}

/** `{ responseId }` from `response.id`, else `response_id`; `{}` when neither is a string. */
function responseIdOf(message: JsonObject): { responseId?: string } {
  const response = message.response;
  let responseId: unknown = isJsonObject(response) ? response.id : undefined;
  if (typeof responseId !== 'string') responseId = message.response_id;
  return typeof responseId === 'string' ? { responseId } : {};
}

function decodeSession(type: 'sessionCreated' | 'sessionUpdated', message: JsonObject): RealtimeEvent | SkipReason {
  const session = message.session;
  if (!isJsonObject(session) || typeof session.id !== 'string') return 'invalid_fields';
  return typeof session.instructions === 'string'
    ? { type, sessionId: session.id, instructions: session.instructions }
    : { type, sessionId: session.id };
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
 * string trimmed; else, when it parses as an object with no key other than those five (`{}`,
 * `{"prompt":""}`), `""` (an empty handoff); otherwise `args` unchanged (not JSON, not an object,
 * another key).
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
  for (const key of Object.keys(parsed)) if (!HANDOFF_TEXT_KEYS.includes(key)) return args;
  return '';
}
