import { ParleyError } from './parley-error.js';
import { redactUrl } from './redact-url.js';

/** The parts of a `ConnectRequest` that make the realtime URL. */
export interface RealtimeUrlInput {
  /** `realtime.url`: http, https, ws or wss, with or without a path. */
  baseUrl: string;
  /** The model; `""` adds no `model` parameter. */
  model: string;
  /** The protocol's own pairs (v1: `intent=quicksilver`), added right after the existing ones. */
  protocolQuery: Record<string, string>;
  /** `realtime.query`: added last, without `intent`, and without `model` when a model is set. */
  extraQuery: Record<string, string>;
  /** The endpoint the path rule completes to (default `realtime`; live: `live/sessions`). */
  endpointPath?: string;
  /** Whether `model` goes in the query (default true; live: false, and `model` is dropped from `extraQuery` too). */
  modelQuery?: boolean;
  /**
   * True in v2 transcription mode: no `model` pair at all — not from `model`, not from
   * `extraQuery`, and a `model` pair already in the base URL is removed (spec 06).
   */
  withoutModel?: boolean;
}

const SCHEMES: Record<string, string> = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' };

/**
 * Builds the WebSocket URL from the configured base URL (spec 06), a pure function:
 * - path (with the endpoint `realtime`, or the request's `endpointPath`, e.g. live's
 *   `live/sessions`): empty or `/` → `/v1/<endpoint>`; `…/<endpoint>` unchanged; `…/<endpoint>/`
 *   loses its slash; `…/v1` and `…/v1/` get the endpoint appended; any other path is left as it is;
 * - scheme: `http` → `ws`, `https` → `wss`, `ws`/`wss` kept;
 * - query: the existing pairs as the URL parser keeps them, then `protocolQuery`, then `model` when set, then
 *   `extraQuery` minus `intent` (and minus `model` when a model is set). With `modelQuery: false`
 *   no `model` is added and `extraQuery`'s `model` is dropped. With `withoutModel` (v2
 *   transcription mode) likewise, and the base URL's own `model` pairs are removed too (the other
 *   existing pairs keep their order). Added names and values are percent-encoded;
 * - a fragment is dropped (WebSocket URLs cannot carry one).
 *
 * Throws `ERR_UNSUPPORTED_URL` (`unsupported realtime url scheme: <scheme>`) for any other scheme,
 * and `ERR_INVALID_CONFIG` when `baseUrl` is not an absolute URL.
 */
export function buildRealtimeUrl(input: RealtimeUrlInput): string {
  let url: URL;
  try {
    url = new URL(input.baseUrl);
  } catch {
    // No cause: the URL parser's error quotes the input, credentials included.
    throw new ParleyError('ERR_INVALID_CONFIG', `realtime.url is not a valid absolute URL: ${redactUrl(input.baseUrl)}`);
  }
  const scheme = SCHEMES[url.protocol];
  if (scheme === undefined) {
    throw new ParleyError('ERR_UNSUPPORTED_URL', `unsupported realtime url scheme: ${url.protocol.slice(0, -1)}`);
  }
  url.protocol = scheme;
  url.pathname = realtimePath(url.pathname, input.endpointPath ?? 'realtime');
  url.hash = '';

  const withoutModel = input.withoutModel === true;
  const pairs: string[] = [];
  if (url.search.length > 1) {
    const existing = url.search.slice(1);
    if (!withoutModel) pairs.push(existing);
    else {
      const kept = existing.split('&').filter((part) => part !== '' && decodeName(part) !== 'model');
      if (kept.length > 0) pairs.push(kept.join('&'));
    }
  }
  for (const [name, value] of Object.entries(input.protocolQuery)) pairs.push(pair(name, value));
  const modelQuery = !withoutModel && (input.modelQuery ?? true);
  const withModel = modelQuery && input.model !== '';
  if (withModel) pairs.push(pair('model', input.model));
  for (const [name, value] of Object.entries(input.extraQuery)) {
    if (name === 'intent' || (name === 'model' && (withModel || !modelQuery))) continue;
    pairs.push(pair(name, value));
  }
  url.search = pairs.length > 0 ? `?${pairs.join('&')}` : '';
  return url.href;
}

/** The path rule of spec 06 (and 08 for the `live/sessions` endpoint). */
function realtimePath(path: string, endpoint: string): string {
  if (path === '' || path === '/') return `/v1/${endpoint}`;
  if (path.endsWith(`/${endpoint}`)) return path;
  if (path.endsWith(`/${endpoint}/`)) return path.slice(0, -1);
  if (path.endsWith('/v1')) return `${path}/${endpoint}`;
  if (path.endsWith('/v1/')) return `${path}${endpoint}`;
  return path;
}

/** The decoded name of one `name=value` query part (as `URLSearchParams` reads it). */
function decodeName(part: string): string {
  const name = part.split('=', 1)[0] ?? '';
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

function pair(name: string, value: string): string {
  return `${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
}
