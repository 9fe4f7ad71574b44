// Throughput client (its own process): consumes the stream server's V2 stream with one of three
// stacks and reports events per second. Usage: throughput-client.mjs <kind> <port> <frames> <warmup>
//   baseline  bare `ws` + JSON.parse of every frame (the floor of this stack)
//   parley    @parley/transport-ws + @parley/parser-v2 + ConversationManager, through events()
//   peer      @openai/agents-realtime's OpenAIRealtimeWebSocket, counting its '*' events
//   parley-batches   Parley consumed through eventBatches() (one promise per burst)
//   parley-listener  Parley consumed through on() instead of events() (profile notes only)
// A warm-up stream of <warmup> frames runs first in the same process (JIT, lazy loading), then the
// measured stream. The clock starts at the first stream event the consumer sees and stops at the
// end marker; eps = (frames - 1) / seconds between them.
import WebSocket from 'ws';
import { END_RESPONSE_ID } from '../lib/frames.mjs';
import { childGuard, tell } from '../lib/proc.mjs';

const [kind, portText, framesText, warmupText] = process.argv.slice(2);
const port = Number(portText);
const frames = Number(framesText);
const warmup = Number(warmupText);

childGuard();

function streamUrl(count) {
  return `ws://127.0.0.1:${port}/v1/realtime?model=gpt-realtime&frames=${count}`;
}

/** Bare ws: parse each frame, nothing else. */
function runBaseline(count) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(streamUrl(count), { perMessageDeflate: false });
    let seen = 0;
    let first = 0;
    socket.on('open', () => socket.send('{"type":"session.update","session":{"type":"realtime"}}'));
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString());
      seen += 1;
      if (seen === 1) first = performance.now();
      if (message.type === 'response.done' && message.response.id === END_RESPONSE_ID) {
        const last = performance.now();
        socket.terminate();
        resolve({ seen, ms: last - first });
      }
    });
    socket.on('error', reject);
  });
}

let parley;
const containers = new Map();

/** One container per stream length (the frame count travels in the URL's query). */
async function parleyManager(count) {
  if (parley === undefined) {
    await import('reflect-metadata');
    const core = await import('@parley/core');
    const { parserV2Module } = await import('@parley/parser-v2');
    const { wsTransportModule } = await import('@parley/transport-ws');
    parley = { core, modules: [parserV2Module, wsTransportModule] };
  }
  let container = containers.get(count);
  if (container === undefined) {
    container = parley.core.createParleyContainer({
      config: {
        realtime: { protocol: 'v2', url: `http://127.0.0.1:${port}/v1/realtime?frames=${count}`, model: 'gpt-realtime' },
        log: { level: 'silent' },
      },
      modules: parley.modules,
    });
    containers.set(count, container);
  }
  return container.get(parley.core.ConversationManager);
}

// The three Parley consumers below repeat their counting loop inline on purpose: a shared helper
// adds a call per event to what is measured, and the baseline's loop is inline too.

/** Parley: the whole stack, consumed through the public async iterator. */
async function runParley(count) {
  const manager = await parleyManager(count);
  const events = manager.events();
  await manager.start();
  let seen = 0;
  let first = 0;
  let last = 0;
  for await (const event of events) {
    if (event.type === 'started') continue;
    if (event.type === 'closed' || (event.type === 'error' && event.fatal)) {
      throw new Error(`parley stream ended early: ${JSON.stringify(event)}`);
    }
    seen += 1;
    if (seen === 1) first = performance.now();
    if (event.type === 'responseDone' && event.responseId === END_RESPONSE_ID) {
      last = performance.now();
      break;
    }
  }
  const stats = manager.stats();
  await manager.close();
  return { seen, ms: last - first, skipped: stats.skippedFrames, pauses: stats.pauses };
}

