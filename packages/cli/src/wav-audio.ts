import { readFileSync } from 'node:fs';
import wavefile from 'wavefile';

const { WaveFile } = wavefile;

/** Parley's wire audio format: 24 kHz mono PCM16. */
export const WIRE_SAMPLE_RATE = 24000;

/** Samples per 20 ms frame at 24 kHz. */
export const FRAME_SAMPLES = 480;

/** A WAV file that cannot be used as input: the message says what is wrong (without the path). */
export class WavInputError extends Error {
  override readonly name = 'WavInputError';
}

/** WAV `audioFormat` codes. */
const PCM = 1;
const IEEE_FLOAT = 3;
const A_LAW = 6;
const MU_LAW = 7;
const EXTENSIBLE = 0xfffe;
const ADPCM_FORMATS: Record<number, string> = { 2: 'Microsoft ADPCM', 17: 'IMA ADPCM' };

function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new WavInputError('no such file');
    if (code === 'EISDIR') throw new WavInputError('is a folder, not a WAV file');
    if (code === 'EACCES' || code === 'EPERM') throw new WavInputError('cannot be read (permission denied)');
    throw new WavInputError(`cannot be read (${code ?? String(error)})`);
  }
}

function describeNonWav(bytes: Buffer): string {
  const magic = bytes.subarray(0, 4).toString('latin1');
  if (magic === 'fLaC') return 'is a FLAC file, not a WAV file (convert it, e.g. `sox in.flac out.wav`)';
  if (magic.startsWith('ID3') || (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0)) return 'is an MP3 file, not a WAV file';
  if (magic === 'OggS') return 'is an Ogg file, not a WAV file';
  return 'is not a WAV file (no RIFF/WAVE header)';
}

/**
 * Reads and checks a WAV file and returns it as 24 kHz mono PCM16 samples: PCM of any bit depth,
 * IEEE float, μ-law and A-law (decoded with wavefile's G.711 codecs); channels are averaged and the
 * rate converted (wavefile's resampler). Throws {@link WavInputError} saying what is wrong for a
 * missing, empty, non-WAV, truncated, ADPCM or otherwise unsupported file, or one with no audio.
 */
export function readWavAs24kMono(path: string): Int16Array {
  const bytes = readBytes(path);
  if (bytes.length === 0) throw new WavInputError('is empty (0 bytes)');
  const magic = bytes.subarray(0, 4).toString('latin1');
  if (!['RIFF', 'RIFX', 'RF64'].includes(magic) || bytes.subarray(8, 12).toString('latin1') !== 'WAVE') {
    throw new WavInputError(describeNonWav(bytes));
  }
  const wav = new WaveFile();
  try {
    wav.fromBuffer(bytes);
  } catch (error) {
    throw new WavInputError(`is not a readable WAV file (${error instanceof Error ? error.message : String(error)})`);
  }
  const fmt = wav.fmt as { audioFormat: number; numChannels: number; sampleRate: number };
  const data = wav.data as { chunkSize: number; samples: Uint8Array };
  const adpcm = ADPCM_FORMATS[fmt.audioFormat];
  if (adpcm !== undefined)
    throw new WavInputError(`is ${adpcm}, which is not supported: convert it to PCM (e.g. \`sox in.wav -e signed-integer out.wav\`)`);
  if (![PCM, IEEE_FLOAT, A_LAW, MU_LAW, EXTENSIBLE].includes(fmt.audioFormat)) {
    throw new WavInputError(`uses WAV audio format ${fmt.audioFormat}, which is not supported: use PCM, float, μ-law or A-law`);
  }
  if (!(fmt.sampleRate > 0) || !(fmt.numChannels > 0)) throw new WavInputError('has an invalid format chunk (no sample rate or channels)');
  if (data.samples.length < data.chunkSize) {
    throw new WavInputError(`is truncated: its data chunk declares ${data.chunkSize} bytes but the file holds ${data.samples.length}`);
  }
  if (data.samples.length === 0) throw new WavInputError('holds no audio (its data chunk is empty)');
  try {
    if (fmt.audioFormat === MU_LAW) wav.fromMuLaw('16');
    else if (fmt.audioFormat === A_LAW) wav.fromALaw('16');
    else if (wav.bitDepth !== '16') wav.toBitDepth('16');
    if (fmt.sampleRate !== WIRE_SAMPLE_RATE) wav.toSampleRate(WIRE_SAMPLE_RATE);
  } catch (error) {
    throw new WavInputError(`cannot be converted (${error instanceof Error ? error.message : String(error)})`);
  }
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
 * Converts one chunk of PCM16 audio to 24 kHz mono PCM16 samples: chunks already in that format are
 * taken byte for byte; others are converted (channels averaged, rate converted with wavefile).
 */
export function toWireSamples(chunk: AudioChunk): Int16Array {
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
