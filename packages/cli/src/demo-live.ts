import {
  Clock,
  ConversationManager,
  createParleyContainer,
  HandoffDelegate,
  loadParleyConfig,
  Logger,
  TransportFactory,
  type ClientMessage,
  type ConversationEvent,
  type ConversationStats,
} from '@parley/core';
import { RealtimeSimulator, splitAudio, synthesizeSpeech } from '@parley/testkit';
import { wsTransportModule } from '@parley/transport-ws';
import { DemoDelegate } from './demo-delegate.js';
import { protocolModules } from './protocol-modules.js';
import type { Output } from './replay-command.js';
import { escapeForTerminal } from './terminal-text.js';
import type { WavCollector } from './wav-collector.js';
import { WireTap } from './wire-tap.js';

/** The live demo's script: the same story as v1 and v2. */
export interface LiveDemoScript {
  greeting: string;
  request: string;
  story: string;
  interruption: string;
  /** What the simulated model answers a turn that is not delegated. */
  answer: (text: string) => string;
  /** How much of the story is played before the user speaks over it (ms). */
  bargeInMs: number;
}

/** The session timeline position at which the live run ends (ms): its audio then stops, so the run is the same every time. */
export const LIVE_DEMO_END_MS = 36000;
/** Timeline ms of one live output frame. */
const FRAME_MS = 100;
/** The live run's delegation grace (ms): the longest a delegation waits for its late words. */
const GRACE_MS = 1000;

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
  return condition();
}

/** True when a base64 PCM16 frame holds only zeros (the live stream's silence). */
function isSilent(base64: string): boolean {
  return Buffer.from(base64, 'base64').every((byte) => byte === 0);
}

/**
 * The live run's timeline: the session timeline position (100 ms per output frame), the model's
 * utterances (runs of speech frames, each one answer of the WAV; silence is not written), the
 * delegations with their offsets, late fragments, routing time and reason, the commentary sent and
 * spoken back, and the server's own barge-in.
 */
class LiveDemoRun {
  private readonly started = Date.now();
  /** Output frames received: the timeline position is `frames × 100 ms`. */
  frames = 0;
  /** Utterances begun and ended. */
  utterances = 0;
  ended = 0;
  private speaking = false;
  private assistant = '';
  private user = '';
  private horizon: number | undefined;
  private readonly waiting = new Map<string, { offsetMs: number | undefined; at: number }>();
  /** Commentary appends sent for delegations. */
  commentary = 0;
  /** The utterance the user will speak over, and whether the server's barge-in was seen. */
  bargeInTarget: number | undefined;
  private bargeInReported = false;

  constructor(
    private readonly output: Output,
    private readonly audio: WavCollector,
  ) {}

  get timelineMs(): number {
    return this.frames * FRAME_MS;
  }

  /** The WAV answer id of utterance `n` (1-based). */
  utteranceId(n: number): string {
    return `live/utterance_${n}`;
  }

  line(text: string): void {
    const seconds = ((Date.now() - this.started) / 1000).toFixed(2).padStart(6);
    this.output.out(`${seconds}s  ${`t=${this.timelineMs}`.padStart(7)}  ${escapeForTerminal(text)}\n`);
  }

  private flushUser(): void {
    if (this.user.trim() === '') return;
    this.line(`user: ${this.user.trim()}`);
    this.user = '';
  }

