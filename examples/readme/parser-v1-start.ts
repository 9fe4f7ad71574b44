import { ConversationManager, createParleyContainer } from '@parley/core';
import { parserV1Module } from '@parley/parser-v1';
import { wsTransportModule } from '@parley/transport-ws';

const container = createParleyContainer({
  config: { realtime: { protocol: 'v1', v1: { handoffGraceMs: 1000 } } },
  configOptions: { env: process.env }, // OPENAI_API_KEY, PARLEY_REALTIME_URL, …
  modules: [parserV1Module, wsTransportModule],
});
const conversation = container.get(ConversationManager);
await conversation.start({ instructions: 'You are a helpful assistant', voice: 'cove' });