/** Parley through the batch iterator (eventBatches()): one promise per burst instead of per event. */
async function runParleyBatches(count) {
  const manager = await parleyManager(count);
  const batches = manager.eventBatches();
  await manager.start();
  let seen = 0;
  let first = 0;
  let last = 0;
  outer: for await (const batch of batches) {
    for (const event of batch) {
      if (event.type === 'started') continue;
      if (event.type === 'closed' || (event.type === 'error' && event.fatal)) {
        throw new Error(`parley stream ended early: ${JSON.stringify(event)}`);
      }
      seen += 1;
      if (seen === 1) first = performance.now();
      if (event.type === 'responseDone' && event.responseId === END_RESPONSE_ID) {
        last = performance.now();
        break outer;
      }
    }
  }
  const stats = manager.stats();
  await manager.close();
  return { seen, ms: last - first, skipped: stats.skippedFrames, pauses: stats.pauses };
}

/** Parley through the synchronous listener (on()) instead of the iterator: the iterator's cost, for the profile notes. */
async function runParleyListener(count) {
  const manager = await parleyManager(count);
  let seen = 0;
  let first = 0;
  let finish;
  const done = new Promise((resolve, reject) => {
    finish = { resolve, reject };
  });
  const unsubscribe = manager.on((event) => {
    if (event.type === 'started') return;
    if (event.type === 'closed' || (event.type === 'error' && event.fatal)) {
      finish.reject(new Error(`parley stream ended early: ${JSON.stringify(event)}`));
      return;
    }
    seen += 1;
    if (seen === 1) first = performance.now();
    if (event.type === 'responseDone' && event.responseId === END_RESPONSE_ID) finish.resolve(performance.now());
  });
  await manager.start();
  const last = await done;
  unsubscribe();
  const stats = manager.stats();
  await manager.close();
  return { seen, ms: last - first, skipped: stats.skippedFrames, pauses: stats.pauses };
}

/** The peer: @openai/agents-realtime's WebSocket transport, every server event through its '*' event. */
async function runPeer(count) {
  const { OpenAIRealtimeWebSocket } = await import('@openai/agents-realtime');
  const url = streamUrl(count);
  const transport = new OpenAIRealtimeWebSocket({ url });
  let seen = 0;
  let first = 0;
  const done = new Promise((resolve) => {
    transport.on('*', (event) => {
      seen += 1;
      if (seen === 1) first = performance.now();
      if (event.type === 'response.done' && event.response?.id === END_RESPONSE_ID) resolve(performance.now());
    });
  });
  transport.on('error', () => undefined);
  await transport.connect({ apiKey: 'sk-bench-local-not-a-key', model: 'gpt-realtime', url });
  const last = await done;
  transport.close();
  return { seen, ms: last - first };
}

const runners = {
  baseline: runBaseline,
  parley: runParley,
  'parley-batches': runParleyBatches,
  'parley-listener': runParleyListener,
  peer: runPeer,
};
const run = runners[kind];
if (run === undefined) throw new Error(`unknown client kind ${kind}`);

if (warmup > 0) await run(warmup);
const cpuStart = process.cpuUsage();
const eluStart = performance.eventLoopUtilization();
const windowStartUs = Number(process.hrtime.bigint() / 1000n);
const result = await run(frames);
const windowEndUs = Number(process.hrtime.bigint() / 1000n);
const cpu = process.cpuUsage(cpuStart);
const elu = performance.eventLoopUtilization(eluStart);
if (result.seen !== frames) throw new Error(`${kind}: saw ${result.seen} events for ${frames} frames`);
await tell({
  type: 'result',
  kind,
  frames,
  ms: result.ms,
  eps: ((frames - 1) / result.ms) * 1000,
  cpuMs: (cpu.user + cpu.system) / 1000,
  skipped: result.skipped ?? 0,
  pauses: result.pauses ?? 0,
  windowUs: [windowStartUs, windowEndUs],
  loopUtilization: elu.utilization,
});
process.exit(0);
