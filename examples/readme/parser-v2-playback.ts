import { ConversationManager, createParleyContainer } from '@parley/core';
import { parserV2Module } from '@parley/parser-v2';
import { wsTransportModule } from '@parley/transport-ws';

/** Your audio player (here a stand-in that plays nothing). */
const player = {
  enqueue(_itemId: string | undefined, _base64Pcm16: string): void {},
  onProgress(_listener: (itemId: string, playedMs: number) => void): void {},
};
const container = createParleyContainer({ configOptions: { env: process.env }, modules: [parserV2Module, wsTransportModule] });
const conversation = container.get(ConversationManager);

// #region playback
conversation.on((event) => {
  if (event.type === 'audioOut') player.enqueue(event.itemId, event.data);
});
player.onProgress((itemId, playedMs) => conversation.reportPlayback(itemId, playedMs));
// #endregion playback
