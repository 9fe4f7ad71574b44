import { readFileSync } from 'node:fs';
import { runCli, runConnect, type ConnectOptions } from '@parley/cli';

/** An interruption that never comes (for `runConnect`'s `interrupted`). */
export const NEVER = new Promise<void>(() => undefined);

/** What a CLI run printed, and its exit code. */
export interface CapturedRun {
  code: number;
  out: string;
  err: string;
}

/** Waits `ms` real milliseconds (process lifetimes only, never protocol timing). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether process `pid` exists and is not a zombie (Linux `/proc`). */
export function processAlive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Runs `parley connect` in process (log level silent unless given, empty environment), capturing its output. */
export async function connectCaptured(options: ConnectOptions): Promise<CapturedRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runConnect(
    { logLevel: 'silent', ...options },
    { output: { out: (text) => out.push(text), err: (text) => err.push(text) }, env: {}, interrupted: NEVER },
  );
  return { code, out: out.join(''), err: err.join('') };
}

/** Runs the `parley` command line in process, capturing its output. */
export async function runCliCaptured(args: string[]): Promise<CapturedRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join(''), err: err.join('') };
}
