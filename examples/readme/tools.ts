import { ConversationManager, RealtimeTool, createParleyContainer } from '@parley/core';
import { parserV2Module } from '@parley/parser-v2';
import { wsTransportModule } from '@parley/transport-ws';

const container = createParleyContainer({
  config: { realtime: { apiKey: process.env.OPENAI_API_KEY } },
  modules: [parserV2Module, wsTransportModule],
});
container.bind(RealtimeTool).toConstantValue({
  name: 'current_time',
  description: 'The current time in an IANA time zone, ISO 8601.',
  parameters: { type: 'object', properties: { timezone: { type: 'string' } }, required: ['timezone'], additionalProperties: false },
  // a value or a promise; a string is sent as is, anything else as JSON; a throw reaches the model
  execute: ({ timezone }) => new Date().toLocaleString('sv-SE', { timeZone: String(timezone) }),
  timeoutMs: 5000, // default realtime.tools.timeoutMs (30000)
});
const manager = container.get(ConversationManager);
manager.on(async (event) => {
  if (event.type === 'toolCall' && event.name === 'lookup_order') {
    const { order_id } = JSON.parse(event.arguments) as { order_id: string };
    await manager.sendToolOutput(event.callId, { order_id, status: 'shipped' }); // or ('not found', { error: true })
  }
  if (event.type === 'toolResult') console.log(`${event.name} → ${event.output}`);
});
await manager.start({
  tools: [
    {
      type: 'function',
      name: 'lookup_order',
      description: 'Order status.',
      parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
      timeoutMs: 60000, // Parley fields, removed before the tool is sent
      onInterrupt: 'cancel',
    },
  ],
});
