import { ContainerModule, type Container } from 'inversify';
import {
  Clock,
  ConversationManager,
  createParleyContainer,
  HandoffDelegate,
  isParleyError,
  Logger,
  ProtocolStrategy,
  TransportFactory,
  type Connection,
  type ConnectionListener,
  type ConnectRequest,
  type ConversationEvent,
  type ParleyConfigInput,
} from '@parley/core';
import { parserV1Module } from '@parley/parser-v1';
import { parserV2Module } from '@parley/parser-v2';
import { InMemoryTransport, VirtualClock, type InMemoryConnection } from '@parley/testkit';
import { RecordingLogger } from '@parley/testkit';

/**
 * A transport that records every client frame at the moment the conversation hands it to the
 * connection (before the in-memory send completes or stays stalled), then forwards to an
 * {@link InMemoryTransport}. The record is the order in which the session policy decided to send.
 */
export class SendTapTransport implements TransportFactory {
  constructor(
    readonly inner: InMemoryTransport,
    private readonly tap: (text: string, connection: number) => void,
  ) {}

  async connect(request: ConnectRequest, listener: ConnectionListener): Promise<Connection> {
    const connection = await this.inner.connect(request, listener);
    const index = this.inner.connections.length - 1;
    const tap = this.tap;
    return {
      send(text: string): Promise<void> {
        tap(text, index);
        return connection.send(text);
      },
      get bufferedAmount(): number {
        return connection.bufferedAmount;
      },
      pause: () => connection.pause(),
      resume: () => connection.resume(),
      close: () => connection.close(),
      terminate: () => connection.terminate(),
    };
  }
}

/** A manager on the real V1 or V2 strategy, an in-memory transport and a virtual clock. */
export interface ProtocolHarness {
  container: Container;
  manager: ConversationManager;
  /** The strategy of the configured protocol (the decoder, used as an oracle). */
  strategy: ProtocolStrategy;
  transport: InMemoryTransport;
  clock: VirtualClock;
  logger: RecordingLogger;
  /** Every event, in order (listener registered before start). */
  events: ConversationEvent[];
  /** Every client frame in the order it was handed to a connection (all connections), parsed. */
  initiated: Record<string, unknown>[];
  /** For each frame of {@link initiated}, the index of its connection (0 = the first). */
  initiatedOn: number[];
  /** Called with each client frame when it is handed to a connection. */
  onInitiated: ((message: Record<string, unknown>) => void) | undefined;
  /** The newest connection (the server side). */
  server(): InMemoryConnection;
  /** Events of one type. */
  of<T extends ConversationEvent['type']>(type: T): Extract<ConversationEvent, { type: T }>[];
}

/** Options of {@link createProtocolHarness}. */
export interface ProtocolHarnessOptions {
  /** Config overrides (merged over `realtime.protocol`). */
  config?: ParleyConfigInput;
  delegate?: HandoffDelegate;
  /** A logger to use instead of a fresh {@link RecordingLogger}. */
  logger?: RecordingLogger;
  /** More modules (e.g. bound tools), loaded after the parsers; they may use the harness clock. */
  modules?: (clock: VirtualClock) => ContainerModule[];
}

/**
 * Builds a {@link ProtocolHarness} for `protocol` from the real container with both parser modules
 * loaded (`parserV1Module`, `parserV2Module`).
 */
export function createProtocolHarness(protocol: string, options: ProtocolHarnessOptions = {}): ProtocolHarness {
  const clock = new VirtualClock();
  const inner = new InMemoryTransport();
  const logger = options.logger ?? new RecordingLogger();
  const initiated: Record<string, unknown>[] = [];
  const initiatedOn: number[] = [];
  const harness = {} as ProtocolHarness;
  const transport = new SendTapTransport(inner, (text, connection) => {
    const message = JSON.parse(text) as Record<string, unknown>;
    initiated.push(message);
    initiatedOn.push(connection);
    harness.onInitiated?.(message);
  });
  const testModule = new ContainerModule(({ bind }) => {
    bind(Clock).toConstantValue(clock);
    bind(Logger).toConstantValue(logger);
    bind(TransportFactory).toConstantValue(transport);
    if (options.delegate !== undefined) bind(HandoffDelegate).toConstantValue(options.delegate);
  });
  // The core checks the API key for every transport (spec 04): like the scenario runner, the harness carries a test key.
  const config: ParleyConfigInput = { ...options.config, realtime: { apiKey: 'test-key', ...options.config?.realtime, protocol } };
  const container = createParleyContainer({
    config,
    before: [testModule],
    modules: [parserV1Module, parserV2Module, ...(options.modules?.(clock) ?? [])],
  });
  const manager = container.get(ConversationManager);
  const strategy =
    container.getAll(ProtocolStrategy).find((candidate) => candidate.id === protocol) ?? container.getAll(ProtocolStrategy)[0];
  const events: ConversationEvent[] = [];
  manager.on((event) => events.push(event));
  Object.assign(harness, {
    container,
    manager,
    strategy,
    transport: inner,
    clock,
    logger,
    events,
    initiated,
    initiatedOn,
    onInitiated: undefined,
    server: () => inner.current,
    of: <T extends ConversationEvent['type']>(type: T) =>
      events.filter((event): event is Extract<ConversationEvent, { type: T }> => event.type === type),
  });
  return harness;
}

/**
 * Follows a fire-and-forget input: its only acceptable failure is `ERR_NOT_RUNNING` (the conversation
 * ended while it waited); any other failure is pushed to `problems` for the test to assert on.
 */
export function track(promise: Promise<unknown>, problems: unknown[]): void {
  promise.catch((error: unknown) => {
    if (!isParleyError(error, 'ERR_NOT_RUNNING')) problems.push(error);
  });
}

/** Runs a synchronous input; its only acceptable failure is `ERR_NOT_RUNNING` (see {@link track}). */
export function attempt(action: () => void, problems: unknown[]): void {
  try {
    action();
  } catch (error) {
    if (!isParleyError(error, 'ERR_NOT_RUNNING')) problems.push(error);
  }
}
