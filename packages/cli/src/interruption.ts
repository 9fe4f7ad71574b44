/** Why the command was asked to stop: a signal, or its parent went away (e.g. `npx` was stopped). */
export type StopReason = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'parent exited';

/** A request to stop, and how to stop watching for one. */
export interface Interruption {
  /** Resolves with the first stop request. */
  readonly requested: Promise<StopReason>;
  /** Removes the signal handlers and the parent watch. */
  dispose(): void;
}

const EXIT_CODES: Record<NodeJS.Signals, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as Record<NodeJS.Signals, number>;

/**
 * Watches for a request to stop: the first SIGINT, SIGTERM or SIGHUP resolves `requested` (the
 * command then stops cleanly); a second one exits at once (128 + the signal number). It also
 * notices when the parent process goes away without passing the signal on (`npx` stopped by
 * SIGTERM leaves its shell's child behind, re-parented): that is a request to stop too, so the
 * process holding a port never outlives the command the user started.
 */
export function watchInterruption(pollMs = 200): Interruption {
  let resolveRequested: (reason: StopReason) => void = () => undefined;
  const requested = new Promise<StopReason>((resolve) => (resolveRequested = resolve));
  let asked = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (asked) process.exit(EXIT_CODES[signal] ?? 1);
    asked = true;
    resolveRequested(signal as StopReason);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, onSignal);
  const parent = process.ppid;
  const poll = setInterval(() => {
    if (process.ppid === parent || asked) return;
    asked = true;
    resolveRequested('parent exited');
  }, pollMs);
  poll.unref();
  return {
    requested,
    dispose: () => {
      clearInterval(poll);
      for (const signal of signals) process.removeListener(signal, onSignal);
    },
  };
}
