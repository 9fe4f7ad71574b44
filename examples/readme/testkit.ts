import { ConversationManager, createParleyContainer } from '@parley/core';
import { parserV2Module } from '@parley/parser-v2';
import { InMemoryTransport, testkitModule, VirtualClock } from '@parley/testkit';

const container = createParleyContainer({ before: [testkitModule], modules: [parserV2Module] });
const transport = container.get(InMemoryTransport); // play the server: transport.current.serverJson({...})
const clock = container.get(VirtualClock); // move time: clock.advanceTo(1000)
const conversation = container.get(ConversationManager);
await conversation.start({ apiKey: 'test-key' });
transport.current.serverJson({ type: 'session.updated', session: { id: 'sess_1' } });
clock.advanceTo(1000);
console.log(transport.current.sentJson()); // [{ type: 'session.update', … }]
await conversation.close();
