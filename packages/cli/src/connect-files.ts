import { closeSync, openSync, readFileSync } from 'node:fs';
import { UsageError } from './usage-error.js';
import { readWavAs24kMono, WavInputError } from './wav-audio.js';
import { WavFileWriter } from './wav-file-writer.js';

/** The file options of `parley connect`. */
export interface ConnectFileOptions {
  in?: string;
  out?: string;
  record?: string;
  config?: string[];
}

/** What the checked file options give: the input audio and the open `--out` writer. */
export interface ConnectFiles {
  /** `--in` as 24 kHz mono PCM16 samples. */
  input?: Int16Array;
  /** `--out`, created and ready for audio. */
  out?: WavFileWriter;
}

function problem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a folder';
  if (code === 'ENOTDIR') return 'a part of the path is not a folder';
  return error instanceof Error ? error.message : String(error);
}

function checkWritable(flag: string, path: string): void {
  try {
    closeSync(openSync(path, 'w'));
  } catch (error) {
    throw new UsageError(`${flag} ${path}: cannot be written (${problem(error)})`);
  }
}

/** Checks `--config` files: each must be readable and hold one JSON object (a usage error names the file). */
export function checkConfigFiles(files: readonly string[]): void {
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--config ${file}: cannot be read (${problem(error)})`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`--config ${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new UsageError(`--config ${file}: a config file holds one JSON object`);
    }
  }
}

/**
 * Checks every file option before anything connects, so a bad file is a usage error (exit 2) that
 * names the option, the file and the problem: `--config` files must be readable JSON objects, `--in`
 * a WAV file Parley can decode (read whole here), `--out` and `--record` writable (both are created
 * now; `--out` stays open and is written as audio arrives).
 */
export function checkConnectFiles(options: ConnectFileOptions): ConnectFiles {
  checkConfigFiles(options.config ?? []);
  const files: ConnectFiles = {};
  if (options.in !== undefined) {
    try {
      files.input = readWavAs24kMono(options.in);
    } catch (error) {
      if (error instanceof WavInputError) throw new UsageError(`--in ${options.in}: ${error.message}`);
      throw error;
    }
  }
  if (options.record !== undefined) checkWritable('--record', options.record);
  if (options.out !== undefined) {
    try {
      files.out = new WavFileWriter(options.out);
    } catch (error) {
      throw new UsageError(`--out ${options.out}: cannot be written (${problem(error)})`);
    }
  }
  return files;
}
