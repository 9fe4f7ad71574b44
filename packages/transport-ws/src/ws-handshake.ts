import type { ClientRequest, IncomingMessage } from 'node:http';
import { ParleyError } from '@parley/core';
import type WebSocket from 'ws';
import { bodyExcerpt, readBodyStart } from './response-excerpt.js';
import type { Redactor } from './secret-redactor.js';

/** What {@link awaitHandshake} needs. */
export interface HandshakeContext {
  /** The URL as shown in messages (no credentials, secrets redacted). */
  url: string;
  /** `connectTimeoutMs`: the whole handshake, TCP and TLS included, must finish within it (real time). */
  timeoutMs: number;
  /** Aborting it during the handshake fails with `ERR_START_ABORTED` and drops the socket. */
  signal: AbortSignal;
  /** Applied to every text taken from the server, `ws` or Node. */
  redact: Redactor;
}

/** The message of `ERR_START_ABORTED` (the same words as the core's). */
export const START_ABORTED_MESSAGE = 'the start was aborted: the conversation was closed or replaced while connecting';

/**
 * Waits for a connecting `ws` socket to open. Resolves on `open`. Otherwise rejects once, drops the
 * socket (`terminate()`), and removes its own listeners:
 * - `ERR_HANDSHAKE_FAILED`: the server answered the upgrade with an HTTP response (status, status
 *   text and a body excerpt of at most 200 characters in the message);
 * - `ERR_CONNECT_TIMEOUT`: not open within `timeoutMs` (a refusal whose body never ends is reported
 *   as a refusal with what arrived);
 * - `ERR_START_ABORTED`: `signal` aborted;
 * - `ERR_CONNECT_FAILED`: any other failure (DNS, refused TCP connection, TLS, invalid upgrade).
 * Every message carries the URL and never a secret.
 */
export function awaitHandshake(socket: WebSocket, context: HandshakeContext): Promise<void> {
  const { url, redact } = context;
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let refusal: { done(): void } | undefined;

    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      context.signal.removeEventListener('abort', onAbort);
      socket.off('open', onOpen);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.off('unexpected-response', onResponse);
      return true;
    };
    const fail = (error: ParleyError): void => {
      if (!settle()) return;
      socket.terminate();
      reject(error);
    };
    const onOpen = (): void => {
      if (settle()) resolve();
    };
    const onError = (error: Error): void => {
      if (refusal !== undefined) refusal.done();
      else fail(new ParleyError('ERR_CONNECT_FAILED', `could not connect to ${url}: ${redact(error.message)}`, { cause: error }));
    };
    const onClose = (): void => {
      if (refusal !== undefined) refusal.done();
      else fail(new ParleyError('ERR_CONNECT_FAILED', `could not connect to ${url}: the connection closed during the handshake`));
    };
    const onResponse = (_request: ClientRequest, response: IncomingMessage): void => {
      if (refusal !== undefined) return;
      const reading = readBodyStart(response);
      refusal = reading;
      const status = response.statusCode ?? 0;
      const statusText = redact(response.statusMessage ?? '');
      void reading.body.then((body) => {
        const excerpt = bodyExcerpt(redact(body.toString('utf8')));
        const head = statusText === '' ? `HTTP ${status}` : `HTTP ${status} ${statusText}`;
        fail(
          new ParleyError(
            'ERR_HANDSHAKE_FAILED',
            `the server refused the WebSocket handshake for ${url}: ${head}${excerpt === '' ? '' : `: ${excerpt}`}`,
          ),
        );
      });
    };
    const onAbort = (): void => fail(new ParleyError('ERR_START_ABORTED', START_ABORTED_MESSAGE));
    const onTimeout = (): void => {
      if (refusal !== undefined) refusal.done();
      else {
        fail(
          new ParleyError(
            'ERR_CONNECT_TIMEOUT',
            `could not connect to ${url} within ${context.timeoutMs} ms: check that the server is reachable, or raise transport.ws.connectTimeoutMs`,
          ),
        );
      }
    };

    const timer = setTimeout(onTimeout, context.timeoutMs);
    context.signal.addEventListener('abort', onAbort, { once: true });
    socket.on('open', onOpen);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.on('unexpected-response', onResponse);
  });
}
