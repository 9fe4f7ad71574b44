/** A top-level value the scanner reads: a JSON string, number, `true`, `false` or `null`. */
export type FlatJsonValue = string | number | boolean | null;

/** Frames up to this length (in UTF-16 units) are scanned; longer ones fall back. */
const MAX_FRAME = 64 * 1024;

/** Scratch for the control-character check: the frame as one byte per character, then whole words. */
const SCRATCH_BYTES = new ArrayBuffer(MAX_FRAME + 4);
const SCRATCH = Buffer.from(SCRATCH_BYTES);
const SCRATCH_WORDS = new Int32Array(SCRATCH_BYTES);

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const SPACE = 0x20;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const LOWER_F = 0x66;
const LOWER_N = 0x6e;
const LOWER_T = 0x74;

/**
 * A fast path for decoding hot server frames: reads chosen top-level fields of a frame that is a
 * **flat, plainly written** JSON object, without building the object, and says "fall back to
 * `JSON.parse`" for everything else.
 *
 * Plain means: an object whose values are all strings, numbers, `true`, `false` or `null` — no
 * nested object or array — written with at most spaces between tokens, and whose text holds no
 * backslash (so no escape sequence) and no character below U+0020 (so no tab or newline) anywhere,
 * at most 64 Ki characters. Anything else (nesting, escapes, other whitespace, invalid JSON, a
 * non-object) makes {@link FlatJsonScanner.scan} return `false`, and the caller must use
 * `JSON.parse`.
 *
 * The guarantee (property-tested against `JSON.parse`): when `scan(frame)` returns `true`,
 * `JSON.parse(frame)` succeeds and returns an object without nested values, and for every key `k`
 * at index `i` of {@link FlatJsonScanner.keys}, `values[i]` is `Object.is`-equal to that object's own property `k`
 * (`undefined` when it has none; with duplicate keys the last one wins, as in `JSON.parse`).
 *
 * Cheaper than `JSON.parse` because the work that needs every character (no control character,
 * no backslash, where each string ends) is done by native bulk operations (`indexOf`, one
 * byte-copy checked a word at a time) instead of a character loop, no keys are interned, no object
 * is built, and string values are slices of the frame (no copy of a long base64 payload). One
 * scanner per decoder is enough: {@link FlatJsonScanner.values} is overwritten by each scan, so read
 * it before the next one. Not reentrant, and not for frames of other threads.
 */
export class FlatJsonScanner {
  /** The value of each of {@link FlatJsonScanner.keys} in the last frame scanned (`undefined`: absent or no scan). */
  readonly values: (FlatJsonValue | undefined)[];

  /** @param keys the top-level keys to read, in the order of {@link FlatJsonScanner.values}. */
  constructor(readonly keys: readonly string[]) {
    this.values = keys.map(() => undefined);
  }

  /**
   * Scans `frame`: `true` when it is a plain flat object (its fields are then in {@link FlatJsonScanner.values}),
   * `false` when the caller must fall back to `JSON.parse` (the values are then meaningless).
   */
  scan(frame: string): boolean {
    const values = this.values;
    for (let i = 0; i < values.length; i += 1) values[i] = undefined;
    const end = frame.length;
    if (end > MAX_FRAME || frame.indexOf('\\') !== -1 || hasControlCharacter(frame)) return false;
    let at = skipWhitespace(frame, 0);
    if (frame.charCodeAt(at) !== OPEN_BRACE) return false;
    at = skipWhitespace(frame, at + 1);
    if (frame.charCodeAt(at) === CLOSE_BRACE) return skipWhitespace(frame, at + 1) === end;
    for (;;) {
      // A key: a plain string.
      if (frame.charCodeAt(at) !== QUOTE) return false;
      const keyStart = at + 1;
      const keyEnd = frame.indexOf('"', keyStart);
      if (keyEnd < 0) return false;
      const slot = this.slotOf(frame, keyStart, keyEnd - keyStart);
      at = skipWhitespace(frame, keyEnd + 1);
      if (frame.charCodeAt(at) !== COLON) return false;
      at = skipWhitespace(frame, at + 1);
      // A value: a plain string, a number, true, false or null.
      const first = frame.charCodeAt(at);
      if (first === QUOTE) {
        const valueEnd = frame.indexOf('"', at + 1);
        if (valueEnd < 0) return false;
        if (slot >= 0) values[slot] = frame.slice(at + 1, valueEnd);
        at = valueEnd + 1;
      } else if (first === MINUS || (first >= ZERO && first <= NINE)) {
        const numberEnd = jsonNumberEnd(frame, at);
        if (numberEnd < 0) return false;
        if (slot >= 0) values[slot] = numberEnd === at + 1 ? first - ZERO : Number(frame.slice(at, numberEnd));
        at = numberEnd;
      } else if (first === LOWER_T && frame.startsWith('true', at)) {
        if (slot >= 0) values[slot] = true;
        at += 4;
      } else if (first === LOWER_F && frame.startsWith('false', at)) {
        if (slot >= 0) values[slot] = false;
        at += 5;
      } else if (first === LOWER_N && frame.startsWith('null', at)) {
        if (slot >= 0) values[slot] = null;
        at += 4;
      } else {
        return false; // a nested object or array, or not JSON
      }
      at = skipWhitespace(frame, at);
      const next = frame.charCodeAt(at);
      if (next === COMMA) {
        at = skipWhitespace(frame, at + 1);
      } else if (next === CLOSE_BRACE) {
        return skipWhitespace(frame, at + 1) === end;
      } else {
        return false;
      }
    }
  }

