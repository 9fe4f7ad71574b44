/**
 * Waits `ms`, or less if `until` settles first; the timer is cleared either way, so a stop request
 * never leaves a pending timer holding the process. Resolves `'timeout'` or `'stopped'`.
 */
export function waitOrStop(ms: number, until: Promise<unknown>): Promise<'timeout' | 'stopped'> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([elapsed, until.then(() => 'stopped' as const)]).finally(() => clearTimeout(timer));
}
