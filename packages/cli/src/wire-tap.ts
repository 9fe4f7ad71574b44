import type { Connection, ConnectionListener, ConnectRequest, TransportFactory } from '@parley/core';

/** Observes a connection's traffic: every client frame sent (on completion) and every server text frame. */
export interface WireObserver {
  /** A client frame was handed to the socket. */
  sent?(text: string): void;
  /** A server text frame arrived (before the conversation sees it). */
  received?(text: string): void;
  /** The server closed the connection. */
  closed?(code: number, reason: string): void;
}

/**
 * A {@link TransportFactory} decorator that reports the traffic of every connection to an observer,
 * for the live timeline of `parley demo` and for `parley connect --record`. It changes nothing.
 */
export class WireTap implements TransportFactory {
  constructor(
    private readonly inner: TransportFactory,
    private readonly observer: WireObserver,
  ) {}

  async connect(request: ConnectRequest, listener: ConnectionListener): Promise<Connection> {
    const observer = this.observer;
    const tapped: ConnectionListener = {
      onText: (text) => {
        observer.received?.(text);
        listener.onText(text);
      },
      onBinary: (data) => listener.onBinary(data),
      onClose: (code, reason) => {
        observer.closed?.(code, reason);
        listener.onClose(code, reason);
      },
      onError: (error) => listener.onError(error),
    };
    const connection = await this.inner.connect(request, tapped);
    return {
      send: (text: string) =>
        connection.send(text).then(() => {
          observer.sent?.(text);
        }),
      get bufferedAmount() {
        return connection.bufferedAmount;
      },
      pause: () => connection.pause(),
      resume: () => connection.resume(),
      close: () => connection.close(),
      terminate: () => connection.terminate(),
    };
  }
}
