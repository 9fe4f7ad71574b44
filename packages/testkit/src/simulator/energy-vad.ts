import { SIMULATOR_FRAME_BYTES, SIMULATOR_FRAME_MS } from './speech-synthesizer.js';

/** Tuning of the energy VAD; every field is optional. */
export interface EnergyVadOptions {
  /** RMS level (PCM16 units, 0–32767) above which a 20 ms frame counts as voiced. Default 500. */
  threshold?: number;
  /** Voiced time needed to start speech (ms, rounded up to 20 ms frames). Default 60. */
  startMs?: number;
  /** Silence needed to end speech (ms, rounded up to 20 ms frames). Default 400. */
  silenceMs?: number;
}

/** What the VAD noticed in the audio it was fed. Times are ms of input audio since the start. */
export type VadEvent = { type: 'speechStarted'; audioStartMs: number } | { type: 'speechStopped'; audioEndMs: number };

/**
 * Energy-based voice activity detection over PCM16 24 kHz mono input, in 20 ms frames.
 * Speech starts once `startMs` of consecutive voiced frames were seen (`audioStartMs` = start of
 * the first of them) and stops after `silenceMs` of consecutive unvoiced frames (`audioEndMs` =
 * the end of that silence, as the real API reports it including the silence duration).
 * Input may come in chunks of any size; a partial frame waits for the next chunk.
 */
export class EnergyVad {
  private readonly threshold: number;
  private readonly startFrames: number;
  private readonly silenceFrames: number;
  private pending: Buffer = Buffer.alloc(0);
  private frames = 0;
  private voicedRun = 0;
  private silentRun = 0;
  private speaking = false;

  constructor(options: EnergyVadOptions = {}) {
    this.threshold = options.threshold ?? 500;
    this.startFrames = Math.max(1, Math.ceil((options.startMs ?? 60) / SIMULATOR_FRAME_MS));
    this.silenceFrames = Math.max(1, Math.ceil((options.silenceMs ?? 400) / SIMULATOR_FRAME_MS));
  }

  /** Whether speech is in progress. */
  get inSpeech(): boolean {
    return this.speaking;
  }

  /** Milliseconds of input audio analysed so far (whole frames). */
  get audioMs(): number {
    return this.frames * SIMULATOR_FRAME_MS;
  }

  /** Feeds PCM16 audio; returns what happened in it, in order (usually nothing). */
  feed(pcm: Buffer): VadEvent[] {
    const events: VadEvent[] = [];
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, pcm]) : pcm;
    let offset = 0;
    while (data.length - offset >= SIMULATOR_FRAME_BYTES) {
      const event = this.frame(data, offset);
      if (event !== undefined) events.push(event);
      offset += SIMULATOR_FRAME_BYTES;
    }
    data = data.subarray(offset);
    // Copy the remainder: it must not pin the caller's (possibly large) buffer.
    this.pending = data.length > 0 ? Buffer.from(data) : Buffer.alloc(0);
    return events;
  }

  /** Ends speech now if it is in progress (a manual commit); returns the stop event if any. */
  flush(): VadEvent | undefined {
    if (!this.speaking) return undefined;
    this.reset();
    return { type: 'speechStopped', audioEndMs: this.audioMs };
  }

  /** Forgets the current run (a cleared buffer); the audio clock keeps counting. */
  reset(): void {
    this.speaking = false;
    this.voicedRun = 0;
    this.silentRun = 0;
    this.pending = Buffer.alloc(0);
  }

  private frame(data: Buffer, offset: number): VadEvent | undefined {
    let sum = 0;
    for (let i = offset; i < offset + SIMULATOR_FRAME_BYTES; i += 2) {
      const sample = data.readInt16LE(i);
      sum += sample * sample;
    }
    const voiced = Math.sqrt(sum / (SIMULATOR_FRAME_BYTES / 2)) > this.threshold;
    this.frames += 1;
    if (!this.speaking) {
      this.voicedRun = voiced ? this.voicedRun + 1 : 0;
      if (this.voicedRun < this.startFrames) return undefined;
      this.speaking = true;
      this.silentRun = 0;
      return { type: 'speechStarted', audioStartMs: (this.frames - this.voicedRun) * SIMULATOR_FRAME_MS };
    }
    this.silentRun = voiced ? 0 : this.silentRun + 1;
    if (this.silentRun < this.silenceFrames) return undefined;
    this.speaking = false;
    this.voicedRun = 0;
    this.silentRun = 0;
    return { type: 'speechStopped', audioEndMs: this.audioMs };
  }
}
