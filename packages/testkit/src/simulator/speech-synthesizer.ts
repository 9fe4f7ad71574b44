/** Sample rate of every simulated audio stream (Hz): PCM16 mono, as the realtime APIs use. */
export const SIMULATOR_SAMPLE_RATE = 24000;
/** Duration of one audio frame the simulator streams (ms). */
export const SIMULATOR_FRAME_MS = 20;
/** Samples in one 20 ms frame at 24 kHz. */
export const SIMULATOR_FRAME_SAMPLES = (SIMULATOR_SAMPLE_RATE * SIMULATOR_FRAME_MS) / 1000;
/** Bytes in one 20 ms PCM16 mono frame (960). */
export const SIMULATOR_FRAME_BYTES = SIMULATOR_FRAME_SAMPLES * 2;

/** One synthetic syllable: fundamental frequency, length in frames. */
interface SyllableShape {
  f0: number;
  frames: number;
}

// Eight syllable shapes (pitch and length vary like a speaking voice); a word picks its syllables
// from its letters, so the same text always sounds the same.
const SYLLABLES: readonly SyllableShape[] = [
  { f0: 120, frames: 8 },
  { f0: 135, frames: 9 },
  { f0: 150, frames: 10 },
  { f0: 165, frames: 11 },
  { f0: 180, frames: 9 },
  { f0: 200, frames: 8 },
  { f0: 140, frames: 10 },
  { f0: 170, frames: 12 },
];
// Relative amplitudes of the first harmonics (a vowel-like spectrum).
const HARMONICS = [1, 0.55, 0.35, 0.2, 0.12];
const PEAK = 9000;
const MAX_SYLLABLES_PER_WORD = 4;
const WORD_CACHE_LIMIT = 4096;

/** A frame in both forms: raw PCM16 bytes and the base64 text the wire carries. */
interface Frame {
  pcm: Buffer;
  base64: string;
}

let syllableFrames: Frame[][] | undefined;
let silentFrame: Frame | undefined;
/** A word's frames, kept in both forms so neither is rebuilt per use. */
interface WordAudio {
  pcm: readonly Buffer[];
  base64: readonly string[];
}
const wordCache = new Map<string, WordAudio>();

function toFrame(pcm: Buffer): Frame {
  return { pcm, base64: pcm.toString('base64') };
}

/** Renders one syllable: a few harmonics of a gliding pitch under a raised-cosine envelope. */
function renderSyllable(shape: SyllableShape): Frame[] {
  const total = shape.frames * SIMULATOR_FRAME_SAMPLES;
  const attack = Math.floor(total * 0.2);
  const release = Math.floor(total * 0.3);
  const norm = HARMONICS.reduce((sum, amplitude) => sum + amplitude, 0);
  const pcm = Buffer.alloc(total * 2);
  let phase = 0;
  for (let n = 0; n < total; n += 1) {
    const progress = n / total;
    // The pitch falls by 12% over the syllable, as in a spoken stress pattern.
    const f0 = shape.f0 * (1 - 0.12 * progress);
    phase += (2 * Math.PI * f0) / SIMULATOR_SAMPLE_RATE;
    let envelope = 1;
    if (n < attack) envelope = 0.5 - 0.5 * Math.cos((Math.PI * n) / attack);
    else if (n >= total - release) envelope = 0.5 - 0.5 * Math.cos((Math.PI * (total - n)) / release);
    let sample = 0;
    for (let h = 0; h < HARMONICS.length; h += 1) sample += (HARMONICS[h] as number) * Math.sin((h + 1) * phase);
    pcm.writeInt16LE(Math.round((PEAK * envelope * sample) / norm), n * 2);
  }
  const frames: Frame[] = [];
  for (let f = 0; f < shape.frames; f += 1) {
    frames.push(toFrame(pcm.subarray(f * SIMULATOR_FRAME_BYTES, (f + 1) * SIMULATOR_FRAME_BYTES)));
  }
  return frames;
}

function bank(): Frame[][] {
  syllableFrames ??= SYLLABLES.map(renderSyllable);
  return syllableFrames;
}

function silence(): Frame {
  silentFrame ??= toFrame(Buffer.alloc(SIMULATOR_FRAME_BYTES));
  return silentFrame;
}

/** Number of syllables of a word: its vowel groups, 1 to 4. */
function syllableCount(word: string): number {
  const groups = word.toLowerCase().match(/[aeiouy]+/g)?.length ?? 0;
  return Math.min(MAX_SYLLABLES_PER_WORD, Math.max(1, groups));
}

function hashWord(word: string): number {
  let hash = 7;
  for (let i = 0; i < word.length; i += 1) hash = (hash * 31 + word.charCodeAt(i)) >>> 0;
  return hash;
}

/** The frames of one word: its syllables, then one silent frame (the gap before the next word). */
function wordFrames(word: string): WordAudio {
  const cached = wordCache.get(word);
  if (cached !== undefined) return cached;
  const syllables = bank();
  const hash = hashWord(word);
  const frames: Frame[] = [];
  for (let s = 0; s < syllableCount(word); s += 1) frames.push(...(syllables[(hash + s) % syllables.length] as Frame[]));
  frames.push(silence());
  const audio: WordAudio = { pcm: frames.map((frame) => frame.pcm), base64: frames.map((frame) => frame.base64) };
  if (wordCache.size >= WORD_CACHE_LIMIT) wordCache.clear();
  wordCache.set(word, audio);
  return audio;
}

/** Splits text into the words the simulator speaks and streams (whitespace-separated, non-empty). */
export function speechWords(text: string): string[] {
  return text.split(/\s+/).filter((word) => word.length > 0);
}

/**
 * The synthetic speech for one word as 20 ms frames of PCM16 24 kHz mono, base64-encoded
 * (960 bytes each). Deterministic; cached per word, so streaming costs no synthesis after the
 * first use of a word. The returned array is shared: do not modify it.
 */
export function wordSpeechFrames(word: string): readonly string[] {
  return wordFrames(word).base64;
}

/** The synthetic speech for one word as 20 ms PCM16 24 kHz mono frames (shared: do not modify). */
export function wordSpeechPcm(word: string): readonly Buffer[] {
  return wordFrames(word).pcm;
}

/**
 * Speech-like PCM16 24 kHz mono audio for `text` (the frames of its words, in order), optionally
 * followed by `trailingSilenceMs` of silence. Use it as microphone input in tests: the energy VAD
 * detects it as one utterance.
 */
export function synthesizeSpeech(text: string, trailingSilenceMs = 0): Buffer {
  const parts: Buffer[] = [];
  for (const word of speechWords(text)) parts.push(...wordFrames(word).pcm);
  parts.push(silenceAudio(trailingSilenceMs));
  return Buffer.concat(parts);
}

/** `ms` milliseconds of PCM16 24 kHz mono silence (rounded down to whole samples). */
export function silenceAudio(ms: number): Buffer {
  return Buffer.alloc(Math.floor((Math.max(0, ms) * SIMULATOR_SAMPLE_RATE) / 1000) * 2);
}

/** Splits PCM16 audio into chunks of `frameMs` (default 20 ms), e.g. to send as microphone frames. */
export function splitAudio(pcm: Buffer, frameMs = SIMULATOR_FRAME_MS): Buffer[] {
  const size = Math.max(2, Math.floor((frameMs * SIMULATOR_SAMPLE_RATE) / 1000) * 2);
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < pcm.length; offset += size) chunks.push(pcm.subarray(offset, offset + size));
  return chunks;
}
