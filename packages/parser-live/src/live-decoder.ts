import {
  objectField,
  parseFrame,
  serverErrorMessage,
  stringField,
  type ContextAppendedEvent,
  type ErrorEvent,
  type HandoffRequestedEvent,
  type JsonObject,
  type RealtimeEvent,
  type SessionClosedEvent,
  type SessionUpdatedEvent,
  type SkipReason,
  type TranscriptDeltaEvent,
  type UsageUpdatedEvent,
} from '@parley/core';
import { decodeResponseEvent } from './live-response-events.js';
import { LIVE_SAMPLE_RATE } from './live-session.js';

/**
 * Decoded events that carry a meaning their event type does not show: the `sessionUpdated` of a
 * `session.started` (it opens the input gate). The decoder is stateless; the policy asks
 * {@link liveFrameKind}. The events of a `response.event` envelope are told by
 * `liveResponseEventInfo`.
 */
const kinds = new WeakMap<RealtimeEvent, 'sessionStarted'>();

/** What a decoded event was on the wire, when its type does not say: see {@link decodeLiveFrame}. */
export function liveFrameKind(event: RealtimeEvent): 'sessionStarted' | undefined {
  return kinds.get(event);
}

/** A time on the session timeline: a finite number ≥ 0, else `undefined` (left out of the event). */
function timeField(object: JsonObject, key: string): number | undefined {
  const value = object[key];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Decodes one inbound live text frame (spec 08 "Server events"). Never throws; never merges server
 * JSON into the event (every field is copied one by one).
 *
 * Skips (counted by the core): not JSON (`invalid_json`); no string `type` (`missing_type`); an
 * unknown type (`unknown_type`: the alpha adds events, the API evolves); a known type whose
 * required field is missing or mistyped (`invalid_fields`): `delta` of
 * `session.output_audio.delta`, `delegation.id` (non-empty), `usage.seconds` of
 * `session.usage.updated`, a message for `error`, a transcript `delta` that is present but not a
 * string, a `response.event` without an `event` object with a string `type`, or whose
 * `function_call` item has neither `call_id` nor `id` (see `decodeResponseEvent`). Every other field is
 * optional and left out when absent or mistyped (times must be finite numbers ≥ 0).
 *
 * `error` frames decode with `fatal: false`; the policy decides what is fatal.
 */
export function decodeLiveFrame(frame: string): RealtimeEvent | SkipReason {
  const parsed = parseFrame(frame);
  if (typeof parsed === 'string') return parsed;
  switch (parsed.type as string) {
    case 'session.output_audio.delta': {
      const data = stringField(parsed, 'delta');
      return data === undefined ? 'invalid_fields' : { type: 'audioOut', data, sampleRate: LIVE_SAMPLE_RATE, numChannels: 1 };
    }
    case 'session.input_transcript.delta':
      return decodeTranscriptDelta(parsed, 'inputTranscriptDelta');
    case 'session.output_transcript.delta':
      return decodeTranscriptDelta(parsed, 'outputTranscriptDelta');
    case 'session.started': {
      const event = decodeSession(parsed);
      kinds.set(event, 'sessionStarted');
      return event;
    }
    case 'session.updated':
      return decodeSession(parsed);
    case 'session.delegation.created':
      return decodeDelegation(parsed);
    case 'session.instructions.appended':
      return decodeAppended(parsed, 'instructions');
    case 'session.thinking.appended':
      return decodeAppended(parsed, 'thinking');
    case 'session.commentary.appended':
      return decodeAppended(parsed, 'commentary');
    case 'session.usage.updated':
      return decodeUsage(parsed);
    case 'session.closed':
      return decodeClosed(parsed);
    case 'response.event':
      return decodeResponseEvent(parsed);
    case 'error':
      return decodeError(parsed);
    default:
      return 'unknown_type';
  }
}

function decodeTranscriptDelta(frame: JsonObject, type: TranscriptDeltaEvent['type']): TranscriptDeltaEvent | SkipReason {
  const raw = frame.delta;
  if (raw !== undefined && typeof raw !== 'string') return 'invalid_fields';
  const event: TranscriptDeltaEvent = { type, delta: raw ?? '' };
  const startMs = timeField(frame, 'start_ms');
  const endMs = timeField(frame, 'end_ms');
  if (startMs !== undefined) event.startMs = startMs;
  if (endMs !== undefined) event.endMs = endMs;
  return event;
}

function decodeSession(frame: JsonObject): SessionUpdatedEvent {
  const session = objectField(frame, 'session');
  const sessionId = (session === undefined ? undefined : stringField(session, 'id')) ?? '';
  const instructions = session === undefined ? undefined : stringField(session, 'instructions');
  return instructions === undefined ? { type: 'sessionUpdated', sessionId } : { type: 'sessionUpdated', sessionId, instructions };
}

function decodeDelegation(frame: JsonObject): HandoffRequestedEvent | SkipReason {
  const delegation = objectField(frame, 'delegation');
  const id = delegation === undefined ? undefined : stringField(delegation, 'id');
  if (delegation === undefined || id === undefined || id === '') return 'invalid_fields';
  const event: HandoffRequestedEvent = { type: 'handoffRequested', handoffId: id, itemId: id, inputTranscript: '', activeTranscript: [] };
  const offsetMs = timeField(frame, 'offset_ms');
  if (offsetMs !== undefined) event.offsetMs = offsetMs;
  event.target = stringField(delegation, 'target') ?? 'client';
  return event;
}

function decodeAppended(frame: JsonObject, channel: ContextAppendedEvent['channel']): ContextAppendedEvent {
  const event: ContextAppendedEvent = { type: 'contextAppended', channel };
  const startMs = timeField(frame, 'start_ms');
  const endMs = timeField(frame, 'end_ms');
  if (startMs !== undefined) event.startMs = startMs;
  if (endMs !== undefined) event.endMs = endMs;
  return event;
}

function decodeUsage(frame: JsonObject): UsageUpdatedEvent | SkipReason {
  const usage = objectField(frame, 'usage');
  const seconds = usage === undefined ? undefined : timeField(usage, 'seconds');
  if (seconds === undefined) return 'invalid_fields';
  const event: UsageUpdatedEvent = { type: 'usageUpdated', seconds };
  const window = objectField(frame, 'context_window');
  const ratio = window === undefined ? undefined : window.usage_ratio;
  if (typeof ratio === 'number' && Number.isFinite(ratio)) event.contextUsageRatio = ratio;
  return event;
}

function decodeClosed(frame: JsonObject): SessionClosedEvent {
  const event: SessionClosedEvent = { type: 'sessionClosed' };
  const reason = stringField(frame, 'reason');
  if (reason !== undefined) event.reason = reason;
  const usage = objectField(frame, 'usage');
  const seconds = usage === undefined ? undefined : timeField(usage, 'seconds');
  if (seconds !== undefined) event.seconds = seconds;
  return event;
}

function decodeError(frame: JsonObject): ErrorEvent | SkipReason {
  const message = serverErrorMessage(frame);
  if (message === undefined) return 'invalid_fields';
  const error = objectField(frame, 'error');
  const code = error === undefined ? undefined : (stringField(error, 'code') ?? stringField(error, 'type'));
  return code === undefined ? { type: 'error', message, fatal: false } : { type: 'error', message, fatal: false, code };
}
