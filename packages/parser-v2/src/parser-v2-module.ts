import { ContainerModule } from 'inversify';
import { ProtocolStrategy } from '@parley/core';
import { V2ProtocolStrategy } from './v2-protocol-strategy.js';

/**
 * Registers the `v2` {@link ProtocolStrategy} (multi-binding, singleton). Load it with
 * `createParleyContainer({ modules: [parserV2Module, ...] })`; needs `ParleyConfig` bound.
 */
export const parserV2Module = new ContainerModule(({ bind }) => {
  bind(ProtocolStrategy).to(V2ProtocolStrategy).inSingletonScope();
});
