import type { IncomingMessage } from 'node:http';
import { ContainerModule } from 'inversify';
import { WebSocketServer, type ServerOptions, type WebSocket } from 'ws';
import {
  Clock,
  ConversationManager,
  createParleyContainer,
  HandoffDelegate,
  Logger,
  type ConversationEvent,
  type ParleyConfigInput,
} from '@parley/core';
import { parserV1Module } from '@parley/parser-v1';
import { parserV2Module } from '@parley/parser-v2';
import { wsTransportModule } from '@parley/transport-ws';
import type { Container } from 'inversify';

import { waitUntil } from '@parley/testkit';

export { waitUntil };

/** Lets real socket I/O run for a moment: only to show that something did NOT happen. */
export function ioPause(ms = 30): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The server side of one client connection. */
export interface Peer {
  socket: WebSocket;
  request: IncomingMessage;
  /** Every text message received, in order. */
  received: string[];
  /** The received messages, parsed. */
  json(): Record<string, unknown>[];
  /** Sends one JSON object as a text frame. */
  send(value: unknown): void;
  /** Resolves when the socket closed (code as the server saw it). */
  closed: Promise<number>;
}

/** A `ws` server on 127.0.0.1, port 0. */
export interface TestServer {
  wss: WebSocketServer;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Every peer so far, oldest first. */
  peers: Peer[];
  /** Resolves with the `index`-th peer (0-based) once it connected. */
  peer(index: number): Promise<Peer>;
}

/** A manager built from the real container with the ws transport and both parsers. */
export interface WsConversation {
  container: Container;
  manager: ConversationManager;
  events: ConversationEvent[];
  of<T extends ConversationEvent['type']>(type: T): Extract<ConversationEvent, { type: T }>[];
}

/** Options of {@link WsFixtures.conversation}. */
export interface WsConversationOptions {
  protocol?: 'v1' | 'v2';
  config?: ParleyConfigInput;
  clock?: Clock;
  logger?: Logger;
  delegate?: HandoffDelegate;
}

/** Opens servers and managers for a test and closes them all in `closeAll()` (call it from `afterEach`). */
export class WsFixtures {
  private readonly cleanups: (() => Promise<void> | void)[] = [];

  async server(options: ServerOptions = {}): Promise<TestServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    const peers: Peer[] = [];
    wss.on('connection', (socket, request) => {
      const received: string[] = [];
      socket.on('message', (data) => received.push(data.toString()));
      socket.on('error', () => undefined);
      const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
      peers.push({
        socket,
        request,
        received,
        json: () => received.map((text) => JSON.parse(text) as Record<string, unknown>),
        send: (value) => socket.send(JSON.stringify(value)),
        closed,
      });
    });
    this.cleanups.push(async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    });
    const port = (wss.address() as { port: number }).port;
    return {
      wss,
      url: `http://127.0.0.1:${port}`,
      peers,
      peer: async (index) => {
        await waitUntil(() => peers.length > index, `peer ${index}`);
        return peers[index] as Peer;
      },
    };
  }

  /** A manager on `url` (protocol v2 unless told), log level silent; closed after the test. */
  conversation(url: string, options: WsConversationOptions = {}): WsConversation {
    const before = new ContainerModule(({ bind }) => {
      if (options.clock !== undefined) bind(Clock).toConstantValue(options.clock);
      if (options.logger !== undefined) bind(Logger).toConstantValue(options.logger);
      if (options.delegate !== undefined) bind(HandoffDelegate).toConstantValue(options.delegate);
    });
    const config: ParleyConfigInput = {
      ...options.config,
      realtime: { ...options.config?.realtime, protocol: options.protocol ?? 'v2', url },
      log: { level: 'silent' },
    };
    const container = createParleyContainer({ config, before: [before], modules: [parserV1Module, parserV2Module, wsTransportModule] });
    const manager = container.get(ConversationManager);
    const events: ConversationEvent[] = [];
    manager.on((event) => events.push(event));
    this.cleanups.push(() => manager.close());
    return {
      container,
      manager,
      events,
      of: <T extends ConversationEvent['type']>(type: T) =>
        events.filter((event): event is Extract<ConversationEvent, { type: T }> => event.type === type),
    };
  }

  /** Runs `cleanup` in `closeAll()` (last registered, first run). */
  defer(cleanup: () => Promise<void> | void): void {
    this.cleanups.push(cleanup);
  }

  async closeAll(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup();
  }
}

/** An unmasked server-to-client frame header (FIN set) for a payload of `length` bytes. */
export function frameHeader(opcode: number, length: number): Buffer {
  if (length < 126) return Buffer.from([0x80 | opcode, length]);
  if (length < 65536) {
    const header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
    return header;
  }
  const header = Buffer.alloc(10);
  header[0] = 0x80 | opcode;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;
}
