import type { Cancellable, Clock } from '../clock.js';
import type { LogFields, Logger } from '../logger.js';
import type { RealtimeTool } from '../realtime-tool.js';
import { checkTools, type ToolSpec } from '../tool-checks.js';
import type { ToolCallEvent, ToolResultEvent } from '../tool-events.js';
import type { BackgroundToolResult, ToolAnswer, ToolCallReport } from '../tool-hooks.js';
import { DEFAULT_BACKGROUND_STARTED_OUTPUT } from '../tool-output.js';
import { ToolRunner, type ToolOutItem, type ToolRunnerSettings } from '../tool-runner.js';

/** A manual clock: timers fire in due order when the test advances it. */
export class ManualClock implements Clock {
  private time = 0;
  private sequence = 0;
  private timers: { due: number; seq: number; callback: () => void; cancelled: boolean }[] = [];

  now(): number {
    return this.time;
  }

  setTimer(delayMs: number, callback: () => void): Cancellable {
    const timer = { due: this.time + Math.max(0, delayMs), seq: (this.sequence += 1), callback, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  /** Advances to `now + ms`, firing due timers in order (each at its own due time), letting promises settle between them. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await flush();
      const due = this.timers.filter((timer) => !timer.cancelled && timer.due <= end).sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (due === undefined) break;
      due.cancelled = true;
      this.time = due.due;
      due.callback();
    }
    this.time = end;
    await flush();
  }

  /** Timers still armed. */
  get armed(): number {
    return this.timers.filter((timer) => !timer.cancelled).length;
  }
}

/** Lets every pending promise and microtask run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A logger that keeps its lines. */
export class LinesLogger implements Logger {
  readonly lines: { level: string; message: string; fields?: LogFields }[] = [];
  debug(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'debug', message, fields });
  }
  info(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'warn', message, fields });
  }
  error(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'error', message, fields });
  }
}

/** What the policy side saw, in order: answers, background results, and the events. */
export type Seen =
  | { at: number; hook: 'toolOutput'; answer: ToolAnswer }
  | { at: number; hook: 'backgroundToolResult'; result: BackgroundToolResult }
  | { at: number; event: ToolCallEvent | ToolResultEvent };

/**
 * A runner wired to a manual clock, a recording logger and an in-order input loop that dispatches
 * each `toolOut` item to recording hooks (the way the conversation's loop does).
 */
export class RunnerFixture {
  readonly clock = new ManualClock();
  readonly logger = new LinesLogger();
  readonly seen: Seen[] = [];
  readonly runner: ToolRunner;
  /** When false, queued items wait (like a stuck loop) until {@link drain}. */
  autoDispatch = true;
  private readonly queued: ToolOutItem[] = [];

  constructor(bound: RealtimeTool[] = [], entries: unknown[] = [], settings: Partial<ToolRunnerSettings> = {}, specs?: ToolSpec[]) {
    const setup = specs ?? checkTools({ id: 'test', supportsTools: true }, bound, entries).specs;
    this.runner = new ToolRunner(setup, {
      clock: this.clock,
      logger: this.logger,
      settings: { timeoutMs: 30000, backgroundTimeoutMs: 600000, backgroundStartedOutput: DEFAULT_BACKGROUND_STARTED_OUTPUT, ...settings },
      emit: (event) => this.seen.push({ at: this.clock.now(), event }),
      enqueue: async (item) => {
        this.queued.push(item);
        if (this.autoDispatch) queueMicrotask(() => this.drain());
      },
    });
  }

  /** Dispatches every queued item, in order. */
  drain(): void {
    for (const item of this.queued.splice(0)) {
      this.runner.dispatch(item, {
        toolOutput: (answer) => this.seen.push({ at: this.clock.now(), hook: 'toolOutput', answer }),
        backgroundToolResult: (result) => this.seen.push({ at: this.clock.now(), hook: 'backgroundToolResult', result }),
      });
    }
  }

  /** Reports a complete call. */
  call(callId: string, name: string, args = '{}', extra: Partial<ToolCallReport> = {}): string {
    return this.runner.call({ callId, name, arguments: args, complete: true, ...extra });
  }

  /** The answers sent, as `callId → output`. */
  get outputs(): { callId: string; output: string; at: number }[] {
    return this.seen.flatMap((entry) =>
      'hook' in entry && entry.hook === 'toolOutput' ? [{ callId: entry.answer.callId, output: entry.answer.output, at: entry.at }] : [],
    );
  }

  /** The `toolResult` events. */
  get results(): ToolResultEvent[] {
    return this.seen.flatMap((entry) => ('event' in entry && entry.event.type === 'toolResult' ? [entry.event] : []));
  }

  /** The `toolCall` events. */
  get calls(): ToolCallEvent[] {
    return this.seen.flatMap((entry) => ('event' in entry && entry.event.type === 'toolCall' ? [entry.event] : []));
  }
}

/** A bound tool from parts (blocking, `{}` schema). */
export function tool(name: string, execute: RealtimeTool['execute'], extra: Partial<RealtimeTool> = {}): RealtimeTool {
  return { name, description: '', parameters: { type: 'object', properties: {} }, execute, ...extra };
}

/** A promise with its settlers. */
export function deferred<T = unknown>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
