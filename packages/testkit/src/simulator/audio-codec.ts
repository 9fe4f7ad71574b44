import alawmulaw from 'alawmulaw';
import { SIMULATOR_SAMPLE_RATE, wordSpeechPcm } from './speech-synthesizer.js';

/** A G.711 companding law: μ-law (`audio/pcmu`) or A-law (`audio/pcma`). */
export type G711Law = 'mulaw' | 'alaw';

/** Sample rate of G.711 audio (Hz). */
export const G711_SAMPLE_RATE = 8000;
const FACTOR = SIMULATOR_SAMPLE_RATE / G711_SAMPLE_RATE;

/**
 * G.711 bytes (8 kHz) → PCM16 24 kHz mono, each decoded sample repeated three times (the
 * simulator's VAD works at 24 kHz; a sample-and-hold upsampling is enough to measure energy).
 * Codec: the `alawmulaw` package.
 */
export function g711ToPcm24k(bytes: Buffer, law: G711Law): Buffer {
  const decoded = alawmulaw[law].decode(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  const pcm = Buffer.alloc(decoded.length * FACTOR * 2);
  for (let i = 0; i < decoded.length; i += 1) {
    const sample = decoded[i] as number;
    for (let k = 0; k < FACTOR; k += 1) pcm.writeInt16LE(sample, (i * FACTOR + k) * 2);
  }
  return pcm;
}

/**
 * PCM16 24 kHz mono → G.711 bytes at 8 kHz: the mean of each three samples (a crude low-pass
 * before decimation), then companded with the `alawmulaw` package.
 */
export function pcm24kToG711(pcm: Buffer, law: G711Law): Buffer {
  const count = Math.floor(pcm.length / 2 / FACTOR);
  const samples = new Int16Array(count);
  for (let i = 0; i < count; i += 1) {
    let sum = 0;
    for (let k = 0; k < FACTOR; k += 1) sum += pcm.readInt16LE((i * FACTOR + k) * 2);
    samples[i] = Math.round(sum / FACTOR);
  }
  return Buffer.from(alawmulaw[law].encode(samples));
}

const g711Cache: Record<G711Law, Map<string, readonly string[]>> = { mulaw: new Map(), alaw: new Map() };
const G711_CACHE_LIMIT = 4096;

/**
 * A word's synthetic speech as base64 20 ms frames in `law` (160 bytes each at 8 kHz): the PCM
 * frames of {@link wordSpeechPcm}, converted once and cached per word.
 */
export function wordSpeechFramesG711(word: string, law: G711Law): readonly string[] {
  const cache = g711Cache[law];
  const cached = cache.get(word);
  if (cached !== undefined) return cached;
  const frames = wordSpeechPcm(word).map((pcm) => pcm24kToG711(pcm, law).toString('base64'));
  if (cache.size >= G711_CACHE_LIMIT) cache.clear();
  cache.set(word, frames);
  return frames;
}
