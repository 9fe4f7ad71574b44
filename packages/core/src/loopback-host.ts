/**
 * True for loopback hosts: `localhost`, `127.0.0.0/8` and `::1`, nothing else (not names under
 * `.localhost`, which a resolver may send elsewhere). Takes a WHATWG `URL.hostname`: IPv6 in
 * brackets, IPv4 already normalised (`127.1` → `127.0.0.1`). Loopback hosts may use `ws://`
 * without `allowInsecure` and need no API key (a local simulator).
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === 'localhost.') return true;
  if (host === '[::1]' || host === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
