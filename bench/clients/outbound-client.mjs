// Outbound client (its own process): sends audio frames to the sink server as fast as the socket
// takes them and reports frames per second. Usage: outbound-client.mjs <kind> <port> <frames> <warmup>
//   bare    a bare `ws` client: ws.send() of '{"type":"input_audio_buffer.append","audio":"…"}' built
//           by concatenation (no validation), the floor of this stack
//   parley  a Parley V2 conversation: manager.sendAudio({ data }) — validated, encoded, queued and
//           written by the conversation's input loop
// Both are driven the same way: one batch of BATCH frames per event-loop turn (setImmediate), sent
// only while what is still waiting on the client side (Parley: stats().queued.audioIn; bare: the
// socket's bufferedAmount in frames) leaves room for a batch under IN_FLIGHT frames, so neither
// drops nor buffers without bound. The first message (session.update, or the same text for bare)
// is not counted; the clock runs from the first audio frame to the sink's answer after the last.
import WebSocket from 'ws';
import { pcmNoise } from '../lib/frames.mjs';
import { childGuard, tell } from '../lib/proc.mjs';

const [kind, portText, framesText, warmupText] = process.argv.slice(2);
const port = Number(portText);
const frames = Number(framesText);
const warmup = Number(warmupText);
const BATCH = 32;
/** Frames allowed to wait on the client side: Parley's default audio queue (realtime.queues.audioIn). */
const IN_FLIGHT = 256;
const DONE_ID = 'resp_sink_done';
const AUDIO = pcmNoise(960, 5).toString('base64');

childGuard();

/** Bare ws: build each append message and send it. */
function runBare(count) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/v1/realtime?model=gpt-realtime&frames=${count + 1}`, { perMessageDeflate: false });
    const frameBytes = '{"type":"input_audio_buffer.append","audio":""}'.length + AUDIO.length;
    const limit = (IN_FLIGHT - BATCH) * frameBytes;
    let first = 0;
    let sent = 0;
    const pump = () => {
      if (socket.bufferedAmount <= limit) {
        for (let i = 0; i < BATCH && sent < count; i += 1, sent += 1) {
          socket.send('{"type":"input_audio_buffer.append","audio":"' + AUDIO + '"}');
        }
      }
      if (sent < count) setImmediate(pump);
    };
    socket.on('open', () => {
      socket.send('{"type":"session.update","session":{"type":"realtime"}}');
      first = performance.now();
      pump();
    });
    socket.on('message', (data) => {
      if (data.toString().includes(DONE_ID)) {
        const last = performance.now();
        socket.terminate();
        resolve({ sent, ms: last - first, dropped: 0 });
      }
    });
    socket.on('error', reject);
  });
}

let parley;

/** Parley: the whole stack's outbound path, through the public sendAudio(). */
async function runParley(count) {
  if (parley === undefined) {
    await import('reflect-metadata');
    const core = await import('@parley/core');
    const { parserV2Module } = await import('@parley/parser-v2');
    const { wsTransportModule } = await import('@parley/transport-ws');
    parley = { core, modules: [parserV2Module, wsTransportModule] };
  }
  const container = parley.core.createParleyContainer({
    config: {
      realtime: { protocol: 'v2', url: `http://127.0.0.1:${port}/v1/realtime?frames=${count + 1}`, model: 'gpt-realtime' },
      log: { level: 'silent' },
    },
    modules: parley.modules,
  });
  const manager = container.get(parley.core.ConversationManager);
  let finish;
  const done = new Promise((resolve) => {
    finish = resolve;
  });
  manager.on((event) => {
    if (event.type === 'responseDone' && event.responseId === DONE_ID) finish(performance.now());
  });
  await manager.start();
  const frame = { data: AUDIO };
  const first = performance.now();
  let sent = 0;
  await new Promise((resolve) => {
    const pump = () => {
      if (manager.stats().queued.audioIn <= IN_FLIGHT - BATCH) {
        for (let i = 0; i < BATCH && sent < count; i += 1, sent += 1) manager.sendAudio(frame);
      }
      if (sent < count) setImmediate(pump);
      else resolve();
    };
    pump();
  });
  const last = await done;
  const stats = manager.stats();
  await manager.close();
  return { sent, ms: last - first, dropped: stats.droppedAudioFrames };
}

const run = kind === 'bare' ? runBare : kind === 'parley' ? runParley : undefined;
if (run === undefined) throw new Error(`unknown client kind ${kind}`);

if (warmup > 0) await run(warmup);
const cpuStart = process.cpuUsage();
const result = await run(frames);
const cpu = process.cpuUsage(cpuStart);
if (result.dropped > 0) throw new Error(`${kind}: ${result.dropped} audio frames dropped`);
await tell({
  type: 'result',
  kind,
  frames,
  ms: result.ms,
  fps: (frames / result.ms) * 1000,
  cpuMs: (cpu.user + cpu.system) / 1000,
});
process.exit(0);
