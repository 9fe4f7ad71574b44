import type { AudioFrame } from './protocol-strategy.js';
import { ParleyError } from './parley-error.js';
import type { AudioFormat } from './parley-config.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Scratch space for {@link isBase64}: decoding into it allocates nothing (frames up to 48 KiB). */
const SCRATCH = Buffer.allocUnsafe(48 * 1024);

/**
 * True when `data` is standard, padded base64 (length a multiple of 4). The hot path for audio
 * frames: Node's decoder skips characters that are not base64 and stops at the first `=`, so a
 * malformed string decodes to fewer bytes than its length promises; base64url's `-` and `_`, which
 * Node accepts, are refused explicitly. Larger data falls back to a regular expression.
 */
export function isBase64(data: string): boolean {
  if (data.length % 4 !== 0) return false;
  const expected = base64ByteLength(data);
  if (expected > SCRATCH.length) return BASE64.test(data);
  if (data.indexOf('-') !== -1 || data.indexOf('_') !== -1) return false;
  return SCRATCH.write(data, 0, 'base64') === expected && BASE64_TAIL.test(data.slice(-4));
}

/** The last quantum: base64 characters, then at most two `=` (no `=` before a data character). */
const BASE64_TAIL = /^[A-Za-z0-9+/]{2}[A-Za-z0-9+/=]{2}$|^$/;

/** Decoded byte length of valid base64 `data` (no decoding). */
export function base64ByteLength(data: string): number {
  let padding = 0;
  if (data.endsWith('==')) padding = 2;
  else if (data.endsWith('=')) padding = 1;
  return (data.length / 4) * 3 - padding;
}

/**
 * Checks an audio frame in the session's `format` (default `pcm16`): `data` must be non-empty
 * base64; for `pcm16` of whole 16-bit samples (even byte length); G.711 (`pcmu`, `pcma`) has one
 * byte per sample, so any non-empty length is whole samples. Throws `ERR_INVALID_AUDIO` naming the field.
 */
export function validateAudioFrame(frame: AudioFrame, format: AudioFormat = 'pcm16'): void {
  const what = format === 'pcm16' ? 'PCM16' : `G.711 (${format})`;
  if (typeof frame !== 'object' || frame === null) {
    throw new ParleyError(
      'ERR_INVALID_AUDIO',
      `sendAudio: pass an object { data: base64 ${what}, sampleRate?, numChannels?, samplesPerChannel? }`,
    );
  }
  const data: unknown = frame.data;
  if (typeof data !== 'string') {
    throw new ParleyError(
      'ERR_INVALID_AUDIO',
      `sendAudio: data must be a base64 string of ${what} audio (got ${data === null ? 'null' : typeof data})`,
    );
  }
  if (data.length === 0) {
    throw new ParleyError('ERR_INVALID_AUDIO', `sendAudio: data is empty; pass base64-encoded ${what} audio`);
  }
  if (!isBase64(data)) {
    throw new ParleyError('ERR_INVALID_AUDIO', `sendAudio: data is not valid base64; encode the ${what} bytes with base64`);
  }
  if (format === 'pcm16' && base64ByteLength(data) % 2 !== 0) {
    throw new ParleyError('ERR_INVALID_AUDIO', 'sendAudio: data has an odd byte length; PCM16 audio is whole 16-bit samples');
  }
  for (const key of ['sampleRate', 'numChannels', 'samplesPerChannel'] as const) {
    const value: unknown = frame[key];
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)) {
      throw new ParleyError('ERR_INVALID_AUDIO', `sendAudio: ${key} must be a positive integer when given`);
    }
  }
}

/**
 * A plain copy of an audio frame, each known field read exactly once (`data`, `sampleRate`,
 * `numChannels`, `samplesPerChannel`, `itemId`; absent ones left out), so what is validated is what
 * is encoded. A value that is not an object is returned as it is (validation refuses it).
 */
export function snapshotAudioFrame(frame: AudioFrame): AudioFrame {
  if (typeof frame !== 'object' || frame === null) return frame;
  const snapshot: Record<string, unknown> = {};
  for (const key of ['data', 'sampleRate', 'numChannels', 'samplesPerChannel', 'itemId'] as const) {
    const value: unknown = frame[key];
    if (value !== undefined) snapshot[key] = value;
  }
  return snapshot as unknown as AudioFrame;
}

/** Checks user text or assistant output: a string of at most `maxChars` characters. */
export function validateText(text: string, maxChars: number, what: string): void {
  if (typeof text !== 'string') throw new ParleyError('ERR_INVALID_TEXT', `${what} must be a string`);
  if (text.length > maxChars) {
    throw new ParleyError(
      'ERR_INVALID_TEXT',
      `${what} is ${text.length} characters, over the maximum of ${maxChars} (realtime.text.maxChars): split it or raise the limit`,
    );
  }
}
