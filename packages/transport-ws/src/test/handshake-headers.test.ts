import { isParleyError } from '@parley/core';
import { expect } from 'chai';
import { MISSING_API_KEY_MESSAGE, buildHandshakeHeaders, isHeaderSafe, type HandshakeHeadersInput } from '../handshake-headers.js';
import { RecordingLogger } from './helpers.js';

const KEY = 'sk-test-0123456789abcdef';

function input(overrides: Partial<HandshakeHeadersInput> = {}): HandshakeHeadersInput {
  return {
    headers: {},
    startHeaders: {},
    defaultHeaders: {},
    apiKey: KEY,
    sessionId: undefined,
    url: 'wss://api.example.com/v1/realtime',
    ...overrides,
  };
}

function failure(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('buildHandshakeHeaders', () => {
  it('sends Authorization: Bearer <key> and the protocol defaults (v1)', () => {
    expect(buildHandshakeHeaders(input({ defaultHeaders: { 'openai-alpha': 'quicksilver=v1' } }))).to.deep.equal({
      Authorization: `Bearer ${KEY}`,
      'openai-alpha': 'quicksilver=v1',
    });
  });

  it('merges configured headers, then start headers (override, case-insensitive), then absent defaults, in that order', () => {
    const headers = buildHandshakeHeaders(
      input({
        headers: { 'X-Team': 'config', 'OpenAI-Beta': 'config-beta', 'X-Keep': 'kept' },
        startHeaders: { 'x-team': 'start', 'X-Extra': 'start-extra' },
        defaultHeaders: { 'openai-beta': 'default-beta', 'openai-alpha': 'quicksilver=v1' },
      }),
    );
    expect(Object.entries(headers)).to.deep.equal([
      ['OpenAI-Beta', 'config-beta'],
      ['X-Keep', 'kept'],
      ['x-team', 'start'],
      ['X-Extra', 'start-extra'],
      ['Authorization', `Bearer ${KEY}`],
      ['openai-alpha', 'quicksilver=v1'],
    ]);
  });

  it('keeps a configured Authorization header instead of the key (any case)', () => {
    expect(buildHandshakeHeaders(input({ headers: { authorization: 'Bearer from-config' } }))).to.deep.equal({
      authorization: 'Bearer from-config',
    });
    expect(buildHandshakeHeaders(input({ startHeaders: { AUTHORIZATION: 'Basic abc' } }))).to.deep.equal({ AUTHORIZATION: 'Basic abc' });
  });

  it('sends x-session-id from the session id last, replacing any configured one', () => {
    const headers = buildHandshakeHeaders(
      input({ headers: { 'X-Session-Id': 'from-config' }, startHeaders: { 'x-session-id': 'from-start' }, sessionId: 'sess_42' }),
    );
    expect(Object.entries(headers)).to.deep.equal([
      ['Authorization', `Bearer ${KEY}`],
      ['x-session-id', 'sess_42'],
    ]);
  });

  it('omits a session id that is not header-safe, logs it without the id, and keeps a configured one', () => {
    for (const bad of ['bad\r\nX-Injected: 1', 'tab\there', 'ünïcode', '', 'x'.repeat(257)]) {
      const logger = new RecordingLogger();
      const headers = buildHandshakeHeaders(input({ headers: { 'x-session-id': 'configured' }, sessionId: bad }), logger);
      expect(headers, JSON.stringify(bad)).to.deep.equal({ 'x-session-id': 'configured', Authorization: `Bearer ${KEY}` });
      expect(logger.lines).to.deep.equal([
        {
          level: 'warn',
          message: 'x-session-id not sent: the session id is not header-safe (1 to 256 printable ASCII characters)',
          fields: { length: bad.length },
        },
      ]);
    }
  });

  it('accepts a 256-character printable session id', () => {
    const id = 'a'.repeat(256);
    expect(buildHandshakeHeaders(input({ sessionId: id }))['x-session-id']).to.equal(id);
  });

  it('fails with ERR_MISSING_API_KEY and the exact message without key nor Authorization', () => {
    for (const apiKey of [undefined, '']) {
      const error = failure(() => buildHandshakeHeaders(input({ apiKey })));
      expect(isParleyError(error, 'ERR_MISSING_API_KEY')).to.equal(true);
      expect(error.message).to.equal(MISSING_API_KEY_MESSAGE);
      expect(error.message).to.equal('an API key is required: set OPENAI_API_KEY or realtime.apiKey');
    }
  });

  it('needs no key for loopback hosts (127.0.0.0/8, ::1, localhost)', () => {
    for (const url of ['ws://127.0.0.1:8011/v1/realtime', 'ws://127.9.9.9/v1/realtime', 'ws://[::1]:1/x', 'ws://localhost/v1/realtime']) {
      expect(buildHandshakeHeaders(input({ apiKey: undefined, url, defaultHeaders: { 'openai-alpha': 'quicksilver=v1' } }))).to.deep.equal({
        'openai-alpha': 'quicksilver=v1',
      });
    }
    expect(buildHandshakeHeaders(input({ apiKey: undefined, url: new URL('ws://127.0.0.1/v1/realtime') }))).to.deep.equal({});
  });

  it('needs no key when an Authorization header is configured', () => {
    expect(buildHandshakeHeaders(input({ apiKey: undefined, headers: { Authorization: 'Bearer token-123' } }))).to.deep.equal({
      Authorization: 'Bearer token-123',
    });
  });

  it('refuses a key an HTTP header cannot carry, without showing it', () => {
    const key = 'sk-with-newline-0123456789\n';
    const error = failure(() => buildHandshakeHeaders(input({ apiKey: key })));
    expect(isParleyError(error, 'ERR_INVALID_CONFIG')).to.equal(true);
    expect(error.message).to.not.include('sk-with-newline');
  });
});

describe('isHeaderSafe', () => {
  it('accepts 1 to 256 printable ASCII characters only', () => {
    expect(isHeaderSafe('abc-DEF_123 ~!')).to.equal(true);
    expect(isHeaderSafe('')).to.equal(false);
    expect(isHeaderSafe('a\nb')).to.equal(false);
    expect(isHeaderSafe('a\rb')).to.equal(false);
    expect(isHeaderSafe('a\u007fb')).to.equal(false);
    expect(isHeaderSafe('é')).to.equal(false);
    expect(isHeaderSafe('a'.repeat(257))).to.equal(false);
    expect(isHeaderSafe('abcd', 3)).to.equal(false);
  });
});
