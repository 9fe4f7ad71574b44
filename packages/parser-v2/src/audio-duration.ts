import type { AudioOutEvent } from '@parley/core';

const EQUALS = 61; // '='

/**
 * The number of bytes `base64` decodes to, computed from its length and padding without decoding
 * (standard or URL-safe alphabet, padded or not, no whitespace).
 */
export function base64DecodedLength(base64: string): number {
  let length = base64.length;
  if (length > 0 && base64.charCodeAt(length - 1) === EQUALS) {
    length -= 1;
    if (length > 0 && base64.charCodeAt(length - 1) === EQUALS) length -= 1;
  }
  return Math.floor((length * 3) / 4);
}

/**
 * Playing time of an `audioOut` frame in whole milliseconds (spec 03, barge-in):
 * floor(samples × 1000 / sampleRate), where samples = `samplesPerChannel` when given, else the
 * decoded byte length / `bytesPerSample` (2 for `pcm16`, the default; 1 for G.711) / `numChannels`.
 * 0 for a non-positive rate or channel count.
 */
export function audioDurationMs(event: AudioOutEvent, bytesPerSample: number = 2): number {
  if (!(event.sampleRate > 0) || !(event.numChannels > 0)) return 0;
  if (event.samplesPerChannel !== undefined) return Math.floor((event.samplesPerChannel * 1000) / event.sampleRate);
  return Math.floor((base64DecodedLength(event.data) * 1000) / (bytesPerSample * event.numChannels * event.sampleRate));
}