  onEvent(event: ConversationEvent): void {
    switch (event.type) {
      case 'audioOut':
        this.onAudio(event.data, event.sampleRate, event.numChannels);
        return;
      case 'sessionUpdated':
        this.line(`[session] ${event.sessionId} started; the timeline starts at 0`);
        return;
      case 'inputTranscriptDelta': {
        if (event.endMs !== undefined) this.horizon = Math.max(this.horizon ?? 0, event.endMs);
        if (this.waiting.size > 0) {
          this.flushUser();
          this.line(`[late fragment] ${JSON.stringify(event.delta)} [${event.startMs ?? '?'}, ${event.endMs ?? '?'}) after the delegation`);
        } else this.user += event.delta;
        return;
      }
      case 'outputTranscriptDelta':
        this.assistant += event.delta;
        return;
      case 'handoffRequested': {
        this.flushUser();
        this.waiting.set(event.handoffId, { offsetMs: event.offsetMs, at: Date.now() });
        const reaches = this.horizon === undefined ? 'no transcript yet' : `the transcript reaches ${this.horizon} ms`;
        this.line(
          `[delegation] ${event.handoffId} at offset_ms ${event.offsetMs ?? '(none)'} (target ${event.target ?? 'client'}); ${reaches}: it waits for the late words, at most ${GRACE_MS} ms`,
        );
        return;
      }
      case 'delegationStarted': {
        const waited = this.waiting.get(event.handoffId);
        this.waiting.delete(event.handoffId);
        const caughtUp = waited?.offsetMs !== undefined && this.horizon !== undefined && this.horizon >= waited.offsetMs;
        const after = waited === undefined ? '' : ` ${Date.now() - waited.at} ms after it arrived`;
        this.line(
          `[routed] ${event.handoffId}${after}, because ${caughtUp ? 'the transcript caught up with its offset' : 'the grace expired'}: ${JSON.stringify(event.text)}`,
        );
        return;
      }
      case 'contextAppended':
        if (event.channel === 'commentary') this.line(`[server] commentary placed on the timeline at ${event.startMs ?? '?'} ms`);
        return;
      case 'sessionClosed':
        this.line(`[server] session.closed (${event.reason ?? 'no reason'}), ${event.seconds ?? '?'} s of audio`);
        return;
      case 'error':
        this.line(`[error] ${event.message}${event.fatal ? ' (fatal)' : ''}`);
        return;
      case 'closed':
        this.line(`[closed] ${event.reason}`);
        return;
      default:
        return;
    }
  }

  private onAudio(data: string, sampleRate: number, numChannels: number): void {
    this.frames += 1;
    if (!isSilent(data)) {
      if (!this.speaking) {
        this.flushUser();
        this.speaking = true;
        this.utterances += 1;
        this.audio.begin(this.utteranceId(this.utterances));
      }
      this.audio.add(data, sampleRate, numChannels, this.utteranceId(this.utterances));
      return;
    }
    if (!this.speaking) return;
    this.speaking = false;
    this.ended += 1;
    if (this.assistant.trim() !== '') this.line(`assistant: ${this.assistant.trim()}`);
    this.assistant = '';
    if (this.bargeInTarget === this.utterances && !this.bargeInReported) {
      this.bargeInReported = true;
      this.line(
        '[barge-in] the server stopped the model by itself when the user spoke: no truncate, no message from Parley; the output goes on as silence',
      );
    }
  }

  onSent(message: ClientMessage): void {
    const id = message.delegation_id;
    const content = typeof message.content === 'string' ? message.content : '';
    switch (message.type) {
      case 'session.thinking.append':
        if (typeof id === 'string') this.line(`→ thinking (${id}): ${JSON.stringify(content)} (silent context)`);
        else if (content.startsWith('user: ')) this.line(`user (typed): ${content.slice('user: '.length)}`);
        return;
      case 'session.commentary.append':
        if (typeof id === 'string') {
          this.commentary += 1;
          this.line(`→ commentary (${id}): ${JSON.stringify(content)} (the model says it; it is spoken back)`);
        } else this.line(`→ commentary (null): ${JSON.stringify(content)} (asks the model to answer)`);
        return;
      case 'session.close':
        this.line('→ session.close');
        return;
      default:
        return;
    }
  }

  /** Flushes what is left of the transcripts. */
  flush(): void {
    this.flushUser();
    if (this.assistant.trim() !== '') this.line(`assistant: ${this.assistant.trim()}`);
    this.assistant = '';
  }
}

/**
 * `parley demo --protocol live`: the demo story against the simulator's `live` dialect (spec 08):
 * a greeting, a request that is delegated (its late words arrive after the delegation; Parley
 * routes it once the transcript catches up, at most after the grace), the agent's answer as
 * thinking then commentary, spoken back, a story the user speaks over (the server's own barge-in),
 * and the close handshake once the session timeline reaches {@link LIVE_DEMO_END_MS}. The model's
 * utterances go to the WAV (silence left out, the story cut after `bargeInMs` with a fade), the
 * same bytes on every run. Resolves with the number of failures (0 or 1).
 */
