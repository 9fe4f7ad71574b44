// Barge-in server (its own process, otherwise idle so its clock readings are prompt). Per
// connection, from its first client message on, it repeats a cycle:
//   response.created, 3 audio deltas of a new assistant item (200 ms each), input_audio_buffer.speech_started
//   (send time t0 read just before the write), then waits for the client's
//   conversation.item.truncate or conversation.item.delete (receive time t1 read first thing in the
//   message handler): Parley's barge-in is playback-aware (CHANGES-v2-live rule 5: the client has
//   "played" now − first frame of the 600 ms it received, so it truncates there, or deletes the item
//   when it played nothing yet; audio heard to its end would need no message at all, which is why
//   the item is longer than any reaction);
//   records t1 - t0, sends response.done (cancelled), waits GAP_MS, and starts again.
// Both readings are on this process's clock: the figure is the client's reaction time plus two
// loopback hops (server → client, client → server), an upper bound of "speech_started arrives at the
// client socket → truncate leaves it". A reaction that does not come within 1 s counts as a miss.
// A client message containing `bench-window-start` (user text) drops the samples so far (warm-up).
// When the connection closes, the samples (ms) go to the parent as { type: 'samples' }.
import { clearTimeout, setTimeout } from 'node:timers';
import { WebSocketServer } from 'ws';
import { audioDelta, pcmNoise, responseCreated, responseDone } from '../lib/frames.mjs';
import { childGuard, tell } from '../lib/proc.mjs';

const GAP_MS = Number(process.argv[2] ?? 25);
const MISS_MS = 1000;
// 200 ms of PCM16 24 kHz mono per delta.
const payload = pcmNoise(9600, 3).toString('base64');

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 1 << 24 });
let connections = 0;

server.on('connection', (socket) => {
  connections += 1;
  const id = connections;
  let samples = [];
  let misses = 0;
  let cycle = 0;
  let sentAt = 0;
  let waiting = false;
  let missTimer;
  let started = false;

  const startCycle = () => {
    if (socket.readyState !== socket.OPEN) return;
    cycle += 1;
    const responseId = `resp_b${id}_${cycle}`;
    const itemId = `item_b${id}_${cycle}`;
    socket.send(JSON.stringify(responseCreated(`ev_bc_${cycle}`, responseId)));
    for (let i = 0; i < 3; i += 1) socket.send(JSON.stringify(audioDelta(`ev_ba_${cycle}_${i}`, responseId, itemId, payload)));
    const speech = JSON.stringify({
      type: 'input_audio_buffer.speech_started',
      event_id: `ev_bs_${cycle}`,
      item_id: `item_bu_${id}_${cycle}`,
      audio_start_ms: cycle * 1000,
    });
    waiting = true;
    sentAt = performance.now();
    socket.send(speech);
    missTimer = setTimeout(() => {
      if (!waiting) return;
      waiting = false;
      misses += 1;
      endCycle(responseId);
    }, MISS_MS);
    socket.currentResponse = responseId;
  };

  const endCycle = (responseId) => {
    if (socket.readyState !== socket.OPEN) return;
    socket.send(JSON.stringify(responseDone(`ev_bd_${cycle}`, responseId, 'cancelled')));
    setTimeout(startCycle, GAP_MS);
  };

  socket.on('message', (data) => {
    const at = performance.now();
    if (!started) {
      started = true;
      setTimeout(startCycle, GAP_MS);
      return;
    }
    if (data.length < 1000 && data.includes('bench-window-start')) {
      samples = [];
      misses = 0;
      return;
    }
    if (waiting && data.length < 1000 && (data.includes('"conversation.item.truncate"') || data.includes('"conversation.item.delete"'))) {
      waiting = false;
      clearTimeout(missTimer);
      samples.push(at - sentAt);
      endCycle(socket.currentResponse);
    }
  });
  socket.on('close', () => {
    waiting = false;
    clearTimeout(missTimer);
    void tell({ type: 'samples', id, samples, misses });
  });
  socket.on('error', () => undefined);
});

server.on('listening', () => {
  void tell({ type: 'ready', port: server.address().port });
});

childGuard(() => new Promise((resolve) => server.close(() => resolve())));
