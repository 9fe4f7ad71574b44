import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wavefile from 'wavefile';
import { silenceAudio, synthesizeSpeech } from '@parley/testkit';

/** The committed `parley` bin shim, as npm links it. */
export const PARLEY_BIN = fileURLToPath(new URL('../../../packages/cli/bin/parley.js', import.meta.url));

/** The repository root (where `npx parley` resolves the workspace's bin). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** How a spawned process ended, and when (ms since the epoch). */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

/** A running `parley` process with its output gathered. */
export class CliProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => (this.stdout += chunk));
    child.stderr?.on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  }

  /** Resolves with the first match of `pattern` in stdout; rejects after `timeoutMs`. */
  async waitForOutput(pattern: RegExp, timeoutMs = 10000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.stdout);
      if (match !== null) return match;
      if (Date.now() > deadline)
        throw new Error(`no ${String(pattern)} in stdout after ${timeoutMs} ms:\n${this.stdout}\nstderr:\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Kills the process if it still runs (test cleanup). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** The environment for a spawned CLI: this process's, without an API key or Parley settings. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'OPENAI_API_KEY' || key.startsWith('PARLEY_')) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Spawns `node bin/parley.js <args>` (the bin shim as npm links it). */
export function spawnParley(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): CliProcess {
  return new CliProcess(
    spawn(process.execPath, [PARLEY_BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: cleanEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/** Writes 24 kHz mono PCM16 samples as a WAV file. */
export function writeWav(path: string, pcm: Buffer, sampleRate = 24000): void {
  const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, sampleRate, '16', samples);
  writeFileSync(path, wav.toBuffer());
}

/** Writes a WAV of simulated speech that ends right at the end of speech (as `espeak-ng` makes them). */
export function writeSpeechWav(path: string, text = 'hello there'): void {
  writeWav(path, synthesizeSpeech(text, 0));
}

/** Writes `seconds` of simulated speech followed by silence, long enough for any test of interruption. */
export function writeLongWav(path: string, seconds: number): void {
  const speech = synthesizeSpeech('a long recorded question that keeps going', 0);
  const parts: Buffer[] = [];
  let length = 0;
  while (length < seconds * 48000) {
    parts.push(speech, silenceAudio(200));
    length += speech.length + 9600;
  }
  writeWav(path, Buffer.concat(parts).subarray(0, seconds * 48000));
}

/** Reads a WAV's header sizes and its data length, to check it is complete and consistent. */
export function wavSizes(bytes: Buffer): { riff: number; data: number; actual: number } {
  return { riff: bytes.readUInt32LE(4), data: bytes.readUInt32LE(40), actual: bytes.length - 44 };
}
