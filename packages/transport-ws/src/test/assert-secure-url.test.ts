import { isParleyError } from '@parley/core';
import { expect } from 'chai';
import { assertSecureUrl } from '../assert-secure-url.js';

function check(href: string, allowInsecure: boolean): Error | undefined {
  try {
    assertSecureUrl(new URL(href), allowInsecure);
  } catch (error) {
    return error as Error;
  }
  return undefined;
}

describe('assertSecureUrl', () => {
  it('refuses ws:// and http:// to a non-loopback host with ERR_INSECURE_URL saying how to allow it', () => {
    for (const href of ['ws://example.com/v1/realtime', 'http://10.0.0.2:8011/v1']) {
      const error = check(href, false);
      expect(isParleyError(error, 'ERR_INSECURE_URL'), href).to.equal(true);
      expect(error?.message).to.equal(
        `refusing the insecure (unencrypted) URL ${new URL(href).href}: use wss:// or https://, ` +
          'or set transport.ws.allowInsecure to true (env PARLEY_ALLOW_INSECURE=true) to allow it',
      );
    }
  });

  it('allows them with allowInsecure', () => {
    expect(check('ws://example.com/v1/realtime', true)).to.equal(undefined);
  });

  it('allows loopback hosts and encrypted URLs', () => {
    for (const href of [
      'ws://127.0.0.1:8011/v1/realtime',
      'ws://[::1]/x',
      'ws://localhost/x',
      'wss://example.com/x',
      'https://example.com',
    ]) {
      expect(check(href, false), href).to.equal(undefined);
    }
  });

  it('shows the given URL instead of the raw one', () => {
    expect(() => assertSecureUrl(new URL('ws://u:p@example.com/'), false, 'ws://example.com/')).to.throw(/URL ws:\/\/example\.com\/: /);
  });
});
