import { ConversationManager, createParleyContainer } from '@parley/core';
import { parserLiveModule } from '@parley/parser-live';
import { wsTransportModule } from '@parley/transport-ws';

const container = createParleyContainer({
  config: { realtime: { protocol: 'live', live: { delegationGraceMs: 1000 } } },
  modules: [parserLiveModule, wsTransportModule],
});
const conversation = container.get(ConversationManager);
await conversation.start({ instructions: 'You are a helpful assistant' });
