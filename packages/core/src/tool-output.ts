/**
 * The output text of a call's answer (spec 09 §3.2): what a tool's value, a thrown value or one of
 * Parley's own errors becomes on the wire.
 */

/** The longest detail of a thrown value kept in an error output (code points); longer ones end with `…`. */
export const MAX_TOOL_ERROR_DETAIL = 1000;

/**
 * The output text of a value: a string as is; `undefined`, a function or a symbol as `""`; any other
 * value as its JSON text. `undefined` when `JSON.stringify` throws (a BigInt, a cycle).
 */
export function encodeToolValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  try {
    const text = JSON.stringify(value) as string | undefined;
    return text ?? '';
  } catch {
    return undefined;
  }
}

/** An error output: `{"error": message}` as JSON text. */
export function toolErrorOutput(message: string): string {
  return JSON.stringify({ error: message });
}

/**
 * The detail of a thrown value: its `message` when it is an object whose `message` is a string,
 * itself when it is a string, else `String(value)`; `unprintable thrown value` when reading or
 * converting throws. Kept to {@link MAX_TOOL_ERROR_DETAIL} code points plus `…`.
 */
export function thrownDetail(value: unknown): string {
  let detail: string;
  try {
    if (typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string') {
      detail = (value as { message: string }).message;
    } else if (typeof value === 'string') {
      detail = value;
    } else {
      detail = String(value);
    }
  } catch {
    detail = 'unprintable thrown value';
  }
  const points = Array.from(detail);
  return points.length > MAX_TOOL_ERROR_DETAIL ? `${points.slice(0, MAX_TOOL_ERROR_DETAIL).join('')}…` : detail;
}

/** The kind of a JSON value that is not an object, as an error message names it. */
export function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return typeof value;
  }
}

/** The messages of spec 09 §3.2, by reason. */
export const toolMessages = {
  unknownTool: (name: string): string => `unknown tool \`${name}\``,
  notJson: (name: string): string => `invalid arguments for \`${name}\`: not valid JSON`,
  notObject: (name: string, kind: string): string => `invalid arguments for \`${name}\`: expected a JSON object, got ${kind}`,
  failed: (name: string, detail: string): string => (detail === '' ? `tool \`${name}\` failed` : `tool \`${name}\` failed: ${detail}`),
  notConvertible: (name: string): string => `tool \`${name}\` failed: its result could not be converted to JSON`,
  timeout: (name: string, ms: number): string => `tool \`${name}\` timed out after ${ms} ms`,
  interrupted: (name: string): string => `tool \`${name}\` was cancelled because the user interrupted`,
  cutOff: (name: string): string => `tool \`${name}\` was not run: the call was cut off before it was complete`,
};

/** The default `realtime.tools.backgroundStartedOutput`: a background call's immediate answer. */
export const DEFAULT_BACKGROUND_STARTED_OUTPUT =
  'Started in the background. The result will arrive later in a system message; until then, tell the user it is under way and do not call this tool again for the same request.';
