import type { AudioFormat } from './parley-config.js';

/** Sample rate of an audio format: 24000 for `pcm16`, 8000 for G.711 (`pcmu`, `pcma`). */
export function audioFormatSampleRate(format: AudioFormat): number {
  return format === 'pcm16' ? 24000 : 8000;
}

/** Bytes per sample of an audio format: 2 for `pcm16`, 1 for G.711 (`pcmu`, `pcma`). */
export function audioFormatBytesPerSample(format: AudioFormat): number {
  return format === 'pcm16' ? 2 : 1;
}
