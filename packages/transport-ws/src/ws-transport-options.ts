import type { ServiceIdentifier } from 'inversify';

/**
 * Tuning of the WebSocket transport that is not part of the Parley config (the config's
 * `transport.ws.maxPayloadBytes`, `connectTimeoutMs` and `allowInsecure` arrive with each request).
 * Bind it to change a default:
 * `container.bind(WsTransportOptions).toConstantValue({ closeTimeoutMs: 500 })`.
 */
export interface WsTransportOptions {
  /**
   * How long `close()` waits for the server to answer the close frame before it drops the socket
   * (ms). Default {@link DEFAULT_CLOSE_TIMEOUT_MS} (1000). Real time, not the injected `Clock`:
   * it bounds a real socket.
   */
  closeTimeoutMs?: number;
  /**
   * Bytes of `bufferedAmount` above which `WsConnection.congested` is true. Default
   * {@link DEFAULT_HIGH_WATER_MARK_BYTES} (1 MiB). A send is never refused: see the README.
   */
  highWaterMarkBytes?: number;
  /**
   * Offer permessage-deflate compression. Default `false`: realtime traffic is mostly base64 audio,
   * which compresses poorly, and inflating every inbound frame costs CPU and latency.
   */
  perMessageDeflate?: boolean;
}

/** Service identifier of {@link WsTransportOptions} (optional binding). */
export const WsTransportOptions = Symbol('WsTransportOptions') as ServiceIdentifier<WsTransportOptions>;

/** Default of {@link WsTransportOptions.closeTimeoutMs}. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 1000;
/** Default of {@link WsTransportOptions.highWaterMarkBytes}: 1 MiB. */
export const DEFAULT_HIGH_WATER_MARK_BYTES = 1024 * 1024;

/** Default of `transport.ws.pingIntervalMs` when a request carries none (ms). */
export const DEFAULT_PING_INTERVAL_MS = 15000;
/** Default of `transport.ws.pongTimeoutMs` when a request carries none (ms). */
export const DEFAULT_PONG_TIMEOUT_MS = 10000;

/** {@link WsTransportOptions} with every default filled in. */
export type ResolvedWsTransportOptions = Required<WsTransportOptions>;

/** Fills in the defaults of {@link WsTransportOptions}. */
export function resolveWsTransportOptions(options: WsTransportOptions = {}): ResolvedWsTransportOptions {
  return {
    closeTimeoutMs: options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS,
    highWaterMarkBytes: options.highWaterMarkBytes ?? DEFAULT_HIGH_WATER_MARK_BYTES,
    perMessageDeflate: options.perMessageDeflate ?? false,
  };
}
