import { ProtocolStrategy } from '@parley/core';
import { ContainerModule } from 'inversify';
import { RelayProtocol } from './relay-protocol.js';

/**
 * Registers the relay protocol: add it to `createParleyContainer({ modules: [...] })` and select it
 * with `realtime.protocol: 'relay'`. A constant binding needs no decorators.
 */
export const relayProtocolModule = new ContainerModule(({ bind }) => {
  bind(ProtocolStrategy).toConstantValue(new RelayProtocol());
});
