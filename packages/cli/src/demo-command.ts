import {
  Clock,
  ConversationManager,
  createParleyContainer,
  HandoffDelegate,
  loadParleyConfig,
  RealtimeTool,
  TransportFactory,
  type ClientMessage,
  type ConversationEvent,
  type ConversationStats,
} from '@parley/core';
import { RealtimeSimulator, splitAudio, synthesizeSpeech } from '@parley/testkit';
import { wsTransportModule } from '@parley/transport-ws';
import { DemoDelegate } from './demo-delegate.js';
import { runLiveDemo } from './demo-live.js';
import { demoTimeTool } from './demo-time-tool.js';
import { protocolModules } from './protocol-modules.js';
import type { Output } from './replay-command.js';
import { TranscriptPrinter } from './transcript-printer.js';
import { WavCollector } from './wav-collector.js';
import { WireTap } from './wire-tap.js';

/** Options of `parley demo`. */
export interface DemoOptions {
  /** `v1`, `v2`, `live`, or all three in that order (default). */
  protocol?: 'v1' | 'v2' | 'live';
  /** Where the assistant audio goes (default `demo-output.wav`). */
  out?: string;
  /** Run the built-in delegate, or this command (`--delegate-cmd`). */
  delegateCmd?: string;
  /** The clock the v2 run's `current_time` tool reads (default: the machine's; tests fix it). */
  now?: () => Date;
}

const GREETING = 'Hello there! Who are you?';
const TIME_QUESTION = 'What is the current time?';
const REQUEST = 'Can you ask the agent to look up the weather in Paris?';
const STORY = 'Tell me a long story about the sea.';
const INTERRUPTION = 'Wait, stop. That is enough, thank you.';
const LONG_STORY =
  'Once upon a time, a small boat left a quiet harbour at dawn. The sea was calm and silver, and the old sailor ' +
  'sang to the gulls as the sun climbed over the hills. By noon the wind had turned, the waves grew tall, and the ' +
  'little boat danced between them like a leaf on a river, until at last an island appeared on the horizon.';

/** How much of the story the demo's player plays before the user speaks over it (ms). */
const BARGE_IN_MS = 1500;

