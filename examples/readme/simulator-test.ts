import { ConversationManager, createParleyContainer } from '@parley/core';
import { parserV2Module } from '@parley/parser-v2';
import { RealtimeSimulator } from '@parley/testkit';
import { wsTransportModule } from '@parley/transport-ws';

const simulator = new RealtimeSimulator({ protocol: 'v2', speed: 50 }); // demo mode, 50× real time
const { url } = await simulator.start(); // http://127.0.0.1:<free port>

const container = createParleyContainer({
  config: { realtime: { protocol: 'v2', url } }, // loopback: no API key needed
  modules: [parserV2Module, wsTransportModule],
});
const conversation = container.get(ConversationManager);
await conversation.start({ instructions: 'be brief' });
await conversation.sendText('please look up the weather in Paris');
await conversation.requestResponse(); // → a background_agent function call → delegationStarted

// … assertions on conversation events, or on what the server saw:
console.log(simulator.connections[0]?.messages); // parsed client messages, in order
console.log(simulator.handshakes[0]?.query); // { model: '…' }

await conversation.close();
await simulator.close(); // in afterEach: terminates clients, cancels every timer
