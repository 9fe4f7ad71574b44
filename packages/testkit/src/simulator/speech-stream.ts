import { SIMULATOR_FRAME_MS, speechWords, wordSpeechFrames } from './speech-synthesizer.js';
import type { ScheduledTask, TaskScheduler } from './task-scheduler.js';

/** What a {@link SpeechStream} emits, in order: per word its text delta, then its audio frames. */
export interface SpeechStreamSink {
  /** The transcript delta of the next word (`"Hello"`, then `" there"`: a leading space after the first). */
  word(delta: string): void;
  /** One 20 ms audio frame (base64 PCM16 24 kHz mono), only when the stream carries audio. */
  frame(base64: string): void;
  /** The stream finished on its own (not called after {@link SpeechStream.cancel}). */
  end(): void;
}

/** How a {@link SpeechStream} plays. */
export interface SpeechStreamOptions {
  /** Times faster than real time; `Infinity` emits everything at once. */
  speed: number;
  /** Audio (ms) generated ahead of real time: frame k goes out `max(0, k × 20 − leadMs) / speed` ms after start. Default 0. */
  leadMs?: number;
  /** A word's frames in the wire encoding (base64); default {@link wordSpeechFrames} (PCM16 24 kHz). */
  frames?: (word: string) => readonly string[];
  /** The last word to speak (exclusive); default all of them (a response cut short stops earlier). */
  wordLimit?: number;
  /** Whether audio frames are emitted (false: text only, still paced as if spoken). */
  audio: boolean;
}

/**
 * Speaks a text: word by word, each word's transcript delta followed by its synthetic audio
 * frames, paced so that frame k goes out `max(0, k × 20 ms − leadMs) / speed` after {@link start}
 * (a frame is sent `leadMs` before its playback would begin: the model generates ahead of real time). One scheduler task per stream, however long the text; the frames
 * come from the synthesizer's per-word cache. Late timers catch up by sending every due frame.
 */
export class SpeechStream {
  private readonly words: string[];
  private wordIndex = 0;
  private frameIndex = 0;
  private announced = false;
  private position = 0;
  private startedAt = 0;
  private task: ScheduledTask | undefined;
  private state: 'idle' | 'running' | 'ended' | 'cancelled' = 'idle';
  private readonly spoken: string[] = [];

  constructor(
    text: string,
    private readonly scheduler: TaskScheduler,
    private readonly options: SpeechStreamOptions,
    private readonly sink: SpeechStreamSink,
  ) {
    const words = speechWords(text);
    this.words = options.wordLimit === undefined ? words : words.slice(0, Math.max(0, options.wordLimit));
    this.frames = options.frames ?? wordSpeechFrames;
    this.leadMs = Math.max(0, options.leadMs ?? 0);
  }

  private readonly frames: (word: string) => readonly string[];
  private readonly leadMs: number;

  /** Number of words this stream speaks in all. */
  get wordCount(): number {
    return this.words.length;
  }

  /** The text spoken so far (all of it once ended). */
  get spokenText(): string {
    return this.spoken.join(' ');
  }

  /** Milliseconds of audio emitted so far (20 ms per frame; 0 for a text-only stream). */
  get audioMs(): number {
    return this.options.audio ? this.position * SIMULATOR_FRAME_MS : 0;
  }

  /**
   * Simulated milliseconds of the emitted audio still to play at `now` (the listener plays it in
   * real time from the start, `speed` times faster on the simulated clock); 0 for text only.
   */
  remainingPlaybackMs(now: number): number {
    const played = (now - this.startedAt) * this.options.speed;
    return Number.isNaN(played) ? this.audioMs : Math.max(0, this.audioMs - played);
  }

  /** Whether the stream is still emitting. */
  get running(): boolean {
    return this.state === 'running';
  }

  /** Starts emitting (the first word and frame at once, synchronously). Once only. */
  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.startedAt = this.scheduler.now();
    const delay = this.pump(this.startedAt);
    if (delay !== undefined) this.task = this.scheduler.schedule(delay, (now) => this.pump(now));
  }

  /** Stops emitting; `end` is not called. Idempotent. */
  cancel(): void {
    if (this.state === 'running' || this.state === 'idle') this.state = 'cancelled';
    this.task?.cancel();
  }

  /** Emits everything due at `now`; returns the delay to the next frame, or undefined when done. */
  private pump(now: number): number | undefined {
    const speed = this.options.speed;
    const due = Number.isFinite(speed)
      ? Math.floor(((now - this.startedAt) * speed + this.leadMs) / SIMULATOR_FRAME_MS)
      : Number.POSITIVE_INFINITY;
    while (this.state === 'running' && this.wordIndex < this.words.length) {
      const word = this.words[this.wordIndex] as string;
      const frames = this.frames(word);
      if (!this.announced) {
        if (this.position > due) break;
        this.announced = true;
        this.spoken.push(word);
        this.sink.word(this.wordIndex === 0 ? word : ` ${word}`);
        continue;
      }
      if (this.frameIndex >= frames.length) {
        this.wordIndex += 1;
        this.frameIndex = 0;
        this.announced = false;
        continue;
      }
      if (this.position > due) break;
      const frame = frames[this.frameIndex] as string;
      this.frameIndex += 1;
      this.position += 1;
      if (this.options.audio) this.sink.frame(frame);
    }
    if (this.state !== 'running') return undefined;
    if (this.wordIndex >= this.words.length) {
      this.state = 'ended';
      this.sink.end();
      return undefined;
    }
    return Math.max(1, (this.position * SIMULATOR_FRAME_MS - this.leadMs) / speed - (now - this.startedAt));
  }
}
