import { readFileSync, writeFileSync } from 'node:fs';
import wavefile from 'wavefile';

const { WaveFile } = wavefile;

/** Parley's wire audio format: 24 kHz mono PCM16. */
export const WIRE_SAMPLE_RATE = 24000;

/** Samples per 20 ms frame at 24 kHz. */
export const FRAME_SAMPLES = 480;

/**
 * Reads a WAV file (any rate, channel count or bit depth wavefile understands) as 24 kHz mono PCM16
 * samples: channels are averaged, the rate converted (wavefile's resampler).
 */
export function readWavAs24kMono(path: string): Int16Array {
  const wav = new WaveFile(readFileSync(path));
  const fmt = wav.fmt as { numChannels: number; sampleRate: number };
  if (wav.bitDepth !== '16') wav.toBitDepth('16');
  if (fmt.sampleRate !== WIRE_SAMPLE_RATE) wav.toSampleRate(WIRE_SAMPLE_RATE);
  const channels = wav.getSamples(false, Int16Array) as unknown as Int16Array | Int16Array[];
  if (!Array.isArray(channels)) return channels;
  if (channels.length === 1) return channels[0] as Int16Array;
  const length = (channels[0] as Int16Array).length;
  const mono = new Int16Array(length);
  for (let i = 0; i < length; i += 1) {
    let sum = 0;
    for (const channel of channels) sum += channel[i] as number;
    mono[i] = Math.round(sum / channels.length);
  }
  return mono;
}

/** Splits samples into base64 20 ms frames (the last one zero-padded to a whole frame). */
export function toBase64Frames(samples: Int16Array, frameSamples: number = FRAME_SAMPLES): string[] {
  const frames: string[] = [];
  for (let start = 0; start < samples.length; start += frameSamples) {
    const frame = new Int16Array(frameSamples);
    frame.set(samples.subarray(start, Math.min(start + frameSamples, samples.length)));
    frames.push(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString('base64'));
  }
  return frames;
}

/** One chunk of assistant audio as received. */
export interface AudioChunk {
  data: Buffer;
  sampleRate: number;
  numChannels: number;
}

/**
 * Collects assistant audio and writes it as a 24 kHz mono PCM16 WAV. Chunks already in that format
 * are written byte for byte; others are converted (channels averaged, rate converted).
 */
export class WavCollector {
  private readonly chunks: AudioChunk[] = [];

  /** Adds one base64 chunk. */
  add(base64: string, sampleRate: number, numChannels: number): void {
    this.chunks.push({ data: Buffer.from(base64, 'base64'), sampleRate, numChannels });
  }

  /** Bytes collected (before conversion). */
  get byteLength(): number {
    return this.chunks.reduce((total, chunk) => total + chunk.data.length, 0);
  }

  /** Writes the WAV file. */
  write(path: string): void {
    const parts = this.chunks.map((chunk) => toWireSamples(chunk));
    const total = parts.reduce((sum, part) => sum + part.length, 0);
    const samples = new Int16Array(total);
    let offset = 0;
    for (const part of parts) {
      samples.set(part, offset);
      offset += part.length;
    }
    const wav = new WaveFile();
    wav.fromScratch(1, WIRE_SAMPLE_RATE, '16', samples);
    writeFileSync(path, wav.toBuffer());
  }
}

function toWireSamples(chunk: AudioChunk): Int16Array {
  const even = chunk.data.length - (chunk.data.length % 2);
  const pcm = new Int16Array(even / 2);
  for (let i = 0; i < pcm.length; i += 1) pcm[i] = chunk.data.readInt16LE(i * 2);
  if (chunk.sampleRate === WIRE_SAMPLE_RATE && chunk.numChannels === 1) return pcm;
  const channels = Math.max(1, chunk.numChannels);
  const frames = Math.floor(pcm.length / channels);
  const mono = new Int16Array(frames);
  for (let i = 0; i < frames; i += 1) {
    let sum = 0;
    for (let c = 0; c < channels; c += 1) sum += pcm[i * channels + c] as number;
    mono[i] = Math.round(sum / channels);
  }
  if (chunk.sampleRate === WIRE_SAMPLE_RATE || mono.length === 0) return mono;
  const wav = new WaveFile();
  wav.fromScratch(1, chunk.sampleRate, '16', mono);
  wav.toSampleRate(WIRE_SAMPLE_RATE);
  return wav.getSamples(false, Int16Array) as unknown as Int16Array;
}
