import { ContainerModule } from 'inversify';
import {
  Clock,
  ConversationManager,
  createParleyContainer,
  HandoffDelegate,
  Logger,
  TransportFactory,
  type ConversationEvent,
  type ParleyConfigInput,
} from '@parley/core';
import { InMemoryTransport, RecordingLogger, VirtualClock, settle, type InMemoryConnection } from '@parley/testkit';
import { echoProtocolModule } from './echo-protocol.js';

/** A manager built from the real container with the echo protocol, in-memory transport and virtual clock. */
export interface Harness {
  manager: ConversationManager;
  transport: InMemoryTransport;
  clock: VirtualClock;
  logger: RecordingLogger;
  events: ConversationEvent[];
  /** The newest connection. */
  server(): InMemoryConnection;
  /** Client frames sent on the newest connection, parsed. */
  wire(): unknown[];
  /** Events of one type. */
  of<T extends ConversationEvent['type']>(type: T): Extract<ConversationEvent, { type: T }>[];
}

/** Options of {@link createHarness}. */
export interface HarnessOptions {
  config?: ParleyConfigInput;
  delegate?: HandoffDelegate;
  modules?: ContainerModule[];
}

/** Builds a {@link Harness} (protocol `echo` unless the config says otherwise). */
export function createHarness(options: HarnessOptions = {}): Harness {
  const clock = new VirtualClock();
  const transport = new InMemoryTransport();
  const logger = new RecordingLogger();
  const testModule = new ContainerModule(({ bind }) => {
    bind(Clock).toConstantValue(clock);
    bind(Logger).toConstantValue(logger);
    bind(TransportFactory).toConstantValue(transport);
    if (options.delegate !== undefined) bind(HandoffDelegate).toConstantValue(options.delegate);
  });
  // The core checks the API key for every transport (spec 04): like the scenario runner, the harness carries a test key.
  const config: ParleyConfigInput = { ...options.config, realtime: { protocol: 'echo', apiKey: 'test-key', ...options.config?.realtime } };
  const container = createParleyContainer({ config, before: [testModule], modules: [echoProtocolModule, ...(options.modules ?? [])] });
  const manager = container.get(ConversationManager);
  const events: ConversationEvent[] = [];
  manager.on((event) => events.push(event));
  return {
    manager,
    transport,
    clock,
    logger,
    events,
    server: () => transport.current,
    wire: () => transport.current.sentJson(),
    of: <T extends ConversationEvent['type']>(type: T) =>
      events.filter((event): event is Extract<ConversationEvent, { type: T }> => event.type === type),
  };
}

export { settle };
