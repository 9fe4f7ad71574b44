import { isJsonObject, type JsonObject, type ResponseUsage } from '@parley/core';

/** The value at `key` when it is a finite number ≥ 0 (else left out). */
function count(object: JsonObject, key: string): number | undefined {
  const value = object[key];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Copies the counts named in `keys` (server name → event name) that are finite numbers ≥ 0. */
function counts<K extends string>(object: JsonObject, keys: Record<string, K>): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const [from, to] of Object.entries(keys)) {
    const value = count(object, from);
    if (value !== undefined) out[to] = value;
  }
  return out;
}

/**
 * The server's `response.usage` in camelCase (spec 03), with only the numbers the server gave: a
 * value that is not a finite number ≥ 0 is left out; a details object that is absent or not an
 * object is left out; a details object with no number left is `{}`. `undefined` when `usage` is not
 * an object.
 */
export function decodeResponseUsage(usage: unknown): ResponseUsage | undefined {
  if (!isJsonObject(usage)) return undefined;
  const result: ResponseUsage = counts(usage, { input_tokens: 'inputTokens', output_tokens: 'outputTokens', total_tokens: 'totalTokens' });
  const input = usage.input_token_details;
  if (isJsonObject(input)) {
    result.inputTokenDetails = counts(input, {
      text_tokens: 'textTokens',
      audio_tokens: 'audioTokens',
      image_tokens: 'imageTokens',
      cached_tokens: 'cachedTokens',
    });
    const cached = input.cached_tokens_details;
    if (isJsonObject(cached)) {
      result.inputTokenDetails.cachedTokensDetails = counts(cached, {
        text_tokens: 'textTokens',
        audio_tokens: 'audioTokens',
        image_tokens: 'imageTokens',
      });
    }
  }
  const output = usage.output_token_details;
  if (isJsonObject(output)) result.outputTokenDetails = counts(output, { text_tokens: 'textTokens', audio_tokens: 'audioTokens' });
  return result;
}
