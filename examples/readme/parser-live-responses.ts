import { ConversationManager, RealtimeTool, createParleyContainer } from '@parley/core';
import { parserLiveModule } from '@parley/parser-live';
import { wsTransportModule } from '@parley/transport-ws';

const container = createParleyContainer({
  config: {
    realtime: {
      protocol: 'live',
      // OpenAI hosts the backend (a Responses model); Parley runs its function calls.
      live: { delegation: 'responses', responses: { model: 'gpt-5', reasoning: { effort: 'low' } } },
    },
  },
  modules: [parserLiveModule, wsTransportModule],
});
container.bind(RealtimeTool).toConstantValue({
  name: 'get_weather',
  description: 'The weather in a city.',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  execute: async ({ city }) => ({ city, temp: 22 }),
});
const conversation = container.get(ConversationManager);
conversation.on((event) => {
  if (event.type === 'handoffRequested') console.log(`the backend took delegation ${event.handoffId}`);
  if (event.type === 'toolResult') console.log(`${event.name} → ${event.output}`);
});
await conversation.start({ instructions: 'You are a helpful assistant' });