  /** The index in {@link FlatJsonScanner.keys} of the key at `frame[start, start + length)`, or -1. */
  private slotOf(frame: string, start: number, length: number): number {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i += 1) {
      const key = keys[i]!;
      if (key.length === length && frame.startsWith(key, start)) return i;
    }
    return -1;
  }
}

/** The index of the first character at or after `at` that is not a space. */
function skipWhitespace(frame: string, at: number): number {
  while (frame.charCodeAt(at) === SPACE) at += 1;
  return at;
}

/**
 * True when `frame` holds a character below U+0020 (never allowed inside a JSON string; outside
 * strings only as whitespace, which this scanner leaves to `JSON.parse`). The frame is copied as one
 * byte per character and checked four bytes at a time: `(x - 0x20202020) & ~x & 0x80808080` is
 * non-zero exactly when some byte of `x` is below 0x20. A character above U+00FF keeps only its low
 * byte in the copy, so a flagged word is confirmed on the characters themselves.
 */
function hasControlCharacter(frame: string): boolean {
  const length = frame.length;
  SCRATCH.write(frame, 0, length, 'latin1');
  SCRATCH[length] = SPACE;
  SCRATCH[length + 1] = SPACE;
  SCRATCH[length + 2] = SPACE;
  const words = (length + 3) >> 2;
  for (let i = 0; i < words; i += 1) {
    const word = SCRATCH_WORDS[i]!;
    if (((word - 0x20202020) & ~word & 0x80808080) !== 0 && controlCharacterAt(frame, i << 2)) return true;
  }
  return false;
}

/** True when one of the (up to) four characters from `start` is below U+0020. */
function controlCharacterAt(frame: string, start: number): boolean {
  const end = Math.min(start + 4, frame.length);
  for (let i = start; i < end; i += 1) {
    if (frame.charCodeAt(i) < SPACE) return true;
  }
  return false;
}

/** The index just after the JSON number starting at `start`, or -1 when it is not one. */
function jsonNumberEnd(frame: string, start: number): number {
  let at = start;
  let code = frame.charCodeAt(at);
  if (code === MINUS) code = frame.charCodeAt((at += 1));
  if (code === ZERO) {
    code = frame.charCodeAt((at += 1));
  } else if (code > ZERO && code <= NINE) {
    do code = frame.charCodeAt((at += 1));
    while (code >= ZERO && code <= NINE);
  } else {
    return -1;
  }
  if (code === DOT) {
    code = frame.charCodeAt((at += 1));
    if (!(code >= ZERO && code <= NINE)) return -1;
    do code = frame.charCodeAt((at += 1));
    while (code >= ZERO && code <= NINE);
  }
  if (code === LOWER_E || code === UPPER_E) {
    code = frame.charCodeAt((at += 1));
    if (code === PLUS || code === MINUS) code = frame.charCodeAt((at += 1));
    if (!(code >= ZERO && code <= NINE)) return -1;
    do code = frame.charCodeAt((at += 1));
    while (code >= ZERO && code <= NINE);
  }
  return at;
}
