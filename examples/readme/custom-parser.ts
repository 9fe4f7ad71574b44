import { ConversationManager, createParleyContainer } from '@parley/core';
import { relayProtocolModule } from '@parley/example-relay-protocol'; // your protocol's package
import { wsTransportModule } from '@parley/transport-ws';

const container = createParleyContainer({
  config: { realtime: { protocol: 'relay', url: 'wss://relay.example.com/v1' } }, // select it by id
  configOptions: { env: process.env },
  modules: [relayProtocolModule, wsTransportModule],
});
const conversation = container.get(ConversationManager);
conversation.on((event) => console.log(event.type));
await conversation.start({ instructions: 'You are a helpful voice assistant.', voice: 'bright' });
