import { isLoopbackHost } from './loopback-host.js';
import { ParleyError } from './parley-error.js';

/** The exact message of `ERR_MISSING_API_KEY` (spec 04, 06). */
export const MISSING_API_KEY_MESSAGE = 'an API key is required: set OPENAI_API_KEY or realtime.apiKey';

/** What the API-key check looks at. */
export interface ApiKeyCheckInput {
  /** The start option `apiKey`, else `realtime.apiKey`; `""` counts as none. */
  apiKey: string | undefined;
  /** Header maps that may carry an `Authorization` header (any letter case): `realtime.headers`, the start's headers. */
  headers: Record<string, string>[];
  /** `realtime.url`: a loopback host (`localhost`, 127.0.0.0/8, `::1`) needs no key. */
  baseUrl: string;
}

/**
 * The API-key check of the core (spec 04), run at start before any transport is asked to connect,
 * whatever the transport: with no API key, no `Authorization` header configured, and a
 * `realtime.url` whose host is not loopback (a URL that does not parse counts as not loopback), it
 * throws `ERR_MISSING_API_KEY` with {@link MISSING_API_KEY_MESSAGE}.
 */
export function checkApiKey(input: ApiKeyCheckInput): void {
  if (input.apiKey !== undefined && input.apiKey !== '') return;
  for (const headers of input.headers) {
    for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') return;
  }
  let hostname: string | undefined;
  try {
    hostname = new URL(input.baseUrl).hostname;
  } catch {
    hostname = undefined;
  }
  if (hostname !== undefined && isLoopbackHost(hostname)) return;
  throw new ParleyError('ERR_MISSING_API_KEY', MISSING_API_KEY_MESSAGE);
}
