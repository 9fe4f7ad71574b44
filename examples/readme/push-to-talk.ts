import { ConversationManager, createParleyContainer } from '@parley/core';
import { parserV2Module } from '@parley/parser-v2';
import { wsTransportModule } from '@parley/transport-ws';

const frameBase64 = Buffer.alloc(960).toString('base64'); // 20 ms of 24 kHz PCM16 from your microphone
// #region push-to-talk
const manager = createParleyContainer({
  config: { realtime: { v2: { turnDetection: { type: 'none' } } } },
  modules: [parserV2Module, wsTransportModule],
}).get(ConversationManager);
await manager.start();
// while the button is held:
manager.sendAudio({ data: frameBase64 });
// on release: the commit goes out after every frame queued before it
await manager.commitInput();
await manager.requestResponse(); // gated: waits for a response still in progress
// a cancelled press instead: await manager.clearInput();
// #endregion push-to-talk
