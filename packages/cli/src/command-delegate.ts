import { spawn } from 'node:child_process';
import type { Delegation, DelegationTurn, HandoffDelegate, Logger } from '@parley/core';

/** Options of {@link CommandDelegate}. */
export interface CommandDelegateOptions {
  /** The shell command run for each delegation. */
  command: string;
  /** How long one delegation may run before it is killed (ms, default 60000). */
  timeoutMs?: number;
  /** Where failures are logged. */
  logger: Logger;
}

/**
 * A {@link HandoffDelegate} that runs a command-line program for each delegation (`--delegate-cmd`).
 * The routed text is written to its stdin (followed by a newline; stdin stays open and each steering
 * text is written as one more line); it also gets `PARLEY_HANDOFF_ID` and `PARLEY_TEXT` in its
 * environment. Every non-empty stdout line is one assistant message. Its exit finishes the turn; a
 * non-zero exit or the timeout finishes it with `The background agent failed: …` (via the core).
 */
export class CommandDelegate implements HandoffDelegate {
  constructor(private readonly options: CommandDelegateOptions) {}

  delegate(delegation: Delegation, turn: DelegationTurn): Promise<void> {
    const timeoutMs = this.options.timeoutMs ?? 60000;
    return new Promise<void>((resolve, reject) => {
      const child = spawn(this.options.command, {
        shell: true,
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, PARLEY_HANDOFF_ID: delegation.handoffId, PARLEY_TEXT: delegation.text },
      });
      let stderr = '';
      let pending = '';
      let outputs: Promise<void> = Promise.resolve();
      const emit = (line: string): void => {
        const text = line.replace(/\r$/, '');
        if (text.trim() === '') return;
        outputs = outputs.then(() => turn.output(text));
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the delegate command timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const stop = (): void => {
        child.kill('SIGTERM');
      };
      turn.signal.addEventListener('abort', stop, { once: true });
      turn.onSteering((steering) => {
        if (child.stdin.writable) child.stdin.write(`${steering.text.replace(/\n/g, ' ')}\n`);
      });
      child.stdin.on('error', () => undefined);
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) emit(line);
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        if (stderr.length < 2000) stderr += chunk;
      });
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        turn.signal.removeEventListener('abort', stop);
        if (pending !== '') emit(pending);
        void outputs.then(() => {
          if (code === 0) resolve();
          else {
            const detail = stderr.trim().split('\n').slice(-1)[0] ?? '';
            reject(new Error(`the delegate command exited with ${code ?? signal}${detail ? `: ${detail}` : ''}`));
          }
        });
      });
      child.stdin.write(`${delegation.text}\n`);
    });
  }
}
