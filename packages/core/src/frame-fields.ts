/**
 * Readers for a protocol's `decode`: {@link parseFrame} turns a text frame into an object (or a
 * {@link SkipReason}), and the `…Field` readers take typed values out of it, `undefined` when a
 * field is absent or of another type, so a decoder returns `invalid_fields` instead of throwing.
 * Together they keep the rule of every strategy: bad input is skipped and counted, never thrown.
 * @example
 * decode(frame: string): RealtimeEvent | SkipReason {
 *   const message = parseFrame(frame);
 *   if (typeof message === 'string') return message; // invalid_json / missing_type
 *   if (message.type !== 'said') return 'unknown_type';
 *   const text = stringField(message, 'text');
 *   return text === undefined ? 'invalid_fields' : { type: 'outputTranscriptDelta', delta: text };
 * }
 * @module
 */
import { safeJsonStringify } from './safe-json.js';
import type { SkipReason } from './protocol-strategy.js';
import type { ErrorEvent } from './realtime-event.js';

/** A parsed JSON object (server JSON: read it, never merge it into framework objects). */
export type JsonObject = Record<string, unknown>;

/** True for a non-null, non-array object. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses an inbound text frame into an object with a string `type`, or says why it cannot be used
 * (`invalid_json`, or `missing_type` for a non-object or a missing/non-string `type`).
 */
export function parseFrame(frame: string): JsonObject | SkipReason {
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return 'invalid_json';
  }
  if (!isJsonObject(value) || typeof value.type !== 'string') return 'missing_type';
  return value;
}

/** The string at `object[key]`, or `undefined` when absent or not a string. */
export function stringField(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' ? value : undefined;
}

/** The finite number at `object[key]`, or `undefined` when absent or not a number. */
export function numberField(object: JsonObject, key: string): number | undefined {
  const value = object[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The boolean at `object[key]`, or `undefined` when absent or not a boolean. */
export function booleanField(object: JsonObject, key: string): boolean | undefined {
  const value = object[key];
  return typeof value === 'boolean' ? value : undefined;
}

/** The array at `object[key]`, or `undefined` when absent or not an array (its items unchecked). */
export function arrayField(object: JsonObject, key: string): unknown[] | undefined {
  const value = object[key];
  return Array.isArray(value) ? value : undefined;
}

/** The object at `object[key]`, or `undefined`. */
export function objectField(object: JsonObject, key: string): JsonObject | undefined {
  const value = object[key];
  return isJsonObject(value) ? value : undefined;
}

/**
 * The message of a server `error` frame (spec 02, to the letter): `message`, else `error.message`,
 * else the `error` value as JSON text (a string `error` included, quotes and all). `undefined` when
 * the frame has none of them: a required field is missing, and the frame is skipped.
 */
export function serverErrorMessage(frame: JsonObject): string | undefined {
  const direct = stringField(frame, 'message');
  if (direct !== undefined) return direct;
  const error = frame.error;
  if (isJsonObject(error) && typeof error.message === 'string') return error.message;
  // Never throws: a value nested deeper than the stack allows is written cut (safeJsonStringify).
  return error === undefined ? undefined : safeJsonStringify(error);
}

/**
 * A server `error` frame as an event (both dialects share the rule): fatal, with
 * {@link serverErrorMessage}, and `code`, `param`, `eventId` from `error.code`, `error.param`,
 * `error.event_id` when they are strings (absent, `null` or mistyped: left out);
 * `invalid_fields` when it has no message at all. The policy decides what is not fatal.
 */
export function decodeServerError(frame: JsonObject): ErrorEvent | SkipReason {
  const message = serverErrorMessage(frame);
  if (message === undefined) return 'invalid_fields';
  const event: ErrorEvent = { type: 'error', message, fatal: true };
  const error = frame.error;
  if (isJsonObject(error)) {
    const code = stringField(error, 'code');
    if (code !== undefined) event.code = code;
    const param = stringField(error, 'param');
    if (param !== undefined) event.param = param;
    const eventId = stringField(error, 'event_id');
    if (eventId !== undefined) event.eventId = eventId;
  }
  return event;
}
