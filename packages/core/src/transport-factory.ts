import type { ServiceIdentifier } from 'inversify';

/** Everything a transport needs to open one conversation's connection. */
export interface ConnectRequest {
  /** The strategy id (`v1`, `v2`, ...), for logs and protocol-neutral rules. */
  protocol: string;
  /** `realtime.url`: the base URL, completed by the transport per spec 06. */
  baseUrl: string;
  /** The model; `""` adds no `model` query parameter. */
  model: string;
  /** The protocol's query pairs (added before `model`). */
  protocolQuery: Record<string, string>;
  /** The endpoint the URL's path rule completes to (default `realtime`; live: `live/sessions`, spec 08 A1). */
  endpointPath?: string;
  /** Whether `model` goes in the query (default true; live: false, spec 08 A1). */
  modelQuery?: boolean;
  /**
   * True when the URL takes no `model` pair at all (v2 transcription mode): none from `model`, the
   * base URL or `extraQuery` (spec 06). `model` is then `""`. Default false.
   */
  withoutModel?: boolean;
  /** `realtime.query`: extra pairs (minus `intent`, and `model` when a model is set). */
  extraQuery: Record<string, string>;
  /** `realtime.headers`. */
  headers: Record<string, string>;
  /** The start's own headers (override `headers`). */
  startHeaders: Record<string, string>;
  /** The protocol's default headers (only where the name is not already present). */
  defaultHeaders: Record<string, string>;
  /** The API key, for `Authorization: Bearer`; never logged. */
  apiKey: string | undefined;
  /** Sent as `x-session-id` when header-safe. */
  sessionId: string | undefined;
  /** Largest inbound frame (bytes). */
  maxPayloadBytes: number;
  /** Handshake timeout (ms). */
  connectTimeoutMs: number;
  /** Allow ws:// and http:// to non-loopback hosts. */
  allowInsecure: boolean;
  /**
   * `transport.ws.pingIntervalMs`: how long the connection may stay without a liveness check before
   * the transport pings (ms; 0 = never). Transports without pings ignore it. Default 15000.
   */
  pingIntervalMs?: number;
  /**
   * `transport.ws.pongTimeoutMs`: how long the transport waits for the pong (or any other frame)
   * after a ping before the connection counts as lost (ms; 0 = no limit). Default 10000.
   */
  pongTimeoutMs?: number;
  /** Aborted when the conversation is closed or replaced during the connect. */
  signal: AbortSignal;
}

/** Receives what happens on a connection, in order. After `onClose` or `onError`, nothing more. */
export interface ConnectionListener {
  /** An inbound text frame. */
  onText(text: string): void;
  /** An inbound binary frame (the core treats it as a fatal protocol error). */
  onBinary(data: Uint8Array): void;
  /** The server closed with a close frame (any code), or the stream ended cleanly. */
  onClose(code: number, reason: string): void;
  /** The connection was lost without a close frame, or failed (a typed `ParleyError`). */
  onError(error: Error): void;
}

/** One open connection. */
export interface Connection {
  /** Sends one text frame; resolves once it is handed to the socket, rejects when that fails. */
  send(text: string): Promise<void>;
  /** Bytes accepted by `send` and not yet written to the socket. */
  readonly bufferedAmount: number;
  /** Stops delivering inbound frames (the socket stops reading). */
  pause(): void;
  /** Resumes inbound delivery. */
  resume(): void;
  /** Sends a normal close frame and ends; idempotent. No listener call follows. */
  close(): void;
  /** Drops the connection at once (a replaced conversation); idempotent. No listener call follows. */
  terminate(): void;
}

/** Opens connections. Bind exactly one (e.g. `wsTransportModule`, or the testkit's in-memory one). */
export interface TransportFactory {
  /**
   * Opens a connection; rejects with a typed `ParleyError` (bad URL, missing key, refused handshake,
   * timeout, aborted). `listener` receives every inbound frame from the first one on.
   */
  connect(request: ConnectRequest, listener: ConnectionListener): Promise<Connection>;
}

/** Service identifier of {@link TransportFactory}. */
export const TransportFactory = Symbol('TransportFactory') as ServiceIdentifier<TransportFactory>;
