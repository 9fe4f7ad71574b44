/** How deep {@link safeJsonStringify} writes nested values before it cuts them. */
export const SAFE_JSON_MAX_DEPTH = 256;

/** What a cut value is written as. */
export const TOO_DEEP = '[nested too deeply]';

/**
 * `JSON.stringify` that never throws, for text built from values Parley does not control (server
 * frames, thrown values): the native result when it succeeds; otherwise (a value nested deeper than
 * the stack allows, a cycle, a BigInt, a throwing `toJSON` or getter) a JSON text in which values
 * deeper than {@link SAFE_JSON_MAX_DEPTH} levels are written as `"[nested too deeply]"`, cycles as
 * `"[circular]"`, BigInts as strings and unreadable values as `null`. `undefined` where
 * `JSON.stringify` gives `undefined` (a function, a symbol, `undefined`).
 */
export function safeJsonStringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value) as string | undefined;
  } catch {
    return write(value, 0, new Set());
  }
}

function write(value: unknown, depth: number, seen: Set<object>): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return String(value);
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  if (value === null) return 'null';
  if (depth >= SAFE_JSON_MAX_DEPTH) return JSON.stringify(TOO_DEEP);
  const object = value as object;
  if (seen.has(object)) return JSON.stringify('[circular]');
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      const items = (object as unknown[]).map((item) => write(item, depth + 1, seen) ?? 'null');
      return `[${items.join(',')}]`;
    }
    const parts: string[] = [];
    for (const key of Object.keys(object)) {
      let item: unknown;
      try {
        item = (object as Record<string, unknown>)[key];
      } catch {
        item = null;
      }
      const text = write(item, depth + 1, seen);
      if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
    }
    return `{${parts.join(',')}}`;
  } catch {
    return 'null';
  } finally {
    seen.delete(object);
  }
}
