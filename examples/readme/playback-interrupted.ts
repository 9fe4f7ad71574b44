import { ConversationManager, createParleyContainer } from '@parley/core';
import { parserV2Module } from '@parley/parser-v2';
import { wsTransportModule } from '@parley/transport-ws';

/** Your audio output (here a stand-in that plays nothing). */
class MyPlayer {
  readonly cut = new Set<string>();
  currentItemId: string | undefined;
  queue(_itemId: string, _pcm: Buffer): void {}
  flush(_itemId: string): void {}
  position(_itemId: string): number {
    return 0;
  }
}
const manager = createParleyContainer({ modules: [parserV2Module, wsTransportModule] }).get(ConversationManager);
// #region playback
const player = new MyPlayer(); // your audio output: queue(itemId, pcm), flush(itemId), position(itemId) in ms
manager.on((event) => {
  if (event.type === 'audioOut' && event.itemId !== undefined && !player.cut.has(event.itemId)) {
    player.queue(event.itemId, Buffer.from(event.data, 'base64'));
  } else if (event.type === 'playbackInterrupted') {
    player.cut.add(event.itemId); // later frames of this item are stale
    player.flush(event.itemId); // stop what the user would otherwise keep hearing
  }
});
// as playback advances (e.g. every 50 ms, or in your audio callback):
setInterval(() => {
  const playing = player.currentItemId;
  if (playing !== undefined) manager.reportPlayback(playing, player.position(playing));
}, 50);
// #endregion playback
