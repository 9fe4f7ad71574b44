import { performance } from 'node:perf_hooks';

/** A scheduled task; `cancel()` is idempotent. */
export interface ScheduledTask {
  cancel(): void;
}

/**
 * Runs a task at its due time. Returning a number re-schedules the same task that many
 * milliseconds later (a paced stream is one task); returning `undefined` ends it.
 */
export type TaskRun = (now: number) => number | undefined;

interface Task {
  due: number;
  seq: number;
  run: TaskRun;
  cancelled: boolean;
  /** The fire round that last ran this task (a task runs at most once per round). */
  round: number;
}

/**
 * Timers of one simulated connection behind a single Node timer: the timer is armed for the
 * earliest due task, and every due task runs when it fires (in due order, then creation order).
 * A connection has only a few tasks at a time (one paced stream, a few delayed events), so the
 * list is scanned rather than kept in a heap. {@link dispose} cancels everything; after it,
 * {@link schedule} is a no-op.
 */
export class TaskScheduler {
  private tasks: Task[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  private seq = 0;
  private round = 0;
  private running = false;
  private disposed = false;

  /** Monotonic milliseconds (the clock tasks see). */
  now(): number {
    return performance.now();
  }

  /** Runs `run` after `delayMs` (≥ 0) milliseconds. */
  schedule(delayMs: number, run: TaskRun): ScheduledTask {
    const task: Task = { due: this.now() + Math.max(0, delayMs), seq: this.seq++, run, cancelled: this.disposed, round: -1 };
    if (!this.disposed) {
      this.tasks.push(task);
      if (!this.running) this.arm();
    }
    return {
      cancel: () => {
        task.cancelled = true;
      },
    };
  }

  /** Cancels every task and the timer. */
  dispose(): void {
    this.disposed = true;
    for (const task of this.tasks) task.cancelled = true;
    this.tasks = [];
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
  }

  private arm(): void {
    this.tasks = this.tasks.filter((task) => !task.cancelled);
    let due = Number.POSITIVE_INFINITY;
    for (const task of this.tasks) if (task.due < due) due = task.due;
    if (due === this.timerDue) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = due;
    if (due === Number.POSITIVE_INFINITY) return;
    this.timer = setTimeout(() => this.fire(), Math.max(0, due - this.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    this.running = true;
    const round = this.round++;
    try {
      for (;;) {
        const now = this.now();
        let next: Task | undefined;
        for (const task of this.tasks) {
          if (task.cancelled || task.due > now || task.round === round) continue;
          if (next === undefined || task.due < next.due || (task.due === next.due && task.seq < next.seq)) next = task;
        }
        if (next === undefined || this.disposed) break;
        next.round = round;
        const again = next.run(now);
        if (again === undefined || next.cancelled) next.cancelled = true;
        else next.due = now + Math.max(0, again);
      }
    } finally {
      this.running = false;
      if (!this.disposed) this.arm();
    }
  }
}