/** What the simulated model answers a turn that is not handed off (every protocol). */
function demoAnswer(text: string): string {
  if (/story/i.test(text)) return LONG_STORY;
  return /who are you/i.test(text) ? 'Hi! I am the Parley demo assistant. How can I help?' : `You said: ${text}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once `condition()` holds (checked every 10 ms), or after `timeoutMs`. */
async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(10);
  }
  return false;
}

/** Shows one run of the story (one protocol) as a live timeline. */
class DemoRun {
  private readonly started = Date.now();
  private readonly events: ConversationEvent[] = [];
  private readonly printer: TranscriptPrinter;
  private lastEventAt = Date.now();
  private deferred = 0;
  private firstAudioAt = new Map<string, number>();
  /** The item of the newest assistant audio. */
  lastAudioItem: string | undefined;
  /** The newest assistant item added (V1 audio carries no item id). */
  currentItem: string | undefined;
  /** `conversation.handoff.append` messages sent (V1). */
  appends = 0;

  constructor(
    private readonly protocol: 'v1' | 'v2',
    private readonly output: Output,
    private readonly audio: WavCollector,
  ) {
    this.printer = new TranscriptPrinter((line) => this.line(line));
  }

  line(text: string): void {
    const seconds = ((Date.now() - this.started) / 1000).toFixed(2).padStart(6);
    this.output.out(`${seconds}s  ${text}\n`);
  }

  onEvent(event: ConversationEvent, stats: () => ConversationStats): void {
    this.events.push(event);
    this.lastEventAt = Date.now();
    if (event.type === 'conversationItemAdded') {
      const item = event.item as { id?: unknown; role?: unknown } | undefined;
      if (item?.role === 'assistant' && typeof item.id === 'string') {
        // Both runs write one WAV and their simulators number items alike: keep them apart.
        this.currentItem = `${this.protocol}/${item.id}`;
        this.audio.begin(this.currentItem);
      }
    }
    if (event.type === 'audioOut') {
      const itemId = event.itemId === undefined ? this.currentItem : `${this.protocol}/${event.itemId}`;
      this.audio.add(event.data, event.sampleRate, event.numChannels, itemId);
      if (itemId !== undefined && !this.firstAudioAt.has(itemId)) this.firstAudioAt.set(itemId, Date.now());
      if (itemId !== undefined) this.lastAudioItem = itemId;
      return;
    }
    if (event.type === 'handoffRequested' && this.protocol === 'v1') {
      this.printer.note(
        `[handoff] ${event.handoffId}: ${JSON.stringify(event.inputTranscript)} — delegation waits the 1000 ms grace for late transcript`,
      );
      return;
    }
    if (event.type === 'delegationStarted' && this.protocol === 'v1') {
      this.printer.note(`[delegation] ${event.handoffId} after the grace, with the late deltas: ${JSON.stringify(event.text)}`);
      return;
    }
    this.printer.handle(event);
    const now = stats().deferredResponseRequests;
    if (now > this.deferred) {
      this.deferred = now;
      this.printer.note('[gating] response.create deferred: a response is still active; it is sent once that one is done');
    }
  }

  onSent(message: ClientMessage): void {
    switch (message.type) {
      case 'response.create':
        this.printer.note('→ response.create');
        return;
      case 'conversation.item.truncate':
        this.printer.note(
          `→ conversation.item.truncate ${String(message.item_id)} at ${String(message.audio_end_ms)} ms (barge-in: the user interrupted; the model forgets what was not heard)`,
        );
        return;
      case 'conversation.item.delete':
        this.printer.note(`→ conversation.item.delete ${String(message.item_id)} (barge-in before anything was heard)`);
        return;
      case 'conversation.handoff.append':
        this.appends += 1;
        this.printer.note(
          `→ conversation.handoff.append ${String(message.handoff_id)}: ${JSON.stringify(String(message.output_text).split('\n\n').slice(1).join('\n\n'))}`,
        );
        return;
      case 'conversation.item.create': {
        const item = message.item as { type?: string; call_id?: string; output?: string; content?: { text?: string }[] };
        if (item.type === 'function_call_output') {
          // A handoff's output carries Parley's final-message prefix; a tool's is the output itself.
          const output = String(item.output);
          const text = output.startsWith('"Agent Final Message":') ? output.split('\n\n').slice(1).join('\n\n') : output;
          this.printer.note(`→ function_call_output ${String(item.call_id)}: ${JSON.stringify(text)}`);
        } else if (item.content?.[0]?.text?.includes('Update from background agent'))
          this.printer.note(`→ progress item: ${JSON.stringify(item.content[0].text.split('\n\n')[0])}`);
        else this.printer.userText(item.content?.[0]?.text ?? '');
        return;
      }
      default:
        return;
    }
  }

  /** Resolves when `predicate` matched an event (from `from` on), or after `timeoutMs`. */
  async waitFor(predicate: (event: ConversationEvent) => boolean, timeoutMs: number, from = 0): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.events.slice(from).some(predicate)) return true;
      await sleep(20);
    }
    return false;
  }

  /** Resolves once no event arrived for `quietMs` (bounded by `timeoutMs`). */
  async waitQuiet(quietMs: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && Date.now() - this.lastEventAt < quietMs) await sleep(20);
  }

  get count(): number {
    return this.events.length;
  }

  /** Milliseconds the demo's "player" has played of an item (real time since its first chunk). */
  playedMs(itemId: string): number | undefined {
    const first = this.firstAudioAt.get(itemId);
    return first === undefined ? undefined : Date.now() - first;
  }

  flush(): void {
    this.printer.flush();
  }
}

/**
 * `parley demo`: starts the simulator on a free loopback port, connects through the real WebSocket
 * transport, plays a scripted user (a greeting, in v2 a question the built-in `current_time` tool
 * answers, a request that needs the agent, and speech while the assistant talks) with a built-in delegate, and prints a live timeline and a summary from
 * `stats()`. Writes the assistant audio to a WAV file. Resolves with the exit code.
 */
export async function runDemo(options: DemoOptions, output: Output): Promise<number> {
  const protocols: ('v1' | 'v2' | 'live')[] = options.protocol === undefined ? ['v1', 'v2', 'live'] : [options.protocol];
  const audio = new WavCollector();
  const out = options.out ?? 'demo-output.wav';
  let failures = 0;
  for (const protocol of protocols) {
    failures +=
      protocol === 'live'
        ? await runLiveDemo(
            { greeting: GREETING, request: REQUEST, story: STORY, interruption: INTERRUPTION, answer: demoAnswer, bargeInMs: BARGE_IN_MS },
            options.delegateCmd,
            output,
            audio,
          )
        : await runProtocol(protocol, options, output, audio);
  }
  audio.write(out);
  output.out(`\nwrote ${audio.byteLength} bytes of assistant audio to ${out}\n`);
  return failures > 0 ? 1 : 0;
}

async function runProtocol(protocol: 'v1' | 'v2', options: DemoOptions, output: Output, audio: WavCollector): Promise<number> {
  const simulator = new RealtimeSimulator({
    protocol,
    mode: 'demo',
    speed: 4,
    transcripts: [INTERRUPTION],
    answer: demoAnswer,
  });
  const { url } = await simulator.start();
  output.out(`\n=== Parley demo · protocol ${protocol} · simulator at ${url} ===\n`);
  const run = new DemoRun(protocol, output, audio);
  try {
    const config = loadParleyConfig({ realtime: { protocol, url, model: '' }, log: { level: 'silent' } });
    const container = createParleyContainer({ config, modules: [...protocolModules, wsTransportModule] });
    const inner = container.get(TransportFactory);
    container.rebind(TransportFactory).toConstantValue(
      new WireTap(inner, {
        sent: (text) => run.onSent(JSON.parse(text) as ClientMessage),
      }),
    );
    if (options.delegateCmd !== undefined) {
      const { CommandDelegate } = await import('./command-delegate.js');
      const { Logger } = await import('@parley/core');
      container.bind(HandoffDelegate).toConstantValue(new CommandDelegate({ command: options.delegateCmd, logger: container.get(Logger) }));
    } else {
      container.bind(HandoffDelegate).toConstantValue(new DemoDelegate(container.get(Clock)));
    }
    // v2 runs tools (spec 09 §13.3); v1 would refuse them at start.
    if (protocol === 'v2') container.bind(RealtimeTool).toConstantValue(demoTimeTool(options.now));
    const manager = container.get(ConversationManager);
    manager.on((event) => run.onEvent(event, () => manager.stats()));
    await manager.start({ instructions: 'You are the friendly Parley demo assistant.' });

    // 1. A greeting.
    await manager.sendText(GREETING);
    await manager.requestResponse();
    await run.waitFor((event) => event.type === 'audioOut', 5000);
    await run.waitQuiet(300, 4000);

    // 1b. (v2) A question a tool answers: the simulator calls current_time, Parley runs it,
    //     answers the call and asks for one response, and the simulator speaks the time.
    if (protocol === 'v2') {
      const beforeTool = run.count;
      await manager.sendText(TIME_QUESTION);
      await manager.requestResponse();
      await run.waitFor((event) => event.type === 'toolResult', 5000, beforeTool);
      await run.waitFor((event) => event.type === 'outputTranscriptDone', 5000, beforeTool);
      await run.waitQuiet(300, 4000);
    }

    // 2. A request that needs the background agent.
    const beforeRequest = run.count;
    await manager.sendText(REQUEST);
    await manager.requestResponse();
    await run.waitFor((event) => event.type === 'delegationStarted', 6000, beforeRequest);
    const delegated = run.count;
    // Wait until the assistant starts speaking the agent's answer.
    await run.waitFor((event) => event.type === 'audioOut', 6000, delegated);

    // 3. A request for a story. v2: while the agent's answer is still being spoken, so response
    //    gating defers the request until the active response is done. v1 (the server answers by
    //    itself, queueing answers): once the agent's final answer was handed over, so the story is
    //    told after it.
    if (protocol === 'v1') await waitUntil(() => run.appends >= 2, 6000);
    const beforeStory = run.count;
    await manager.sendText(STORY);
    await manager.requestResponse();
    await run.waitFor((event) => event.type === 'outputTranscriptDelta' && /once/i.test(event.delta), 8000, beforeStory);
    const story = run.currentItem ?? run.lastAudioItem;

    // 4. Barge-in: the user speaks over the story once the demo's player has played BARGE_IN_MS of
    //    it; the WAV keeps what was played before, faded out (the same bytes on every run).
    if (story !== undefined) {
      await waitUntil(() => (run.playedMs(story) ?? 0) >= BARGE_IN_MS, 8000);
      audio.cut(story, BARGE_IN_MS);
    }
    if (protocol === 'v1') run.line('[note] v1 has no truncation: the v1 server handles barge-in itself');
    const frames = splitAudio(synthesizeSpeech(INTERRUPTION, 600));
    run.line(`[user speaks] ${JSON.stringify(INTERRUPTION)} (${frames.length * 20} ms of microphone audio, streamed in real time)`);
    const begin = Date.now();
    for (const [index, frame] of frames.entries()) {
      if (!manager.running) break;
      manager.sendAudio({ data: frame.toString('base64'), sampleRate: 24000, numChannels: 1, samplesPerChannel: frame.length / 2 });
      // The demo's "player" plays assistant audio in real time and reports how far it got.
      const item = run.lastAudioItem;
      const played = item === undefined ? undefined : run.playedMs(item);
      if (item !== undefined && played !== undefined && index % 5 === 0) manager.reportPlayback(item.slice(item.indexOf('/') + 1), played);
      const wait = begin + (index + 1) * 20 - Date.now();
      if (wait > 0) await sleep(wait);
    }
    await run.waitQuiet(600, 6000);
    if (manager.running) await manager.close();
    run.flush();
    summary(manager.stats(), output);
    return 0;
  } catch (error) {
    run.flush();
    output.err(`demo (${protocol}) failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await simulator.close();
  }
}

function summary(stats: ConversationStats, output: Output): void {
  output.out(
    [
      '--- summary (stats) ---',
      `frames in/out:              ${stats.framesIn} / ${stats.framesOut}`,
      `events delivered:           ${stats.eventsDelivered}`,
      `delegations:                ${stats.delegations}`,
      `deferred response requests: ${stats.deferredResponseRequests}`,
      `truncations on barge-in:    ${stats.truncations}`,
      `skipped frames:             ${stats.skippedFrames} (event types Parley does not use, e.g. content_part.*)`,
      `dropped audio frames:       ${stats.droppedAudioFrames}`,
      '',
    ].join('\n'),
  );
}
