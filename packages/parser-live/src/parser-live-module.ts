import { ContainerModule } from 'inversify';
import { ProtocolStrategy } from '@parley/core';
import { LiveProtocolStrategy } from './live-protocol-strategy.js';

/**
 * Registers the live protocol strategy (id `live`, OpenAI's Live API) as one more
 * {@link ProtocolStrategy} (singleton). Load it with
 * `createParleyContainer({ modules: [parserLiveModule, ...] })` and select it with
 * `realtime.protocol: "live"`.
 */
export const parserLiveModule = new ContainerModule(({ bind }) => {
  bind(ProtocolStrategy).to(LiveProtocolStrategy).inSingletonScope();
});
