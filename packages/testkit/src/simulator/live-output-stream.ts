import type { TaskScheduler, ScheduledTask } from './task-scheduler.js';
import { speechWords, wordSpeechFrames } from './speech-synthesizer.js';

/** Timeline milliseconds of one live output frame (and of one tick of the live session timeline). */
export const LIVE_FRAME_MS = 100;
/** Bytes of one 100 ms PCM16 24 kHz mono frame (2400 samples). */
export const LIVE_FRAME_BYTES = 4800;
/** PCM16 24 kHz mono bytes per timeline millisecond. */
const BYTES_PER_MS = 48;
/** Timeline milliseconds between two `session.usage.updated`. */
export const LIVE_USAGE_INTERVAL_MS = 5000;

interface QueuedWord {
  delta: string;
  pcm: Buffer;
}

/** What the stream reports, in order. */
export interface LiveOutputSink {
  /** A spoken word, sent with its first audio frame, stamped with its span on the timeline. */
  word(delta: string, startMs: number, endMs: number): void;
  /** One 100 ms output frame (base64), speech or silence. */
  frame(data: string): void;
  /** Cumulative usage, every 5000 timeline ms. */
  usage(seconds: number): void;
}

/**
 * The live simulator's session timeline and continuous output audio (spec 08 "Simulator dialect
 * live"): from `start()` on, one 100 ms frame per 100 timeline ms, the timeline advancing `speed`
 * ms per real ms; speech while words are queued, zeros otherwise. The timeline position is the
 * number of frames sent × 100 ms, so every time the dialect stamps is frame-aligned and
 * deterministic.
 */
export class LiveOutputStream {
  private frames = 0;
  private task: ScheduledTask | undefined;
  private readonly queue: QueuedWord[] = [];
  /** Bytes of the head word already played. */
  private offset = 0;
  private utteranceStarted = false;

  constructor(
    private readonly scheduler: TaskScheduler,
    private readonly speed: number,
    private readonly sink: LiveOutputSink,
  ) {}

  /** The current position on the session timeline (ms). */
  get nowMs(): number {
    return this.frames * LIVE_FRAME_MS;
  }

  /** True while words are queued (the model is speaking). */
  get speaking(): boolean {
    return this.queue.length > 0;
  }

  /** Starts the timeline at 0 and the continuous output. */
  start(): void {
    if (this.task !== undefined) return;
    const interval = LIVE_FRAME_MS / this.speed;
    this.task = this.scheduler.schedule(interval, () => {
      this.tick();
      return interval;
    });
  }

  /** Queues `text` to be spoken after what is being said. */
  say(text: string): void {
    for (const word of speechWords(text)) {
      const delta = this.utteranceStarted || this.queue.length > 0 ? ` ${word}` : word;
      this.utteranceStarted = true;
      const pcm = Buffer.concat(wordSpeechFrames(word).map((frame) => Buffer.from(frame, 'base64')));
      this.queue.push({ delta, pcm });
    }
  }

  /** Stops the speech at once (barge-in, close): unspoken words are never sent. */
  silence(): void {
    this.queue.length = 0;
    this.offset = 0;
    this.utteranceStarted = false;
  }

  /** Stops the timeline (close). */
  stop(): void {
    this.silence();
    this.task?.cancel();
    this.task = undefined;
  }

  private tick(): void {
    const frameStart = this.nowMs;
    const pcm = Buffer.alloc(LIVE_FRAME_BYTES);
    let filled = 0;
    while (filled < LIVE_FRAME_BYTES && this.queue.length > 0) {
      const head = this.queue[0] as QueuedWord;
      if (this.offset === 0) {
        const startMs = frameStart + filled / BYTES_PER_MS;
        this.sink.word(head.delta, startMs, startMs + head.pcm.length / BYTES_PER_MS);
      }
      const take = Math.min(LIVE_FRAME_BYTES - filled, head.pcm.length - this.offset);
      head.pcm.copy(pcm, filled, this.offset, this.offset + take);
      filled += take;
      this.offset += take;
      if (this.offset >= head.pcm.length) {
        this.queue.shift();
        this.offset = 0;
        if (this.queue.length === 0) this.utteranceStarted = false;
      }
    }
    this.sink.frame(pcm.toString('base64'));
    this.frames += 1;
    if (this.nowMs % LIVE_USAGE_INTERVAL_MS === 0) this.sink.usage(this.nowMs / 1000);
  }
}
