import type { SkipReason } from './protocol-strategy.js';

/**
 * Every reason a strategy's `decode` can give for skipping a frame, each a key of
 * `stats().skippedByReason`:
 * - `invalid_json`: the frame is not JSON ({@link parseFrame} says so);
 * - `missing_type`: not an object with a string `type` ({@link parseFrame} says so);
 * - `unknown_type`: a `type` the protocol does not know;
 * - `invalid_fields`: a known `type` with a required field missing or of the wrong type.
 */
export const SKIP_REASONS: readonly SkipReason[] = ['invalid_json', 'missing_type', 'unknown_type', 'invalid_fields'];

/** True when `value` is one of the {@link SKIP_REASONS} (what `decode` returned is not an event). */
export function isSkipReason(value: unknown): value is SkipReason {
  return typeof value === 'string' && (SKIP_REASONS as readonly string[]).includes(value);
}
