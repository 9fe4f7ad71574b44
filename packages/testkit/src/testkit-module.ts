import { ContainerModule } from 'inversify';
import { Clock, TransportFactory } from '@parley/core';
import { InMemoryTransport } from './in-memory-transport.js';
import { VirtualClock } from './virtual-clock.js';

/**
 * Test bindings for your own conversations: a {@link VirtualClock} as the `Clock` and an
 * {@link InMemoryTransport} as the `TransportFactory` (both singletons; get them from the container
 * to play the server and move time). Load it in `before` so the core keeps this clock:
 * `createParleyContainer({ before: [testkitModule], modules: [parserV2Module] })`.
 */
export const testkitModule = new ContainerModule(({ bind }) => {
  bind(VirtualClock).toSelf().inSingletonScope();
  bind(Clock).toService(VirtualClock);
  bind(InMemoryTransport).toSelf().inSingletonScope();
  bind(TransportFactory).toService(InMemoryTransport);
});
