import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Runs `command` through the shell (`/bin/sh -c` by default) as the leader of a new process group,
 * with piped stdin, stdout and stderr, so the command and everything it starts can be stopped
 * together ({@link stopProcessGroup}). `env` is added to this process's environment. Throws
 * synchronously when the arguments cannot be passed to a process (e.g. a NUL character).
 */
export function spawnProcessGroup(command: string, env: Record<string, string>, shell: string | true = true): ChildProcess {
  return spawn(command, { shell, detached: true, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
}

/** Sends `signal` to the process group led by `pid` (`0`: only checks it); false when the group is gone. */
export function signalProcessGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ends the process group led by `child`: SIGTERM to every member, then SIGKILL after `graceMs` if
 * any member is still alive (a shell's children included). The grace timer does not keep this
 * process alive; {@link ProcessGroups} kills what is left when the process exits.
 */
export function stopProcessGroup(child: ChildProcess, graceMs: number): void {
  const pid = child.pid;
  if (pid === undefined) return;
  if (!signalProcessGroup(pid, 'SIGTERM')) return;
  const timer = setTimeout(() => {
    if (signalProcessGroup(pid, 0)) signalProcessGroup(pid, 'SIGKILL');
  }, graceMs);
  timer.unref();
}

/**
 * The process groups a command runner started and has not seen end: while it holds any, an `exit`
 * hook of this process SIGKILLs them all, so no command outlives the `parley` process (a stopped
 * command's SIGKILL grace may still be pending then).
 */
export class ProcessGroups {
  private readonly children = new Set<ChildProcess>();
  private readonly exitHook = (): void => this.killAll();

  /** Groups held now. */
  get size(): number {
    return this.children.size;
  }

  /** Holds the group led by `child` until {@link delete}. */
  add(child: ChildProcess): void {
    if (this.children.size === 0) process.once('exit', this.exitHook);
    this.children.add(child);
  }

  /** Forgets the group led by `child` (it ended). */
  delete(child: ChildProcess): void {
    if (!this.children.delete(child)) return;
    if (this.children.size === 0) process.removeListener('exit', this.exitHook);
  }

  /** Kills every group held, at once (SIGKILL); for process exit. */
  killAll(): void {
    for (const child of this.children) if (child.pid !== undefined) signalProcessGroup(child.pid, 'SIGKILL');
  }
}
