// Live-conversation client (its own process): K Parley conversations against the live server, each
// at real-time rate, consumed through the public events() iterator, plus (optionally) one measured
// barge-in conversation against the barge-in server. Usage: live-client.mjs '<json options>'
//   { port, conversations, seconds, warmSeconds, bargeInPort?, batch?, stack? }
// stack 'ws' replaces the K Parley conversations by bare `ws` sockets doing the same work by hand
// (JSON.parse of every frame, prebuilt audio messages, the three handoff answers): the floor of
// this machine and bench layout, for comparison.
// Per conversation: 50 sendAudio() calls per second (20 ms of 24 kHz PCM16 each, from one tick loop
// that catches up when late, as a microphone buffer would), and every delegation is answered with
// sendAssistantOutput() + finishTurn(). Figures, over the measurement window only (after every
// conversation is connected and warmSeconds have passed):
//   lag (server send → application receipt, stamped frames, machine-wide monotonic clock),
//   event-loop delay (monitorEventLoopDelay), CPU % (process.cpuUsage / wall), audio received vs
//   expected; and over the whole run: dropped audio frames (stats().droppedAudioFrames, summed),
//   RSS per conversation ((rss with K running − rss before, both after a GC) / K).
import { createHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout } from 'node:timers';
import os from 'node:os';
import v8 from 'node:v8';
import WebSocket from 'ws';
import { monotonicMs, pcmNoise, readAudioStamp, readTextStamp } from '../lib/frames.mjs';
import { childGuard, tell } from '../lib/proc.mjs';

const options = JSON.parse(process.argv[2]);
const { port, conversations, seconds, warmSeconds = 1, bargeInPort, batch = 25, stack = 'parley', benchPids = [] } = options;
const AUDIO_MS = 20;
/** User text that tells the barge-in server the measurement window starts (it drops earlier samples). */
const WINDOW_MARKER = 'bench-window-start';
const TICK_MS = 4;

childGuard();

await import('reflect-metadata');
const core = await import('@parley/core');
const { parserV2Module } = await import('@parley/parser-v2');
const { wsTransportModule } = await import('@parley/transport-ws');

function containerFor(targetPort) {
  return core.createParleyContainer({
    config: {
      realtime: { protocol: 'v2', url: `http://127.0.0.1:${targetPort}`, model: 'gpt-realtime' },
      log: { level: 'silent' },
    },
    modules: [parserV2Module, wsTransportModule],
  });
}

const container = containerFor(port);
const audioFrame = { data: pcmNoise(960, 11).toString('base64') };
const lag = createHistogram();
const LOOP_RESOLUTION_MS = 10;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
let measuring = false;
let audioInWindow = 0;
let textInWindow = 0;
let delegations = 0;
let answerFailures = 0;
let sendFailures = 0;
let unexpectedEnds = 0;
let fatalErrors = 0;
const active = new Set();

/** Committed bytes per V8 heap space, and off-heap (external + array buffers). */
function heapSpaces() {
  const spaces = {};
  for (const space of v8.getHeapSpaceStatistics()) spaces[space.space_name] = space.physical_space_size;
  const memory = process.memoryUsage();
  spaces.external = memory.external;
  spaces.array_buffers = memory.arrayBuffers;
  return spaces;
}

function gc() {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
}

/** Busy and total clock ticks of the whole machine, from /proc/stat (Linux; undefined elsewhere). */
function machineTicks() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3] + (fields[4] ?? 0);
    const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/**
 * CPU ticks used so far by every user process that is not part of this bench (not this client, not
 * its parent, not the pids in `benchPids`, not a kernel thread), from /proc/<pid>/stat (Linux).
 */
