import { isParleyError, type ParleyErrorCode } from '@parley/core';

/** A mistake in the command line (an option value, a file): the command exits 2 with its message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Start failures the user fixes by changing the command line or configuration: exit 2, like usage errors. */
const USAGE_CODES: ReadonlySet<ParleyErrorCode> = new Set<ParleyErrorCode>([
  'ERR_INVALID_CONFIG',
  'ERR_UNKNOWN_PROTOCOL',
  'ERR_MISSING_API_KEY',
  'ERR_INSECURE_URL',
  'ERR_UNSUPPORTED_URL',
  'ERR_INVALID_SESSION',
]);

/**
 * True for the start failure of a protocol that refuses tools (spec 09 §1.3 rule 1, and the live
 * API's client mode): the tools are fine, the protocol is the problem.
 */
export function isToolsRefusal(error: unknown): boolean {
  return (
    isParleyError(error, 'ERR_INVALID_SESSION') && /^protocol `[^`]*` (does not support tools|runs tools only with)/.test(error.message)
  );
}

/**
 * The exit code of a failed start: 2 for a usage problem (see `USAGE_CODES`), 1 otherwise — and 1
 * for a protocol that refuses tools (spec 09 §13.2), although that is an `ERR_INVALID_SESSION`.
 */
export function startFailureExitCode(error: unknown): number {
  if (isToolsRefusal(error)) return 1;
  return isParleyError(error) && USAGE_CODES.has(error.code) ? 2 : 1;
}

/**
 * Says a start failure in the command line's words: the flag the user can type (`--api-key`,
 * `--allow-insecure`, `--protocol`) instead of the configuration key the library's message names.
 */
export function describeStartFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!isParleyError(error)) return message;
  switch (error.code) {
    case 'ERR_MISSING_API_KEY':
      return 'an API key is required: pass --api-key <key> or set OPENAI_API_KEY (loopback servers need none)';
    case 'ERR_INSECURE_URL': {
      const url = /URL (\S+?):\s/.exec(message)?.[1];
      return `refusing the insecure (unencrypted) URL${url === undefined ? '' : ` ${url}`}: use wss:// or https://, or pass --allow-insecure to allow it`;
    }
    case 'ERR_UNKNOWN_PROTOCOL':
      return `${message.replace(/;.*$/, '')}; pass --protocol with one of them`;
    default:
      return message;
  }
}
