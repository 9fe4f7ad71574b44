/**
 * Characters shown escaped on a terminal: C0 controls (tab and newline too, so a message stays on
 * one line), DEL, C1 controls (0x9b is a one-byte CSI), the line and paragraph separators, and the
 * bidirectional overrides and isolates that can reorder what is shown.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Makes server-provided text safe to print on a terminal: every control character (escape
 * sequences that set the window title, write the clipboard or clear the screen start with one) is
 * shown as a visible escape (`\n`, `\r`, `\t`, or `\u001b`-style), so nothing the server sends is
 * interpreted by the terminal and every message stays on one line.
 */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE, (char) => NAMED[char] ?? `\\u${(char.codePointAt(0) as number).toString(16).padStart(4, '0')}`);
}

const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * One JSON Lines record: `JSON.stringify`, with the characters it leaves raw that a terminal or a
 * line reader may act on (DEL, C1 controls, line separators, bidi controls) written as `\uXXXX`
 * escapes too. The parsed value is exactly the same.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(JSON_UNSAFE, (char) => `\\u${(char.codePointAt(0) as number).toString(16).padStart(4, '0')}`);
}
