import { ContainerModule } from 'inversify';
import { ProtocolStrategy } from '@parley/core';
import { V1ProtocolStrategy } from './v1-protocol-strategy.js';

/**
 * Registers the V1 protocol strategy (id `v1`) as one more {@link ProtocolStrategy} (singleton).
 * Load it with `createParleyContainer({ modules: [parserV1Module, ...] })` and select it with
 * `realtime.protocol: "v1"`.
 */
export const parserV1Module = new ContainerModule(({ bind }) => {
  bind(ProtocolStrategy).to(V1ProtocolStrategy).inSingletonScope();
});
