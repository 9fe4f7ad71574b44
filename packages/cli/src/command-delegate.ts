import type { ChildProcess } from 'node:child_process';
import type { Delegation, DelegationTurn, HandoffDelegate, Logger } from '@parley/core';
import { ProcessGroups, signalProcessGroup, spawnProcessGroup, stopProcessGroup } from './process-group.js';

/**
 * How a delegate command's stdin and stdout are framed.
 * - `plain`: the routed text, then a newline (the text may itself span lines); each steering text
 *   as one more line (its newlines replaced by spaces); every non-empty stdout line is a message.
 * - `json`: one JSON object per line on stdin — `{"type":"delegation","handoffId","text","transcript"}`,
 *   then `{"type":"steering","handoffId","text"}` per steering message; each stdout line is a JSON
 *   string or `{"text": "..."}` (so messages may span lines); other lines are taken as plain text.
 */
export type DelegateFormat = 'plain' | 'json';

/** The most characters of the routed text put into `PARLEY_TEXT` (the full text is on stdin). */
export const PARLEY_TEXT_MAX_CHARS = 4096;

/** Options of {@link CommandDelegate}. */
export interface CommandDelegateOptions {
  /** The shell command run for each delegation. */
  command: string;
  /** How long one delegation may run before it is killed (ms, default 60000). */
  timeoutMs?: number;
  /** How long a stopped command gets between SIGTERM and SIGKILL (ms, default 1000). */
  graceMs?: number;
  /** Stdin/stdout framing (default `plain`). */
  format?: DelegateFormat;
  /** A new delegation stops the commands still running for older ones (V1: a new handoff supersedes). */
  supersede?: boolean;
  /** Where failures are logged. */
  logger: Logger;
}

/** One running command: its process group and how to end its delegation quietly. */
interface Running {
  child: ChildProcess;
  /** Stops the command; the delegation then ends without a failure. */
  stop(): void;
  /** Set when a newer delegation superseded this one (V1). */
  superseded: boolean;
}

function frame(format: DelegateFormat, message: Record<string, unknown>, text: string, steering: boolean): string {
  if (format === 'json') return `${JSON.stringify(message)}\n`;
  return `${steering ? text.replace(/\r?\n/g, ' ') : text}\n`;
}

function parseLine(format: DelegateFormat, line: string): string {
  if (format !== 'json') return line;
  try {
    const value = JSON.parse(line) as unknown;
    if (typeof value === 'string') return value;
    if (typeof value === 'object' && value !== null && typeof (value as { text?: unknown }).text === 'string') {
      return (value as { text: string }).text;
    }
  } catch {
    // not JSON: taken as plain text
  }
  return line;
}

/**
 * A {@link HandoffDelegate} that runs a command-line program for each delegation (`--delegate-cmd`).
 * The routed text goes to its stdin (framed by {@link DelegateFormat}; stdin stays open for steering),
 * and to `PARLEY_TEXT` (at most {@link PARLEY_TEXT_MAX_CHARS} characters) with `PARLEY_HANDOFF_ID`.
 * Each command runs in its own process group, which is ended as a whole (SIGTERM, then SIGKILL after
 * the grace) when the conversation closes, when the command times out, and (with `supersede`) when a
 * newer delegation starts. Its exit 0 finishes the turn; a non-zero exit or the timeout finishes it
 * with `The background agent failed: …` (via the core); a command stopped by a close or a newer
 * delegation ends its turn quietly (no failure, no error log).
 */
export class CommandDelegate implements HandoffDelegate {
  private readonly running = new Set<Running>();
  /**
   * Superseded delegations whose commands are stopped but whose turns are not finished yet: V1
   * finishing a turn clears the active (newest) handoff, so they finish only after the newest one.
   */
  private held: (() => void)[] = [];
  /** The process groups of the running commands, killed if this process exits. */
  private readonly groups = new ProcessGroups();

  constructor(private readonly options: CommandDelegateOptions) {}

  /** Commands running now. */
  get runningCount(): number {
    return this.running.size;
  }

