import type { JsonObject, RealtimeTool, ToolBehavior, ToolCall, ToolInterruptMode } from '@parley/core';
import { ProcessGroups, signalProcessGroup, spawnProcessGroup, stopProcessGroup } from './process-group.js';

/** The most bytes a tool command may write to stdout; one more kills it (spec 09 §13.2). */
export const TOOL_OUTPUT_MAX_BYTES = 1048576;

/** How long a stopped tool command's process group gets between SIGTERM and SIGKILL (ms). */
export const TOOL_KILL_GRACE_MS = 2000;

/** The most bytes of a command's stderr kept (its end) to find the last non-empty line. */
const STDERR_TAIL_BYTES = 65536;

/** The process groups of every tool's running commands (one exit hook for all of them). */
const groups = new ProcessGroups();

/** What a {@link CommandTool} is: the tool the model sees, and the command that runs it. */
export interface CommandToolDefinition {
  name: string;
  /** Default `""`. */
  description?: string;
  /** Default `{"type":"object","properties":{}}`. */
  parameters?: JsonObject;
  timeoutMs?: number;
  behavior?: ToolBehavior;
  onInterrupt?: ToolInterruptMode;
  /** The shell command line run for each call. */
  command: string;
}

/** Options of {@link CommandTool} beyond its definition (tests change them). */
export interface CommandToolOptions {
  /** Between SIGTERM and SIGKILL when the call's signal aborts (ms, default {@link TOOL_KILL_GRACE_MS}). */
  graceMs?: number;
  /** The most stdout bytes (default {@link TOOL_OUTPUT_MAX_BYTES}). */
  maxOutputBytes?: number;
  /** The shell (default `/bin/sh`). */
  shell?: string;
}

/** The last non-empty line of `text` (its end trimmed), or `""`. */
function lastLine(text: string): string {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const line = (lines[i] as string).trimEnd();
    if (line.trim() !== '') return line;
  }
  return '';
}

/**
 * A {@link RealtimeTool} whose `execute` runs a shell command (`parley connect --tool`, spec 09
 * §13.2), in its own process group:
 * - stdin gets the call's raw arguments text (`{}` when empty), then is closed; the environment
 *   has `PARLEY_TOOL_NAME` and `PARLEY_CALL_ID`.
 * - Exit 0: the result is its stdout (UTF-8) without trailing newlines.
 * - Otherwise it fails with `the command exited with code <n>: <last non-empty stderr line>`
 *   (without `: …` when stderr is empty), `the command was killed by <signal>`, or
 *   `the command could not start: <message>`; more than 1048576 bytes of stdout fail it at once
 *   with `the command wrote more than 1048576 bytes` and kill it.
 * - When the call's signal aborts (timeout, interruption, the end of the conversation), its
 *   process group gets SIGTERM, then SIGKILL after 2000 ms, and the call settles at once (its
 *   result is late anyway).
 * Whatever the command left running in its group when it exits is stopped the same way.
 */
export class CommandTool implements RealtimeTool {
  readonly name: string;
  readonly description: string;
  readonly parameters: JsonObject;
  readonly timeoutMs?: number;
  readonly behavior?: ToolBehavior;
  readonly onInterrupt?: ToolInterruptMode;
  /** The shell command line. */
  readonly command: string;
  private readonly running = new Set<ReturnType<typeof spawnProcessGroup>>();

  constructor(
    definition: CommandToolDefinition,
    private readonly options: CommandToolOptions = {},
  ) {
    this.name = definition.name;
    this.description = definition.description ?? '';
    this.parameters = definition.parameters ?? { type: 'object', properties: {} };
    if (definition.timeoutMs !== undefined) this.timeoutMs = definition.timeoutMs;
    if (definition.behavior !== undefined) this.behavior = definition.behavior;
    if (definition.onInterrupt !== undefined) this.onInterrupt = definition.onInterrupt;
    this.command = definition.command;
  }

  /** Commands running now. */
  get runningCount(): number {
    return this.running.size;
  }

  execute(_args: JsonObject, call: ToolCall): Promise<string> {
    const graceMs = this.options.graceMs ?? TOOL_KILL_GRACE_MS;
    const maxBytes = this.options.maxOutputBytes ?? TOOL_OUTPUT_MAX_BYTES;
    return new Promise<string>((resolve, reject) => {
      if (call.signal.aborted) {
        reject(new Error('the call was answered before the command started'));
        return;
      }
      let child: ReturnType<typeof spawnProcessGroup>;
      try {
        child = spawnProcessGroup(this.command, { PARLEY_TOOL_NAME: this.name, PARLEY_CALL_ID: call.callId }, this.options.shell ?? true);
      } catch (error) {
        reject(new Error(`the command could not start: ${error instanceof Error ? error.message : String(error)}`));
        return;
      }
      groups.add(child);
      this.running.add(child);
      const ended = (): void => {
        groups.delete(child);
        this.running.delete(child);
      };
      const stdout: Buffer[] = [];
      let stdoutBytes = 0;
      let stderr: Buffer = Buffer.alloc(0);
      let settled = false;
      let stopped = false;
      const stop = (): void => {
        if (stopped) return;
        stopped = true;
        stopProcessGroup(child, graceMs);
      };
      const settle = (error: Error | undefined, output?: string): void => {
        if (settled) return;
        settled = true;
        call.signal.removeEventListener('abort', onAbort);
        if (error !== undefined) reject(error);
        else resolve(output as string);
      };
      const onAbort = (): void => {
        call.logger.debug('stopping a tool command (its process group)', { callId: call.callId, name: this.name, pid: child.pid });
        stop();
        settle(new Error('the call was answered before the command finished'));
      };
      call.signal.addEventListener('abort', onAbort, { once: true });

      child.stdin?.on('error', () => undefined); // a command that does not read its stdin
      child.stdin?.end(call.arguments.trim() === '' ? '{}' : call.arguments);
      child.stdout?.on('data', (chunk: Buffer) => {
        if (settled) return;
        stdoutBytes += chunk.length;
        if (stdoutBytes > maxBytes) {
          stop();
          settle(new Error(`the command wrote more than ${maxBytes} bytes`));
          return;
        }
        stdout.push(chunk);
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr = Buffer.concat([stderr, chunk]);
        if (stderr.length > STDERR_TAIL_BYTES) stderr = stderr.subarray(stderr.length - STDERR_TAIL_BYTES);
      });
      child.on('error', (error) => {
        ended();
        settle(new Error(`the command could not start: ${error.message}`));
      });
      child.on('exit', () => {
        // Whatever the command started may still run in its group (and hold stdout open): end it too.
        if (child.pid !== undefined && signalProcessGroup(child.pid, 0)) stopProcessGroup(child, graceMs);
      });
      child.on('close', (code, signal) => {
        ended();
        if (code === 0)
          settle(
            undefined,
            Buffer.concat(stdout)
              .toString('utf8')
              .replace(/[\r\n]+$/, ''),
          );
        else if (code !== null) {
          const line = lastLine(stderr.toString('utf8'));
          settle(new Error(`the command exited with code ${code}${line === '' ? '' : `: ${line}`}`));
        } else settle(new Error(`the command was killed by ${signal ?? 'a signal'}`));
      });
    });
  }
}
