import { writeFileSync } from 'node:fs';
import wavefile from 'wavefile';
import { toWireSamples, WIRE_SAMPLE_RATE } from './wav-audio.js';

const { WaveFile } = wavefile;

/** Options of {@link WavCollector}. */
export interface WavCollectorOptions {
  /** Silence written between two answers (ms, default 600). */
  gapMs?: number;
  /** Length of the fade-out at a cut (ms, default 15). */
  fadeMs?: number;
}

interface Answer {
  itemId: string | undefined;
  parts: Int16Array[];
  samples: number;
  /** Where the answer was cut (samples), if it was. */
  cutAt?: number;
}

/**
 * Collects assistant audio as answers (one per item) and writes it as a 24 kHz mono PCM16 WAV: the
 * answers in the order they started, with silence between them, each cut where the listener stopped
 * it ({@link cut}) with a short fade-out so the cut does not click. What is written depends only on
 * the audio received and the cuts, never on timing.
 */
export class WavCollector {
  private readonly answers: Answer[] = [];
  private readonly byItem = new Map<string, Answer>();
  private readonly gapSamples: number;
  private readonly fadeSamples: number;
  private current: string | undefined;

  constructor(options: WavCollectorOptions = {}) {
    this.gapSamples = Math.round(((options.gapMs ?? 600) * WIRE_SAMPLE_RATE) / 1000);
    this.fadeSamples = Math.max(1, Math.round(((options.fadeMs ?? 15) * WIRE_SAMPLE_RATE) / 1000));
  }

  /**
   * An answer starts (an assistant item was added): its audio is written after the audio before it,
   * with a gap of silence. Audio chunks that carry no item (V1) belong to the newest answer begun.
   */
  begin(itemId: string): void {
    this.answerOf(itemId);
    this.current = itemId;
  }

  /** Adds one base64 PCM16 chunk of the answer `itemId` (default: the newest answer begun). */
  add(base64: string, sampleRate: number, numChannels: number, itemId?: string): void {
    const samples = toWireSamples({ data: Buffer.from(base64, 'base64'), sampleRate, numChannels });
    const answer = this.answerOf(itemId ?? this.current);
    answer.parts.push(samples);
    answer.samples += samples.length;
  }

  private answerOf(itemId: string | undefined): Answer {
    let answer = itemId === undefined ? this.answers[this.answers.length - 1] : this.byItem.get(itemId);
    if (answer === undefined) {
      answer = { itemId, parts: [], samples: 0 };
      this.answers.push(answer);
      if (itemId !== undefined) this.byItem.set(itemId, answer);
    }
    return answer;
  }

  /** Milliseconds of audio received so far for `itemId` (0 if none). */
  receivedMs(itemId: string): number {
    return ((this.byItem.get(itemId)?.samples ?? 0) * 1000) / WIRE_SAMPLE_RATE;
  }

  /** The listener stopped `itemId` after `ms` of it (barge-in): later audio of it is not written. */
  cut(itemId: string, ms: number): void {
    const answer = this.byItem.get(itemId);
    if (answer === undefined) return;
    const at = Math.max(0, Math.round((ms * WIRE_SAMPLE_RATE) / 1000));
    answer.cutAt = answer.cutAt === undefined ? at : Math.min(answer.cutAt, at);
  }

  /** Bytes of audio that {@link write} writes (answers after their cuts, without the gaps). */
  get byteLength(): number {
    return this.answers.reduce((total, answer) => total + this.length(answer) * 2, 0);
  }

  /** The samples to write: answers in order, gaps of silence between them, faded at their cuts. */
  samples(): Int16Array {
    const lengths = this.answers.map((answer) => this.length(answer));
    const total = lengths.reduce((sum, length) => sum + length, 0) + Math.max(0, this.answers.length - 1) * this.gapSamples;
    const out = new Int16Array(total);
    let offset = 0;
    for (const [index, answer] of this.answers.entries()) {
      if (index > 0) offset += this.gapSamples;
      const length = lengths[index] as number;
      let written = 0;
      for (const part of answer.parts) {
        if (written >= length) break;
        const take = part.subarray(0, Math.min(part.length, length - written));
        out.set(take, offset + written);
        written += take.length;
      }
      if (answer.cutAt !== undefined) {
        const fade = Math.min(this.fadeSamples, length);
        for (let i = 0; i < fade; i += 1) {
          const at = offset + length - fade + i;
          out[at] = Math.round(((out[at] as number) * (fade - 1 - i)) / fade);
        }
      }
      offset += length;
    }
    return out;
  }

  /** Writes the WAV file. */
  write(path: string): void {
    const wav = new WaveFile();
    wav.fromScratch(1, WIRE_SAMPLE_RATE, '16', this.samples());
    writeFileSync(path, wav.toBuffer());
  }

  private length(answer: Answer): number {
    return answer.cutAt === undefined ? answer.samples : Math.min(answer.samples, answer.cutAt);
  }
}