  /** Stops every running command (SIGTERM to each group, SIGKILL after the grace). */
  stopAll(): void {
    for (const running of [...this.running]) running.stop();
  }

  /** Finishes the superseded delegations held back (the newest one has finished). */
  private release(): void {
    const held = this.held;
    this.held = [];
    // After the newest turn's finish has gone through the core.
    setImmediate(() => held.forEach((resolve) => resolve()));
  }

  /** Kills every running command's group at once (SIGKILL); for process exit. */
  killAll(): void {
    this.groups.killAll();
  }

  delegate(delegation: Delegation, turn: DelegationTurn): Promise<void> {
    const timeoutMs = this.options.timeoutMs ?? 60000;
    const graceMs = this.options.graceMs ?? 1000;
    const format = this.options.format ?? 'plain';
    if (this.options.supersede) {
      for (const running of [...this.running]) {
        running.superseded = true;
        running.stop();
      }
    }
    return new Promise<void>((resolve, reject) => {
      const child = spawnProcessGroup(this.options.command, {
        PARLEY_HANDOFF_ID: delegation.handoffId,
        PARLEY_TEXT: delegation.text.slice(0, PARLEY_TEXT_MAX_CHARS),
      });
      let stderr = '';
      let pending = '';
      let outputs: Promise<void> = Promise.resolve();
      let stopped = false;
      let failure: Error | undefined;
      const emit = (line: string): void => {
        const text = parseLine(format, line.replace(/\r$/, ''));
        if (text.trim() === '' || stopped) return;
        outputs = outputs.then(() => turn.output(text));
      };
      const entry: Running = {
        child,
        superseded: false,
        stop: () => {
          if (stopped) return;
          stopped = true;
          this.options.logger.debug('stopping a delegate command (its process group)', { handoffId: delegation.handoffId, pid: child.pid });
          stopProcessGroup(child, graceMs);
        },
      };
      this.running.add(entry);
      this.groups.add(child);
      const timer = setTimeout(() => {
        failure = new Error(`the delegate command timed out after ${timeoutMs} ms`);
        entry.stop();
      }, timeoutMs);
      const onAbort = (): void => entry.stop();
      if (turn.signal.aborted) onAbort();
      else turn.signal.addEventListener('abort', onAbort, { once: true });
      turn.onSteering((steering) => {
        if (child.stdin?.writable) {
          child.stdin.write(frame(format, { type: 'steering', handoffId: steering.handoffId, text: steering.text }, steering.text, true));
        }
      });
      const finish = (error: Error | undefined): void => {
        clearTimeout(timer);
        turn.signal.removeEventListener('abort', onAbort);
        this.running.delete(entry);
        this.groups.delete(child);
        if (error !== undefined) reject(error);
        else if (entry.superseded && !turn.signal.aborted && this.running.size > 0) {
          // Finish after the newest delegation, so this turn's finish cannot end the newest handoff.
          this.held.push(resolve);
          turn.signal.addEventListener('abort', () => resolve(), { once: true });
        } else resolve();
        if (this.running.size === 0) this.release();
      };
      child.stdin?.on('error', () => undefined);
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) emit(line);
      });
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        if (stderr.length < 2000) stderr += chunk;
      });
      child.on('error', (error) => finish(failure ?? error));
      child.on('close', (code, signal) => {
        if (pending !== '') emit(pending);
        // Whatever the shell started may still run in its group; end it too.
        if (child.pid !== undefined && signalProcessGroup(child.pid, 0)) stopProcessGroup(child, graceMs);
        void outputs.then(() => {
          if (failure !== undefined) finish(failure);
          else if (stopped || code === 0) finish(undefined);
          else {
            const detail = stderr.trim().split('\n').slice(-1)[0] ?? '';
            finish(new Error(`the delegate command exited with ${code ?? signal}${detail ? `: ${detail}` : ''}`));
          }
        });
      });
      const first = { type: 'delegation', handoffId: delegation.handoffId, text: delegation.text, transcript: delegation.transcript };
      child.stdin?.write(frame(format, first, delegation.text, false));
    });
  }
}
