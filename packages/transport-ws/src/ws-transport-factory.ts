import {
  Clock,
  Logger,
  ParleyError,
  SystemClock,
  credentialQueryValues,
  describeError,
  redactUrl,
  type ConnectRequest,
  type ConnectionListener,
  type TransportFactory,
} from '@parley/core';
import { inject, injectable, optional } from 'inversify';
import WebSocket, { type ClientOptions } from 'ws';
import { assertSecureUrl } from './assert-secure-url.js';
import { buildHandshakeHeaders } from './handshake-headers.js';
import { buildRealtimeUrl } from './realtime-url.js';
import { displayUrl, headerSecrets, secretRedactor } from './secret-redactor.js';
import { START_ABORTED_MESSAGE, awaitHandshake } from './ws-handshake.js';
import { WsConnection } from './ws-connection.js';
import {
  DEFAULT_PING_INTERVAL_MS,
  DEFAULT_PONG_TIMEOUT_MS,
  WsTransportOptions,
  resolveWsTransportOptions,
  type ResolvedWsTransportOptions,
} from './ws-transport-options.js';

/**
 * The WebSocket transport (spec 06) on `ws`: one socket per conversation. Bound by
 * `wsTransportModule` as the singleton `TransportFactory`; tuned by an optional
 * {@link WsTransportOptions} binding.
 *
 * `connect` checks everything before any network activity, in this order: the signal is not aborted
 * (`ERR_START_ABORTED`), the URL ({@link buildRealtimeUrl}: `ERR_UNSUPPORTED_URL`,
 * `ERR_INVALID_CONFIG`), no unencrypted URL to a non-loopback host unless `allowInsecure`
 * (`ERR_INSECURE_URL`), the headers ({@link buildHandshakeHeaders}: `ERR_MISSING_API_KEY`). Then it
 * opens the socket with `maxPayload = maxPayloadBytes`, redirects not followed, UTF-8 validated, and
 * waits for the handshake ({@link awaitHandshake}: `ERR_HANDSHAKE_FAILED`, `ERR_CONNECT_TIMEOUT`,
 * `ERR_START_ABORTED`, `ERR_CONNECT_FAILED`). Error messages carry the URL, never the key.
 */
@injectable()
export class WsTransportFactory implements TransportFactory {
  private readonly options: ResolvedWsTransportOptions;

  private readonly clock: Clock;

  constructor(
    @inject(Logger) private readonly logger: Logger,
    @inject(WsTransportOptions) @optional() options?: WsTransportOptions,
    @inject(Clock) @optional() clock?: Clock,
  ) {
    this.options = resolveWsTransportOptions(options);
    this.clock = clock ?? new SystemClock();
  }

  /** Opens one conversation's connection; resolves once the socket is open (see the class doc). */
  async connect(request: ConnectRequest, listener: ConnectionListener): Promise<WsConnection> {
    if (request.signal.aborted) throw new ParleyError('ERR_START_ABORTED', START_ABORTED_MESSAGE);
    const href = buildRealtimeUrl(request);
    const url = new URL(href);
    const secrets = [request.apiKey, ...headerSecrets(request.headers), ...headerSecrets(request.startHeaders)];
    const redact = secretRedactor([...secrets, ...credentialQueryValues(href)]);
    const shownUrl = redact(redactUrl(displayUrl(url), secrets));
    assertSecureUrl(url, request.allowInsecure, shownUrl);
    const headers = buildHandshakeHeaders({ ...request, url }, this.logger);

    let socket: WebSocket;
    try {
      socket = this.createSocket(href, {
        headers,
        maxPayload: request.maxPayloadBytes,
        perMessageDeflate: this.options.perMessageDeflate,
        // A redirect could carry the Authorization header elsewhere: report it as a refusal instead.
        followRedirects: false,
        // Kept on: text frames must be valid UTF-8 (RFC 6455); skipping the check would turn bad bytes
        // into U+FFFD silently. ws uses Node's SIMD `buffer.isUtf8`, a small cost per frame.
        skipUTF8Validation: false,
        // Pongs are ours (WsConnection): ws's automatic ones drop the socket after 60 pending pongs,
        // so a burst of pings in one read would end the conversation.
        autoPong: false,
      });
    } catch (error) {
      const detail = redact(describeError(error));
      throw new ParleyError('ERR_INVALID_CONFIG', `could not open a WebSocket to ${shownUrl}: ${detail}`, { cause: error });
    }
    this.logger.debug('websocket connecting', { url: shownUrl, protocol: request.protocol, headers: Object.keys(headers) });
    const connection = new WsConnection(socket, listener, {
      url: shownUrl,
      maxPayloadBytes: request.maxPayloadBytes,
      closeTimeoutMs: this.options.closeTimeoutMs,
      highWaterMarkBytes: this.options.highWaterMarkBytes,
      redact,
      logger: this.logger,
      pingIntervalMs: request.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
      pongTimeoutMs: request.pongTimeoutMs ?? DEFAULT_PONG_TIMEOUT_MS,
      clock: this.clock,
    });
    try {
      await awaitHandshake(socket, { url: shownUrl, timeoutMs: request.connectTimeoutMs, signal: request.signal, redact });
    } catch (error) {
      connection.terminate();
      throw error;
    }
    this.logger.debug('websocket open', { url: shownUrl });
    return connection;
  }

  /**
   * Creates the `ws` client socket. The one place a socket is made: a subclass may override it
   * (a custom agent, or a test that proves no connection was attempted).
   */
  protected createSocket(url: string, options: ClientOptions): WebSocket {
    return new WebSocket(url, options);
  }
}
