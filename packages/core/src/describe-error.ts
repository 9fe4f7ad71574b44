/** The longest description {@link describeError} returns (characters); longer ones are cut. */
export const MAX_ERROR_DESCRIPTION_CHARS = 2000;

/**
 * One safe description of any thrown or rejected value, for every place an error becomes text
 * (logs, error events, the delegate's failure text). Never throws, whatever the value:
 * - an `Error` (or anything with a string `message`): its message (its name when the message is empty);
 * - a string: itself; a number, boolean, bigint, `undefined`, `null` or Symbol: `String(value)`;
 * - another object: `String(value)` when that gives more than `[object Object]`, else its JSON
 *   text, else `[object <tag>]`; an object whose conversion throws (`Object.create(null)`, a
 *   throwing `toString`, a hostile Proxy) ends as `[object Object]` or `an unprintable value`.
 *
 * The result is at most {@link MAX_ERROR_DESCRIPTION_CHARS} characters (cut with `…`).
 */
export function describeError(value: unknown): string {
  return bounded(describe(value));
}

function describe(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
    case 'symbol':
      return safely(() => String(value)) ?? 'an unprintable value';
    default:
      break;
  }
  if (value === null) return 'null';
  const message = safely(() => messageOf(value as object));
  if (message !== undefined) return message;
  const text = safely(() => String(value));
  if (text !== undefined && text !== '[object Object]') return text;
  const json = safely(() => JSON.stringify(value));
  if (typeof json === 'string' && json !== '{}') return json;
  return text ?? safely(() => Object.prototype.toString.call(value)) ?? 'an unprintable value';
}

/** The message of an error-like value, or undefined when it has none. */
function messageOf(value: object): string | undefined {
  if (!(value instanceof Error) && !('message' in value)) return undefined;
  const message = (value as { message?: unknown }).message;
  if (typeof message !== 'string') return undefined;
  if (message !== '') return message;
  const name = (value as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : 'Error';
}

function safely<T>(action: () => T): T | undefined {
  try {
    return action();
  } catch {
    return undefined;
  }
}

function bounded(text: string): string {
  return text.length <= MAX_ERROR_DESCRIPTION_CHARS ? text : `${text.slice(0, MAX_ERROR_DESCRIPTION_CHARS - 1)}…`;
}
