/** What a redacted value is replaced with, in URLs, messages and logs. */
export const REDACTED_VALUE = '[redacted]';

/**
 * Query parameter names whose values are credentials (compared case-insensitively): Azure's
 * `api-key`, the common `api_key`, `apikey`, `key`, `token`, `access_token`, signed-URL `sig` and
 * `signature`, `authorization`, `client_secret`, `password` and `secret`.
 */
export const CREDENTIAL_QUERY_NAMES: ReadonlySet<string> = new Set([
  'api-key',
  'api_key',
  'apikey',
  'x-api-key',
  'key',
  'token',
  'access_token',
  'sig',
  'signature',
  'authorization',
  'client_secret',
  'password',
  'secret',
]);

/**
 * A URL as it may be shown in an error, a log line or a trace: without `user:password@`, and with
 * the value of every credential-like query parameter ({@link CREDENTIAL_QUERY_NAMES}) and of every
 * parameter whose value equals one of `secrets` replaced by `[redacted]`. Works on text that is not
 * a valid URL too (a misconfigured `realtime.url`). Pure; never throws.
 */
export function redactUrl(url: string, secrets: readonly (string | undefined)[] = []): string {
  const known = new Set(secrets.filter((secret): secret is string => secret !== undefined && secret !== ''));
  const withoutUser = url.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/?#]*@/, '$1');
  const queryStart = withoutUser.indexOf('?');
  if (queryStart < 0) return withoutUser;
  const hashStart = withoutUser.indexOf('#', queryStart);
  const end = hashStart < 0 ? withoutUser.length : hashStart;
  const pairs = withoutUser.slice(queryStart + 1, end).split('&');
  const redacted = pairs.map((pair) => {
    const equals = pair.indexOf('=');
    if (equals < 0) return pair;
    const name = decode(pair.slice(0, equals)).toLowerCase();
    const value = decode(pair.slice(equals + 1));
    if (value === '' || (!CREDENTIAL_QUERY_NAMES.has(name) && !known.has(value))) return pair;
    return `${pair.slice(0, equals)}=${REDACTED_VALUE}`;
  });
  return `${withoutUser.slice(0, queryStart + 1)}${redacted.join('&')}${withoutUser.slice(end)}`;
}

/**
 * The values of the credential-like query parameters of `url` (see {@link redactUrl}), decoded:
 * the secrets to redact from any other text that may quote the URL (an error from a library).
 */
export function credentialQueryValues(url: string): string[] {
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return [];
  const hashStart = url.indexOf('#', queryStart);
  const values: string[] = [];
  for (const pair of url.slice(queryStart + 1, hashStart < 0 ? url.length : hashStart).split('&')) {
    const equals = pair.indexOf('=');
    if (equals < 0) continue;
    const value = decode(pair.slice(equals + 1));
    if (value !== '' && CREDENTIAL_QUERY_NAMES.has(decode(pair.slice(0, equals)).toLowerCase())) values.push(value);
  }
  return values;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
