/**
 * Polls `predicate` on real time until it holds, failing after `timeoutMs` (default 5000) with an
 * error naming `what`. For real sockets only: protocol timing belongs on a virtual clock.
 */
export async function waitUntil(predicate: () => boolean, what = 'a condition', timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
