import { ConversationManager, createParleyContainer } from '@parley/core';
import { parserV2Module } from '@parley/parser-v2';
import { wsTransportModule } from '@parley/transport-ws';

const container = createParleyContainer({
  configOptions: { env: process.env }, // OPENAI_API_KEY, PARLEY_REALTIME_URL, ...
  modules: [parserV2Module, wsTransportModule],
});
const conversation = container.get(ConversationManager);
await conversation.start({ instructions: 'You are a helpful assistant.' });
for await (const event of conversation.events()) console.log(event.type);
