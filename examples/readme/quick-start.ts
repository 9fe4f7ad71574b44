import { ConversationManager, createParleyContainer, ParleyError } from '@parley/core';
import { parserV2Module } from '@parley/parser-v2';
import { wsTransportModule } from '@parley/transport-ws';

const container = createParleyContainer({
  config: { realtime: { protocol: 'v2' } },
  configOptions: { env: process.env }, // OPENAI_API_KEY, PARLEY_REALTIME_URL, …
  modules: [parserV2Module, wsTransportModule],
});
const conversation = container.get(ConversationManager);

try {
  await conversation.start({ instructions: 'You are a helpful voice assistant.' });
} catch (error) {
  if (error instanceof ParleyError && error.code === 'ERR_MISSING_API_KEY') {
    console.error('No API key: set OPENAI_API_KEY, or set PARLEY_REALTIME_URL to a local server (npx parley simulate).');
  } else {
    console.error(`Could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
}

// Print the answer, and stop when it is complete (or when the conversation ends early).
const finished = new Promise<void>((resolve) => {
  conversation.on((event) => {
    if (event.type === 'outputTranscriptDone') console.log(`assistant: ${event.text}`);
    if (event.type === 'error') console.error(`error: ${event.message}`);
    if (event.type === 'responseDone' || event.type === 'closed') resolve();
  });
});
await conversation.sendText('Hello! What can you do?');
await conversation.requestResponse();
await finished;
await conversation.close();