function otherProcessTicks() {
  const mine = new Set([process.pid, process.ppid, ...benchPids]);
  const ticks = new Map();
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (mine.has(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      if (pid === 2 || ppid === 2 || mine.has(ppid)) continue;
      ticks.set(pid, Number(fields[11]) + Number(fields[12]));
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks;
}

/** % of one core used by other processes between two {@link otherProcessTicks} readings. */
function otherProcessPercent(start, end, ms) {
  if (start === undefined || end === undefined) return null;
  let used = 0;
  for (const [pid, value] of end) used += value - (start.get(pid) ?? 0);
  return ((used * 10) / ms) * 100;
}

/** What the conversations hold right now: queued audio frames, buffered events, bytes not yet written. */
function inFlight() {
  let queuedAudio = 0;
  let bufferedEvents = 0;
  for (const conversation of active) {
    const stats = conversation.manager.stats();
    queuedAudio += stats.queued.audioIn;
    bufferedEvents += stats.bufferedEvents ?? 0;
  }
  return { queuedAudio, bufferedEvents };
}

/**
 * Memory after a full GC, three times 100 ms apart; the sample with the smallest RSS (the least
 * in flight: frames being parsed, messages being written).
 */
async function sampleMemory() {
  let best;
  for (let i = 0; i < 3; i += 1) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    gc();
    const memory = process.memoryUsage();
    if (best === undefined || memory.rss < best.rss) {
      best = { rss: memory.rss, heapUsed: memory.heapUsed, spaces: heapSpaces(), inFlight: inFlight() };
    }
  }
  return best;
}

class LiveConversation {
  constructor(manager, measured = true) {
    this.manager = manager;
    this.measured = measured;
    this.events = manager.events();
    this.t0 = 0;
    this.sent = 0;
    this.closing = false;
    this.done = this.consume();
  }

  async consume() {
    for await (const event of this.events) {
      switch (event.type) {
        case 'audioOut':
          if (measuring && this.measured) {
            audioInWindow += 1;
            lag.record(Math.max(1, Math.round((monotonicMs() - readAudioStamp(event.data)) * 1000)));
          }
          break;
        case 'outputTranscriptDelta':
          if (measuring && this.measured) {
            textInWindow += 1;
            const stamp = readTextStamp(event.delta);
            if (Number.isFinite(stamp)) lag.record(Math.max(1, Math.round((monotonicMs() - stamp) * 1000)));
          }
          break;
        case 'delegationStarted':
          delegations += 1;
          if (process.env.BENCH_DEBUG_GAPS && (delegations === 1 || delegations % 100 === 0)) {
            process.stderr.write(`delegation ${delegations} at ${Math.round(performance.now())}\n`);
          }
          this.answer();
          break;
        case 'error':
          if (event.fatal) fatalErrors += 1;
          break;
        case 'closed':
          if (!this.closing) unexpectedEnds += 1;
          active.delete(this);
          break;
        default:
          break;
      }
    }
  }

  answer() {
    this.manager
      .sendAssistantOutput('The museum opens at nine.')
      .then(() => this.manager.finishTurn())
      .catch(() => {
        if (!this.closing) answerFailures += 1;
      });
  }

  async start() {
    await this.manager.start({ instructions: 'You are a benchmark voice assistant.' });
    this.t0 = performance.now() + Math.random() * AUDIO_MS;
    active.add(this);
  }

  pump(now) {
    const due = Math.floor((now - this.t0) / AUDIO_MS) + 1;
    while (this.sent < due) {
      this.sent += 1;
      try {
        this.manager.sendAudio(audioFrame);
      } catch {
        sendFailures += 1;
        active.delete(this);
        return;
      }
    }
  }

  async close() {
    this.closing = true;
    active.delete(this);
    await this.manager.close();
  }
}

/** The floor: one bare `ws` socket doing by hand what a conversation does. */
class BareConversation {
  constructor() {
    this.t0 = 0;
    this.sent = 0;
    this.closing = false;
    this.maxBuffered = 0;
    this.done = Promise.resolve();
    this.manager = { stats: () => ({ droppedAudioFrames: 0, queued: { audioIn: 0 } }) };
  }

  start() {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/v1/realtime?model=gpt-realtime`, { perMessageDeflate: false });
      this.socket = socket;
      socket.on('open', () => {
        socket.send(JSON.stringify({ type: 'session.update', session: { type: 'realtime', instructions: 'bench' } }));
        this.t0 = performance.now() + Math.random() * AUDIO_MS;
        active.add(this);
        resolve();
      });
      socket.on('error', reject);
      socket.on('close', () => {
        if (!this.closing) unexpectedEnds += 1;
        active.delete(this);
      });
      socket.on('message', (data) => this.onMessage(JSON.parse(data.toString())));
    });
  }

  onMessage(message) {
    switch (message.type) {
      case 'response.output_audio.delta':
        if (measuring) {
          audioInWindow += 1;
          lag.record(Math.max(1, Math.round((monotonicMs() - readAudioStamp(message.delta)) * 1000)));
        }
        break;
      case 'response.output_audio_transcript.delta':
        if (measuring) {
          textInWindow += 1;
          lag.record(Math.max(1, Math.round((monotonicMs() - readTextStamp(message.delta)) * 1000)));
        }
        break;
      case 'conversation.item.done':
        if (message.item?.type === 'function_call') {
          delegations += 1;
          const text = 'The museum opens at nine.';
          this.socket.send(
            JSON.stringify({
              type: 'conversation.item.create',
              item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
            }),
          );
          this.socket.send(
            JSON.stringify({
              type: 'conversation.item.create',
              item: { type: 'function_call_output', call_id: message.item.call_id, output: text },
            }),
          );
          this.socket.send('{"type":"response.create"}');
        }
        break;
      default:
        break;
    }
  }

  pump(now) {
    const due = Math.floor((now - this.t0) / AUDIO_MS) + 1;
    while (this.sent < due) {
      this.sent += 1;
      this.socket.send(bareAudioMessage);
    }
    if (this.socket.bufferedAmount > this.maxBuffered) this.maxBuffered = this.socket.bufferedAmount;
  }

  async close() {
    this.closing = true;
    active.delete(this);
    this.socket.close();
  }
}

const bareAudioMessage = JSON.stringify({ type: 'input_audio_buffer.append', audio: audioFrame.data });

let ticking = true;
let lastTick = 0;
function tick() {
  if (!ticking) return;
  const now = performance.now();
  if (process.env.BENCH_DEBUG_GAPS && lastTick > 0 && now - lastTick > 40) {
    process.stderr.write(`gap ${Math.round(now - lastTick)} ms at ${Math.round(now)} (active ${active.size})\n`);
  }
  lastTick = now;
  for (const conversation of active) conversation.pump(now);
  setTimeout(tick, TICK_MS);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Warm-up: load and JIT everything once, so the RSS baseline includes the code, not the conversations.
tick();
if (conversations > 0) {
  const warm = stack === 'ws' ? new BareConversation() : new LiveConversation(container.get(core.ConversationManager));
  await warm.start();
  await sleep(300);
  await warm.close();
  await warm.done;
}
// The barge-in conversation starts now, before the RSS baseline, and warms up beside the others;
// the barge-in server keeps only the samples after the window marker.
let bargeIn;
if (bargeInPort !== undefined) {
  bargeIn = new LiveConversation(containerFor(bargeInPort).get(core.ConversationManager), false);
  await bargeIn.start();
}
await sleep(50);
const before = await sampleMemory();
if (process.env.BENCH_HEAP_SNAPSHOT) v8.writeHeapSnapshot(`${process.env.BENCH_HEAP_SNAPSHOT}/before.heapsnapshot`);

// K conversations, started `batch` at a time: the first half, a memory sample, the second half.
const all = [];
let connectFailures = 0;
const connectStart = performance.now();
async function connect(from, to) {
  for (let i = from; i < to; i += batch) {
    const group = [];
    for (let j = i; j < Math.min(to, i + batch); j += 1) {
      const conversation = stack === 'ws' ? new BareConversation() : new LiveConversation(container.get(core.ConversationManager));
      all.push(conversation);
      group.push(
        conversation.start().catch(() => {
          connectFailures += 1;
        }),
      );
    }
    await Promise.all(group);
  }
}
const half = Math.floor(conversations / 2);
await connect(0, half);
await sleep(warmSeconds * 500);
const middle = await sampleMemory();
await connect(half, conversations);
const connectMs = performance.now() - connectStart;
if (process.env.BENCH_DEBUG_GAPS) process.stderr.write(`connected ${Math.round(connectStart)}..${Math.round(performance.now())}\n`);
await sleep(warmSeconds * 1000);
const after = await sampleMemory();
if (process.env.BENCH_HEAP_SNAPSHOT) v8.writeHeapSnapshot(`${process.env.BENCH_HEAP_SNAPSHOT}/after.heapsnapshot`);
await sleep(200);

// The measurement window (the orchestrator resets the server's counters on window-start and reads
// them on window-end, so the server's CPU is measured over the same window).
if (bargeIn !== undefined) await bargeIn.manager.sendText(WINDOW_MARKER);
await tell({ type: 'window-start' });
const machineStart = machineTicks();
const othersStart = otherProcessTicks();
lag.reset();
loopDelay.enable();
loopDelay.reset();
measuring = true;
const cpuStart = process.cpuUsage();
const windowStart = performance.now();
const windowStartUs = Number(process.hrtime.bigint() / 1000n);
await sleep(seconds * 1000);
const windowMs = performance.now() - windowStart;
const windowEndUs = Number(process.hrtime.bigint() / 1000n);
const cpu = process.cpuUsage(cpuStart);
const machineEnd = machineTicks();
const othersEnd = otherProcessTicks();
measuring = false;
loopDelay.disable();
await tell({ type: 'window-end' });

let dropped = 0;
let queuedAudio = 0;
for (const conversation of all) {
  const stats = conversation.manager.stats();
  dropped += stats.droppedAudioFrames;
  queuedAudio = Math.max(queuedAudio, stats.queued.audioIn);
}
const running = active.size - (bargeIn !== undefined && active.has(bargeIn) ? 1 : 0);
const bargeInStats = bargeIn?.manager.stats();

ticking = false;
if (bargeIn !== undefined) await bargeIn.close();
await Promise.all(all.map((conversation) => conversation.close().catch(() => undefined)));

const expectedAudio = (conversations * windowMs) / AUDIO_MS;
await tell({
  type: 'result',
  stack,
  conversations,
  running,
  connectFailures,
  connectMs,
  seconds: windowMs / 1000,
  lagP50Ms: lag.count > 0 ? lag.percentile(50) / 1000 : null,
  lagP99Ms: lag.count > 0 ? lag.percentile(99) / 1000 : null,
  lagMaxMs: lag.count > 0 ? lag.max / 1000 : null,
  lagSamples: lag.count,
  // The histogram records whole intervals between its timer's runs: the delay is the part beyond
  // the sampling interval.
  loopDelayP99Ms: Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_RESOLUTION_MS),
  loopDelayMaxMs: Math.max(0, loopDelay.max / 1e6 - LOOP_RESOLUTION_MS),
  cpuPercent: ((cpu.user + cpu.system) / 1000 / windowMs) * 100,
  // Other programs on the machine (not this bench), in % of one core: a busy neighbour disturbs the step.
  otherProcessesCpuPercent: otherProcessPercent(othersStart, othersEnd, windowMs),
  // Every process and the kernel, in % of one core (so at most 100 × CPUs).
  machineCpuPercent:
    machineStart === undefined || machineEnd === undefined
      ? null
      : ((machineEnd.busy - machineStart.busy) / (machineEnd.total - machineStart.total)) * 100 * os.cpus().length,
  rssBeforeMb: before.rss / 1048576,
  rssAfterMb: after.rss / 1048576,
  rssPerConversationKb: conversations > 0 ? (after.rss - before.rss) / 1024 / conversations : null,
  // The second half's cost alone: fixed costs that grow with load once (young generation, code) excluded.
  rssMarginalPerConversationKb: conversations - half > 0 ? (after.rss - middle.rss) / 1024 / (conversations - half) : null,
  heapPerConversationKb: conversations > 0 ? (after.heapUsed - before.heapUsed) / 1024 / conversations : null,
  inFlightAtMemorySample: after.inFlight,
  memoryGrowthKb: Object.fromEntries(
    Object.keys(after.spaces).map((name) => [name, Math.round((after.spaces[name] - (before.spaces[name] ?? 0)) / 1024)]),
  ),
  droppedAudioFrames: dropped,
  maxQueuedAudio: queuedAudio,
  audioReceived: audioInWindow,
  audioExpected: expectedAudio,
  audioReceivedRatio: conversations > 0 ? audioInWindow / expectedAudio : null,
  transcriptDeltasReceived: textInWindow,
  delegations,
  answerFailures,
  sendFailures,
  unexpectedEnds,
  fatalErrors,
  bargeInTruncations: bargeInStats?.truncations ?? 0,
  windowUs: [windowStartUs, windowEndUs],
});
process.exit(0);
