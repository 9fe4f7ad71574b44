import { createParleyContainer } from '@parley/core';
import { parserV2Module } from '@parley/parser-v2';
import { wsTransportModule, WsTransportOptions } from '@parley/transport-ws';

const container = createParleyContainer({ modules: [parserV2Module, wsTransportModule] });
// #region bind
container.bind(WsTransportOptions).toConstantValue({ closeTimeoutMs: 500 });
// #endregion bind
