import type { AudioFrame, ConversationManager } from '@parley/core';
import { FRAME_SAMPLES, toBase64Frames, WIRE_SAMPLE_RATE } from './wav-audio.js';
import { waitOrStop } from './wait-or-stop.js';

/** Trailing silence sent after `--in` (ms): longer than any server VAD's default silence window. */
export const TRAILING_SILENCE_MS = 1500;

/** How {@link streamAudioInput} is stopped and observed. */
export interface AudioInputControl {
  /** Checked before every frame: true stops the input at once (no more frames are sent). */
  stopped(): boolean;
  /** Settles on a stop request, cutting a wait between frames short. */
  stop: Promise<unknown>;
  /** Called for each frame sent. */
  sent?(frame: AudioFrame): void;
  /** Trailing silence after the samples (ms, default {@link TRAILING_SILENCE_MS}). */
  trailingSilenceMs?: number;
}

/**
 * Streams samples (24 kHz mono PCM16) as 20 ms frames in real time, then `trailingSilenceMs` of
 * silence so that the server's VAD sees the turn end (a recording that stops right at the end of
 * speech would otherwise never get an answer). Stops before the next frame once `stopped()`.
 * Resolves with the number of frames sent.
 */
export async function streamAudioInput(manager: ConversationManager, samples: Int16Array, control: AudioInputControl): Promise<number> {
  const silenceFrames = Math.ceil((control.trailingSilenceMs ?? TRAILING_SILENCE_MS) / 20);
  const padded = new Int16Array(Math.ceil(samples.length / FRAME_SAMPLES) * FRAME_SAMPLES + silenceFrames * FRAME_SAMPLES);
  padded.set(samples);
  const frames = toBase64Frames(padded);
  const frameMs = (FRAME_SAMPLES * 1000) / WIRE_SAMPLE_RATE;
  const begin = Date.now();
  let sent = 0;
  for (const [index, data] of frames.entries()) {
    if (control.stopped()) break;
    const frame: AudioFrame = { data, sampleRate: WIRE_SAMPLE_RATE, numChannels: 1, samplesPerChannel: FRAME_SAMPLES };
    control.sent?.(frame);
    manager.sendAudio(frame);
    sent += 1;
    const wait = begin + (index + 1) * frameMs - Date.now();
    if (wait > 0 && (await waitOrStop(wait, control.stop)) === 'stopped') break;
  }
  return sent;
}