export async function runLiveDemo(
  script: LiveDemoScript,
  delegateCmd: string | undefined,
  output: Output,
  audio: WavCollector,
): Promise<number> {
  const simulator = new RealtimeSimulator({
    protocol: 'live',
    mode: 'demo',
    speed: 4,
    handoffLateMs: 100,
    transcripts: [script.interruption],
    answer: script.answer,
  });
  const { url } = await simulator.start();
  output.out(`\n=== Parley demo · protocol live · simulator at ${url} ===\n`);
  const run = new LiveDemoRun(output, audio);
  try {
    const config = loadParleyConfig({
      realtime: { protocol: 'live', url, model: '', live: { delegationGraceMs: GRACE_MS } },
      log: { level: 'silent' },
    });
    const container = createParleyContainer({ config, modules: [...protocolModules, wsTransportModule] });
    const inner = container.get(TransportFactory);
    container
      .rebind(TransportFactory)
      .toConstantValue(new WireTap(inner, { sent: (text) => run.onSent(JSON.parse(text) as ClientMessage) }));
    if (delegateCmd !== undefined) {
      const { CommandDelegate } = await import('./command-delegate.js');
      container.bind(HandoffDelegate).toConstantValue(new CommandDelegate({ command: delegateCmd, logger: container.get(Logger) }));
    } else {
      container.bind(HandoffDelegate).toConstantValue(new DemoDelegate(container.get(Clock)));
    }
    const manager = container.get(ConversationManager);
    manager.on((event) => run.onEvent(event));
    await manager.start({ instructions: 'You are the friendly Parley demo assistant.' });
    await waitUntil(() => run.frames > 0, 5000);

    // 1. A greeting, answered when Parley asks (requestResponse → null commentary).
    await manager.sendText(script.greeting);
    await manager.requestResponse();
    await waitUntil(() => run.ended >= 1, 8000);

    // 2. A request for the agent: delegated, its last words late; "On it.", then the agent's
    //    answer as commentary, spoken back.
    await manager.sendText(script.request);
    await manager.requestResponse();
    await waitUntil(() => run.commentary >= 1, 10000);
    const answered = run.utterances;
    await waitUntil(() => run.utterances > answered && run.ended >= run.utterances, 10000);

    // 3. A story, which the user speaks over after `bargeInMs` of it: the server stops it itself.
    await manager.sendText(script.story);
    await manager.requestResponse();
    const story = run.utterances + 1;
    run.bargeInTarget = story;
    await waitUntil(() => audio.receivedMs(run.utteranceId(story)) >= script.bargeInMs, 10000);
    audio.cut(run.utteranceId(story), script.bargeInMs);
    const frames = splitAudio(synthesizeSpeech(script.interruption, 600));
    run.line(`[user speaks] ${JSON.stringify(script.interruption)} (${frames.length * 20} ms of microphone audio, streamed in real time)`);
    const begin = Date.now();
    for (const [index, frame] of frames.entries()) {
      if (!manager.running) break;
      manager.sendAudio({ data: frame.toString('base64'), sampleRate: 24000, numChannels: 1, samplesPerChannel: frame.length / 2 });
      const wait = begin + (index + 1) * 20 - Date.now();
      if (wait > 0) await sleep(wait);
    }
    // The answer to the interruption, spoken to its end.
    await waitUntil(() => run.utterances > story && run.ended >= run.utterances, 10000);

    // 4. The run ends at a fixed timeline position.
    if (run.timelineMs > LIVE_DEMO_END_MS) run.line(`[note] the story ran past ${LIVE_DEMO_END_MS} ms of timeline; closing now`);
    await waitUntil(() => run.timelineMs >= LIVE_DEMO_END_MS, 60000);
    run.flush();
    run.line(`[end] the timeline reached ${LIVE_DEMO_END_MS} ms: closing (Parley waits for session.closed)`);
    if (manager.running) await manager.close();
    run.flush();
    liveSummary(manager.stats(), output);
    return 0;
  } catch (error) {
    run.flush();
    output.err(`demo (live) failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await simulator.close();
  }
}

function liveSummary(stats: ConversationStats, output: Output): void {
  output.out(
    [
      '--- summary (stats) ---',
      `frames in/out:              ${stats.framesIn} / ${stats.framesOut}`,
      `events delivered:           ${stats.eventsDelivered}`,
      `delegations:                ${stats.delegations}`,
      `unrouted delegations:       ${stats.unroutedDelegations ?? 0}`,
      `skipped frames:             ${stats.skippedFrames}`,
      `dropped audio frames:       ${stats.droppedAudioFrames}`,
      '',
    ].join('\n'),
  );
}
