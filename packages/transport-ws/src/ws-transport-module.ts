import { TransportFactory } from '@parley/core';
import { ContainerModule } from 'inversify';
import { WsTransportFactory } from './ws-transport-factory.js';

/**
 * Binds {@link WsTransportFactory} as the singleton `TransportFactory`. It injects the core
 * `Logger` and, when bound, `WsTransportOptions` (all defaults otherwise).
 */
export const wsTransportModule = new ContainerModule(({ bind }) => {
  bind(TransportFactory).to(WsTransportFactory).inSingletonScope();
});
