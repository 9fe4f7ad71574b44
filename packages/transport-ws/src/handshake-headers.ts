import { MISSING_API_KEY_MESSAGE, ParleyError, type Logger } from '@parley/core';
import { isLoopbackHost } from './loopback-host.js';

/** The parts of a `ConnectRequest` that make the handshake headers, plus the realtime URL. */
export interface HandshakeHeadersInput {
  /** `realtime.headers`, applied first. */
  headers: Record<string, string>;
  /** The start's own headers; they override `headers` (names compared case-insensitively). */
  startHeaders: Record<string, string>;
  /** The protocol's defaults (v1: `openai-alpha: quicksilver=v1`), only where the name is absent. */
  defaultHeaders: Record<string, string>;
  /** Sent as `Authorization: Bearer <apiKey>` unless an `Authorization` header is configured. */
  apiKey: string | undefined;
  /** Sent as `x-session-id` (wins over any configured one) when header-safe. */
  sessionId: string | undefined;
  /** The realtime URL: a loopback host needs no API key. */
  url: string | URL;
}

/** The exact message of `ERR_MISSING_API_KEY` (spec 06). */
export { MISSING_API_KEY_MESSAGE } from '@parley/core';

/** Longest session id sent as `x-session-id` (characters). */
export const MAX_SESSION_ID_LENGTH = 256;

/** True when `value` is 1 to `maxLength` printable ASCII characters (no control character, no CR/LF). */
export function isHeaderSafe(value: string, maxLength: number = MAX_SESSION_ID_LENGTH): boolean {
  return value.length > 0 && value.length <= maxLength && /^[\x20-\x7e]+$/.test(value);
}

/**
 * Builds the handshake headers (spec 06). Merge order, names compared case-insensitively (a later
 * header replaces an earlier one and brings its own spelling):
 * 1. `headers` (configured), then 2. `startHeaders` (override), then
 * 3. defaults only where the name is not present yet: `Authorization: Bearer <apiKey>` (when a key
 *    is given), then `defaultHeaders`;
 * 4. `x-session-id: <sessionId>` last, replacing any other, when the id is header-safe
 *    ({@link isHeaderSafe}); otherwise it is omitted and a warning is logged (without the id).
 *
 * Throws `ERR_MISSING_API_KEY` ({@link MISSING_API_KEY_MESSAGE}) when there is neither an API key nor
 * an `Authorization` header, unless the URL's host is loopback (127.0.0.0/8, ::1, localhost);
 * `ERR_INVALID_CONFIG` when the key holds characters an HTTP header cannot carry (the key itself is
 * never part of a message or a log line).
 */
export function buildHandshakeHeaders(input: HandshakeHeadersInput, logger?: Logger): Record<string, string> {
  const merged = new Map<string, [name: string, value: string]>();
  const put = (name: string, value: string): void => {
    merged.delete(name.toLowerCase());
    merged.set(name.toLowerCase(), [name, value]);
  };
  const putIfAbsent = (name: string, value: string): void => {
    if (!merged.has(name.toLowerCase())) merged.set(name.toLowerCase(), [name, value]);
  };
  for (const [name, value] of Object.entries(input.headers)) put(name, value);
  for (const [name, value] of Object.entries(input.startHeaders)) put(name, value);

  const apiKey = input.apiKey ?? '';
  if (apiKey !== '') {
    if (!/^[\x21-\x7e]+$/.test(apiKey)) {
      throw new ParleyError(
        'ERR_INVALID_CONFIG',
        'the API key contains characters an HTTP header cannot carry (spaces, line breaks or non-ASCII): check OPENAI_API_KEY or realtime.apiKey for stray whitespace',
      );
    }
    putIfAbsent('Authorization', `Bearer ${apiKey}`);
  } else if (!merged.has('authorization')) {
    const url = typeof input.url === 'string' ? new URL(input.url) : input.url;
    if (!isLoopbackHost(url.hostname)) throw new ParleyError('ERR_MISSING_API_KEY', MISSING_API_KEY_MESSAGE);
  }
  for (const [name, value] of Object.entries(input.defaultHeaders)) putIfAbsent(name, value);

  const sessionId = input.sessionId;
  if (sessionId !== undefined) {
    if (isHeaderSafe(sessionId)) put('x-session-id', sessionId);
    else {
      logger?.warn('x-session-id not sent: the session id is not header-safe (1 to 256 printable ASCII characters)', {
        length: sessionId.length,
      });
    }
  }
  return Object.fromEntries(merged.values());
}
