/**
 * The chunking rule of spec 08 ("Chunking"): every context append's `content` stays within an
 * estimated token budget (the server refuses appends over 500 tokens).
 */

/** Quarters of a token one code point costs: U+0000–U+007F one quarter, any other four. */
function quarters(codePoint: string): number {
  return (codePoint.codePointAt(0) ?? 0) <= 0x7f ? 1 : 4;
}

/** ECMAScript whitespace: exactly what `String.prototype.trim` removes (JS `\s`). */
const WHITESPACE = /^\s$/u;

function isWhitespace(codePoint: string | undefined): boolean {
  return codePoint !== undefined && WHITESPACE.test(codePoint);
}

const FULL_WIDTH_ENDS = new Set(['。', '！', '？']);
const SENTENCE_ENDS = new Set(['.', '!', '?']);

/**
 * The estimated tokens of a string: each code point U+0000–U+007F costs one quarter, any other
 * code point four quarters; tokens = ⌈quarters ⁄ 4⌉ (about four ASCII characters a token, one
 * token per CJK character). A rough, conservative estimate: the server's tokenizer is not public.
 */
export function estimateTokens(text: string): number {
  let total = 0;
  for (const codePoint of text) total += quarters(codePoint);
  return Math.ceil(total / 4);
}

/**
 * Splits a text into chunks of at most `budget` estimated tokens (spec 08):
 * 1. trim it; empty → no chunk; within the budget → one chunk;
 * 2. otherwise, among the longest prefix within the budget (L code points), cut after the last
 *    line feed, `。！？`, or `.!?` followed by whitespace (a sentence end); else before the last
 *    whitespace (words stay whole); else after L code points (a hard cut);
 * 3. the chunk is that prefix, trimmed; the rest goes back to step 1.
 * Never drops a character other than the whitespace trimmed at chunk edges. `budget` ≥ 1.
 */
export function chunkText(text: string, budget: number): string[] {
  const codePoints = Array.from(text);
  const limit = Math.max(1, Math.floor(budget)) * 4;
  const chunks: string[] = [];
  let start = 0;
  let end = codePoints.length;
  for (;;) {
    while (start < end && isWhitespace(codePoints[start])) start += 1;
    while (end > start && isWhitespace(codePoints[end - 1])) end -= 1;
    if (start >= end) return chunks;
    // L: the longest prefix (from `start`) whose estimate stays within the budget.
    let spent = 0;
    let length = 0;
    while (start + length < end) {
      const cost = quarters(codePoints[start + length] as string);
      if (spent + cost > limit) break;
      spent += cost;
      length += 1;
    }
    if (start + length >= end) {
      chunks.push(codePoints.slice(start, end).join(''));
      return chunks;
    }
    const cut = cutPoint(codePoints, start, length, end);
    const chunk = codePoints
      .slice(start, start + cut)
      .join('')
      .trim();
    if (chunk !== '') chunks.push(chunk);
    start += cut;
  }
}

/** The number of code points (1..length) after which the chunk starting at `start` is cut. */
function cutPoint(codePoints: string[], start: number, length: number, end: number): number {
  for (let k = length; k >= 1; k -= 1) {
    const codePoint = codePoints[start + k - 1] as string;
    if (codePoint === '\n' || FULL_WIDTH_ENDS.has(codePoint)) return k;
    if (SENTENCE_ENDS.has(codePoint) && start + k < end && isWhitespace(codePoints[start + k])) return k;
  }
  for (let k = length; k >= 1; k -= 1) {
    if (start + k < end && isWhitespace(codePoints[start + k])) return k;
  }
  return length;
}
