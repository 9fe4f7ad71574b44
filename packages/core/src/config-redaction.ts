import { CREDENTIAL_QUERY_NAMES, REDACTED_VALUE, redactUrl } from './redact-url.js';

/** Node's `util.inspect` hook, by its registered symbol (core stays platform-neutral: no `util` import). */
export const INSPECT_CUSTOM: unique symbol = Symbol.for('nodejs.util.inspect.custom');

/** Header names whose values are credentials (compared case-insensitively), beside {@link CREDENTIAL_QUERY_NAMES}. */
const CREDENTIAL_HEADER_NAMES: ReadonlySet<string> = new Set([
  ...CREDENTIAL_QUERY_NAMES,
  'cookie',
  'proxy-authorization',
  'ocp-apim-subscription-key',
]);

function secretsOf(value: unknown): string[] {
  const realtime = (value as { realtime?: { apiKey?: unknown } } | undefined)?.realtime;
  return typeof realtime?.apiKey === 'string' && realtime.apiKey !== '' ? [realtime.apiKey] : [];
}

function copy(value: unknown, path: readonly string[], secrets: readonly string[], seen: Set<object>): unknown {
  const last = path[path.length - 1]?.toLowerCase() ?? '';
  const parent = path[path.length - 2];
  if (typeof value === 'string') {
    if (value === '') return value;
    if (last === 'apikey' || secrets.includes(value)) return REDACTED_VALUE;
    if ((parent === 'headers' && CREDENTIAL_HEADER_NAMES.has(last)) || (parent === 'query' && CREDENTIAL_QUERY_NAMES.has(last))) {
      return REDACTED_VALUE;
    }
    if (last === 'url') return redactUrl(value, secrets);
    return value;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item, index) => copy(item, [...path, String(index)], secrets, seen));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = copy(item, [...path, key], secrets, seen);
  return out;
}

/**
 * A deep copy of a configuration as it may be shown (printed, logged, serialized): the API key,
 * credential-like header and query values, credentials in URLs, and any value equal to the API key
 * replaced by `[redacted]`. Pure; never throws on cycles.
 */
export function redactedConfig<T>(config: T): T {
  return copy(config, [], secretsOf(config), new Set()) as T;
}

/**
 * Makes `config` safe to print: defines non-enumerable `toJSON` and `util.inspect` hooks that show
 * {@link redactedConfig} instead (the values themselves are untouched). Returns `config`.
 */
export function protectConfig<T extends object>(config: T): T {
  if (Object.isFrozen(config) || Object.prototype.hasOwnProperty.call(config, INSPECT_CUSTOM)) return config;
  const show = (): unknown => redactedConfig({ ...config });
  Object.defineProperty(config, 'toJSON', { value: show, enumerable: false, configurable: true, writable: true });
  Object.defineProperty(config, INSPECT_CUSTOM, {
    value: (_depth: number, options: unknown, inspect?: (value: unknown, options: unknown) => string) =>
      typeof inspect === 'function' ? inspect(show(), options) : show(),
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return config;
}
