import { expect } from 'chai';
import { isLoopbackHost } from '../loopback-host.js';

const hostname = (href: string): string => new URL(href).hostname;

describe('isLoopbackHost', () => {
  it('accepts 127.0.0.0/8, ::1 and localhost (as URL.hostname gives them)', () => {
    for (const href of [
      'ws://127.0.0.1:1',
      'ws://127.255.10.3',
      'ws://127.1',
      'ws://[::1]:8011',
      'ws://[0:0:0:0:0:0:0:1]',
      'ws://localhost:8011',
      'ws://LOCALHOST',
    ]) {
      expect(isLoopbackHost(hostname(href)), href).to.equal(true);
    }
    expect(isLoopbackHost('::1')).to.equal(true);
  });

  it('refuses everything else', () => {
    for (const href of [
      'ws://128.0.0.1',
      'ws://10.0.0.1',
      'ws://0.0.0.0',
      'ws://[::2]',
      'ws://example.com',
      'ws://localhost.example.com',
      'ws://app.localhost',
      'ws://127.0.0.1.nip.io',
    ]) {
      expect(isLoopbackHost(hostname(href)), href).to.equal(false);
    }
  });
});
