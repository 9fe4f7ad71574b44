import { ParleyError } from '@parley/core';
import { isLoopbackHost } from './loopback-host.js';

/**
 * Refuses an unencrypted URL (`ws:` or `http:`) to a host that is not loopback, unless
 * `allowInsecure` (`transport.ws.allowInsecure`) is set: throws `ERR_INSECURE_URL`, whose message
 * shows `shownUrl` and says how to allow it. Called before any network activity.
 */
export function assertSecureUrl(url: URL, allowInsecure: boolean, shownUrl: string = url.href): void {
  if (allowInsecure || (url.protocol !== 'ws:' && url.protocol !== 'http:') || isLoopbackHost(url.hostname)) return;
  throw new ParleyError(
    'ERR_INSECURE_URL',
    `refusing the insecure (unencrypted) URL ${shownUrl}: use wss:// or https://, ` +
      'or set transport.ws.allowInsecure to true (env PARLEY_ALLOW_INSECURE=true) to allow it',
  );
}
