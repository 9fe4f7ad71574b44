import type { IncomingMessage } from 'node:http';

/** Longest body excerpt put in a handshake error (characters). */
export const MAX_EXCERPT_CHARS = 200;

/** Bytes of a refused handshake's body read at most (enough for the excerpt). */
const MAX_BODY_BYTES = 2048;

/**
 * Reads the start of an HTTP response body: resolves with up to 2 KiB once the body ended, that
 * much arrived, or the response failed; `done()` on the returned handle resolves it early with what
 * arrived (a server that never finishes its body). Never rejects.
 */
export function readBodyStart(response: IncomingMessage): { body: Promise<Buffer>; done(): void } {
  const chunks: Buffer[] = [];
  let size = 0;
  let finish: () => void = () => undefined;
  const body = new Promise<Buffer>((resolve) => {
    let settled = false;
    finish = () => {
      if (settled) return;
      settled = true;
      response.off('data', onData);
      resolve(Buffer.concat(chunks, Math.min(size, MAX_BODY_BYTES)));
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_BODY_BYTES) finish();
    };
    response.on('data', onData);
    response.once('end', finish);
    response.once('error', finish);
    response.once('close', finish);
  });
  return { body, done: () => finish() };
}

/**
 * A one-line excerpt of a response body for an error message: UTF-8, control characters and runs of
 * whitespace collapsed to one space, trimmed, at most {@link MAX_EXCERPT_CHARS} characters (never a
 * split surrogate pair).
 */
export function bodyExcerpt(body: Buffer | string): string {
  const text = (typeof body === 'string' ? body : body.toString('utf8')).replace(/[\p{Cc}\s]+/gu, ' ').trim();
  if (text.length <= MAX_EXCERPT_CHARS) return text;
  let cut = text.slice(0, MAX_EXCERPT_CHARS);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut;
}
