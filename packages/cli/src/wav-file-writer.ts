import { closeSync, openSync, writeSync } from 'node:fs';
import { toWireSamples, WIRE_SAMPLE_RATE, type AudioChunk } from './wav-audio.js';

const HEADER_BYTES = 44;

function header(dataBytes: number): Buffer {
  const bytes = Buffer.alloc(HEADER_BYTES);
  bytes.write('RIFF', 0, 'latin1');
  bytes.writeUInt32LE(36 + dataBytes, 4);
  bytes.write('WAVE', 8, 'latin1');
  bytes.write('fmt ', 12, 'latin1');
  bytes.writeUInt32LE(16, 16);
  bytes.writeUInt16LE(1, 20); // PCM
  bytes.writeUInt16LE(1, 22); // mono
  bytes.writeUInt32LE(WIRE_SAMPLE_RATE, 24);
  bytes.writeUInt32LE(WIRE_SAMPLE_RATE * 2, 28);
  bytes.writeUInt16LE(2, 32);
  bytes.writeUInt16LE(16, 34);
  bytes.write('data', 36, 'latin1');
  bytes.writeUInt32LE(dataBytes, 40);
  return bytes;
}

/**
 * Writes assistant audio to a 24 kHz mono PCM16 WAV file as it arrives (`parley connect --out`).
 * The file is created (truncated) by the constructor, which throws if it cannot be; every chunk is
 * appended at once and the header's sizes are brought up to date after each one, so the file is a
 * valid WAV at every moment and an interrupted session keeps what arrived.
 */
export class WavFileWriter {
  private fd: number | undefined;
  private dataBytes = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
    writeSync(this.fd, header(0), 0, HEADER_BYTES, 0);
  }

  /** Bytes of audio written so far. */
  get byteLength(): number {
    return this.dataBytes;
  }

  /** Appends one chunk (converted to 24 kHz mono PCM16 when it is not already). */
  add(base64: string, sampleRate: number, numChannels: number): void {
    if (this.fd === undefined) return;
    const chunk: AudioChunk = { data: Buffer.from(base64, 'base64'), sampleRate, numChannels };
    const samples = toWireSamples(chunk);
    if (samples.length === 0) return;
    const bytes = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
    writeSync(this.fd, bytes, 0, bytes.length, HEADER_BYTES + this.dataBytes);
    this.dataBytes += bytes.length;
    const sizes = header(this.dataBytes);
    writeSync(this.fd, sizes, 4, 4, 4);
    writeSync(this.fd, sizes, 40, 4, 40);
  }

  /** Closes the file (its header is already complete). Idempotent. */
  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}
