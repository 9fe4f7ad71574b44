// Live-conversation server (its own process): a small V2 realtime server for the concurrency run,
// written for the bench (one tick loop for all connections, frames assembled from prebuilt parts)
// so that it can feed thousands of conversations at real-time rate from one core.
//
// Per connection, from its first client message (session.update) on, at real-time rate:
//  - 50 `response.output_audio.delta` per second (20 ms of 24 kHz PCM16 each), the first 9 payload
//    bytes carrying the send time (machine-wide monotonic clock, ms, float64 LE);
//  - 10 `response.output_audio_transcript.delta` per second, text `t<send ms> `;
//  - a response every 2 s (`response.done` then `response.created`, new item id);
//  - every 4 s the user's transcript (`…input_audio_transcription.delta` and `.completed`) then a
//    `background_agent` handoff (`conversation.item.done` with a function_call item);
// and it reads everything the client sends (audio appends, handoff answers, response.create).
// Connections start at random phases so sends spread evenly over each 20 ms.
import { createHistogram } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import { WebSocketServer } from 'ws';
import { monotonicMs, responseCreated, responseDone, stampBase64, stampedAudioParts } from '../lib/frames.mjs';
import { childGuard, tell } from '../lib/proc.mjs';

const TICK_MS = 4;
const AUDIO_MS = 20;
const FRAMES_PER_RESPONSE = 100;
const FRAMES_PER_HANDOFF = 200;

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 1 << 24 });
const live = new Set();
let connections = 0;
let counters = freshCounters();
const lateness = createHistogram();

function freshCounters() {
  return {
    framesOut: 0,
    audioOut: 0,
    messagesIn: 0,
    audioIn: 0,
    bytesIn: 0,
    functionOutputs: 0,
    cpu: process.cpuUsage(),
    wall: performance.now(),
  };
}

class Conversation {
  constructor(socket, id) {
    this.socket = socket;
    this.id = id;
    this.start = 0;
    this.audio = 0;
    this.response = -1;
    this.handoffs = 0;
    this.parts = undefined;
  }

  begin(now) {
    this.start = now + Math.random() * AUDIO_MS;
    live.add(this);
  }

  send(text) {
    this.socket.send(text);
    counters.framesOut += 1;
  }

  /** Sends every frame that is due by `now`. */
  step(now) {
    while (this.start + this.audio * AUDIO_MS <= now) {
      const k = this.audio;
      if (k % FRAMES_PER_RESPONSE === 0) this.nextResponse(k);
      const sendAt = monotonicMs();
      lateness.record(Math.max(1, Math.round((sendAt - (this.start + k * AUDIO_MS)) * 1000)));
      this.send(`${this.parts.head}${stampBase64(sendAt)}${this.parts.tail}`);
      counters.audioOut += 1;
      if (k % 5 === 4) {
        this.send(
          `{"type":"response.output_audio_transcript.delta","event_id":"ev_t_${this.id}_${k}","response_id":"${this.responseId}",` +
            `"item_id":"${this.itemId}","output_index":0,"content_index":0,"delta":"t${monotonicMs().toFixed(3)} "}`,
        );
      }
      if (k % FRAMES_PER_HANDOFF === FRAMES_PER_HANDOFF - 10) this.handoff(k);
      this.audio += 1;
      if (this.socket.readyState !== this.socket.OPEN) return;
    }
  }

  nextResponse(k) {
    if (this.response >= 0) this.send(JSON.stringify(responseDone(`ev_d_${this.id}_${k}`, this.responseId)));
    this.response += 1;
    this.responseId = `resp_${this.id}_${this.response}`;
    this.itemId = `item_${this.id}_${this.response}`;
    this.parts = stampedAudioParts(`ev_a_${this.id}_${this.response}`, this.responseId, this.itemId);
    this.send(JSON.stringify(responseCreated(`ev_c_${this.id}_${k}`, this.responseId)));
  }

  handoff(k) {
    this.handoffs += 1;
    const userItem = `item_user_${this.id}_${this.handoffs}`;
    const words = 'Could you look up the opening hours of the museum for me';
    this.send(
      JSON.stringify({
        type: 'conversation.item.input_audio_transcription.delta',
        event_id: `ev_ud_${this.id}_${k}`,
        item_id: userItem,
        content_index: 0,
        delta: words,
      }),
    );
    this.send(
      JSON.stringify({
        type: 'conversation.item.input_audio_transcription.completed',
        event_id: `ev_uc_${this.id}_${k}`,
        item_id: userItem,
        content_index: 0,
        transcript: `${words}?`,
      }),
    );
    const callId = `call_${this.id}_${this.handoffs}`;
    this.send(
      JSON.stringify({
        type: 'conversation.item.done',
        event_id: `ev_h_${this.id}_${k}`,
        previous_item_id: userItem,
        item: {
          id: `item_fc_${this.id}_${this.handoffs}`,
          type: 'function_call',
          status: 'completed',
          name: 'background_agent',
          call_id: callId,
          arguments: JSON.stringify({ input_transcript: `${words}?` }),
        },
      }),
    );
  }
}

server.on('connection', (socket) => {
  connections += 1;
  const conversation = new Conversation(socket, connections);
  socket.on('message', (data) => {
    counters.messagesIn += 1;
    counters.bytesIn += data.length;
    if (data.length > 1000) counters.audioIn += 1;
    else if (data.includes('function_call_output')) counters.functionOutputs += 1;
    if (conversation.start === 0) conversation.begin(monotonicMs());
  });
  socket.on('close', () => live.delete(conversation));
  socket.on('error', () => undefined);
});

let running = true;
function tick() {
  if (!running) return;
  const now = monotonicMs();
  for (const conversation of live) {
    if (conversation.socket.readyState === conversation.socket.OPEN) conversation.step(now);
  }
  setTimeout(tick, TICK_MS);
}
tick();

server.on('listening', () => {
  void tell({ type: 'ready', port: server.address().port });
});

childGuard(() => {
  running = false;
  for (const conversation of live) conversation.socket.terminate();
  return new Promise((resolve) => server.close(() => resolve()));
});

process.on('message', (message) => {
  if (message?.type === 'reset') {
    counters = freshCounters();
    lateness.reset();
  } else if (message?.type === 'stats') {
    const used = process.cpuUsage(counters.cpu);
    const wall = performance.now() - counters.wall;
    void tell({
      type: 'stats',
      live: live.size,
      framesOut: counters.framesOut,
      audioOut: counters.audioOut,
      messagesIn: counters.messagesIn,
      audioIn: counters.audioIn,
      functionOutputs: counters.functionOutputs,
      cpuPercent: ((used.user + used.system) / 1000 / wall) * 100,
      sendLateP99Ms: lateness.count > 0 ? lateness.percentile(99) / 1000 : 0,
    });
  }
});
