import { isParleyError } from '../parley-error.js';
import { expect } from 'chai';
import { buildRealtimeUrl, type RealtimeUrlInput } from '../realtime-url.js';

const V1 = { intent: 'quicksilver' };

function url(baseUrl: string, protocolQuery: Record<string, string>, model: string, extraQuery: Record<string, string> = {}): string {
  const input: RealtimeUrlInput = { baseUrl, protocolQuery, model, extraQuery };
  return buildRealtimeUrl(input);
}

function failure(baseUrl: string): unknown {
  try {
    url(baseUrl, {}, '');
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('buildRealtimeUrl', () => {
  describe('spec 06 URL table (every row, exact string)', () => {
    it('http://127.0.0.1:8011, v1, no model', () => {
      expect(url('http://127.0.0.1:8011', V1, '')).to.equal('ws://127.0.0.1:8011/v1/realtime?intent=quicksilver');
    });
    it('wss://example.com, v1, realtime-test-model', () => {
      expect(url('wss://example.com', V1, 'realtime-test-model')).to.equal(
        'wss://example.com/v1/realtime?intent=quicksilver&model=realtime-test-model',
      );
    });
    it('https://api.openai.com/v1, v1, snapshot', () => {
      expect(url('https://api.openai.com/v1', V1, 'snapshot')).to.equal(
        'wss://api.openai.com/v1/realtime?intent=quicksilver&model=snapshot',
      );
    });
    it('https://example.com/openai/v1, v1, snapshot', () => {
      expect(url('https://example.com/openai/v1', V1, 'snapshot')).to.equal(
        'wss://example.com/openai/v1/realtime?intent=quicksilver&model=snapshot',
      );
    });
    it('https://example.com/v1/realtime?foo=bar, v1, snapshot, trace=1 intent=ignored', () => {
      expect(url('https://example.com/v1/realtime?foo=bar', V1, 'snapshot', { trace: '1', intent: 'ignored' })).to.equal(
        'wss://example.com/v1/realtime?foo=bar&intent=quicksilver&model=snapshot&trace=1',
      );
    });
    it('https://example.com/v1/realtime?foo=bar, v2, snapshot, trace=1 intent=ignored', () => {
      expect(url('https://example.com/v1/realtime?foo=bar', {}, 'snapshot', { trace: '1', intent: 'ignored' })).to.equal(
        'wss://example.com/v1/realtime?foo=bar&model=snapshot&trace=1',
      );
    });
    it('https://example.com, v2, no model', () => {
      expect(url('https://example.com', {}, '')).to.equal('wss://example.com/v1/realtime');
    });
  });

  describe('spec 06 URL table, v2 transcription mode (intent=transcription, withoutModel: no model at all)', () => {
    const transcription = (baseUrl: string, model: string, extraQuery: Record<string, string> = {}): string =>
      buildRealtimeUrl({ baseUrl, protocolQuery: { intent: 'transcription' }, model, extraQuery, withoutModel: true });
    it('https://api.openai.com/v1, gpt-realtime-1.5', () => {
      expect(transcription('https://api.openai.com/v1', 'gpt-realtime-1.5')).to.equal(
        'wss://api.openai.com/v1/realtime?intent=transcription',
      );
    });
    it('https://example.com/v1/realtime?foo=bar, snapshot, trace=1 intent=ignored model=other', () => {
      expect(
        transcription('https://example.com/v1/realtime?foo=bar', 'snapshot', { trace: '1', intent: 'ignored', model: 'other' }),
      ).to.equal('wss://example.com/v1/realtime?foo=bar&intent=transcription&trace=1');
    });
    it('https://example.com, no model, model=other', () => {
      expect(transcription('https://example.com', '', { model: 'other' })).to.equal('wss://example.com/v1/realtime?intent=transcription');
    });
    it('https://example.com/v1/realtime?model=old&foo=bar, snapshot: the base URL model is removed, the rest kept in order', () => {
      expect(transcription('https://example.com/v1/realtime?model=old&foo=bar', 'snapshot')).to.equal(
        'wss://example.com/v1/realtime?foo=bar&intent=transcription',
      );
    });
    it('http://127.0.0.1:8011, v1 in transcription mode is conversational', () => {
      expect(url('http://127.0.0.1:8011', V1, 'snapshot')).to.equal('ws://127.0.0.1:8011/v1/realtime?intent=quicksilver&model=snapshot');
    });
  });

  describe('path rules', () => {
    it('maps an empty path and / to /v1/realtime', () => {
      expect(url('https://h.example', {}, '')).to.equal('wss://h.example/v1/realtime');
      expect(url('https://h.example/', {}, '')).to.equal('wss://h.example/v1/realtime');
    });
    it('keeps a path ending with /realtime, and drops the slash of /realtime/', () => {
      expect(url('https://h.example/proxy/realtime', {}, '')).to.equal('wss://h.example/proxy/realtime');
      expect(url('https://h.example/proxy/realtime/', {}, '')).to.equal('wss://h.example/proxy/realtime');
    });
    it('appends realtime to /v1 and /v1/', () => {
      expect(url('https://h.example/api/v1', {}, '')).to.equal('wss://h.example/api/v1/realtime');
      expect(url('https://h.example/api/v1/', {}, '')).to.equal('wss://h.example/api/v1/realtime');
    });
    it('leaves any other path unchanged', () => {
      expect(url('https://h.example/custom/socket', {}, '')).to.equal('wss://h.example/custom/socket');
      expect(url('https://h.example/v2', {}, '')).to.equal('wss://h.example/v2');
      expect(url('https://h.example/myrealtime', {}, '')).to.equal('wss://h.example/myrealtime');
    });
  });

  describe('scheme rules', () => {
    it('maps http to ws and https to wss, keeps ws and wss', () => {
      expect(url('http://h.example', {}, '')).to.equal('ws://h.example/v1/realtime');
      expect(url('https://h.example', {}, '')).to.equal('wss://h.example/v1/realtime');
      expect(url('ws://h.example', {}, '')).to.equal('ws://h.example/v1/realtime');
      expect(url('wss://h.example', {}, '')).to.equal('wss://h.example/v1/realtime');
    });
    it('keeps a port, drops a fragment', () => {
      expect(url('https://h.example:8443/v1#frag', {}, 'm')).to.equal('wss://h.example:8443/v1/realtime?model=m');
    });
    it('fails for any other scheme with ERR_UNSUPPORTED_URL and the exact message', () => {
      for (const [base, scheme] of [
        ['ftp://h.example/v1', 'ftp'],
        ['file:///tmp/socket', 'file'],
        ['localhost:8011', 'localhost'],
      ]) {
        const error = failure(base);
        expect(isParleyError(error, 'ERR_UNSUPPORTED_URL'), base).to.equal(true);
        expect((error as Error).message).to.equal(`unsupported realtime url scheme: ${scheme}`);
      }
    });
    it('fails for a value that is not an absolute URL with ERR_INVALID_CONFIG', () => {
      const error = failure('not a url');
      expect(isParleyError(error, 'ERR_INVALID_CONFIG')).to.equal(true);
      expect((error as Error).message).to.equal('realtime.url is not a valid absolute URL: not a url');
    });
  });

  describe('query rules', () => {
    it('ignores extra model when a model is set, keeps it when the model is ""', () => {
      expect(url('https://h.example', {}, 'snap', { model: 'other', a: 'b' })).to.equal('wss://h.example/v1/realtime?model=snap&a=b');
      expect(url('https://h.example', {}, '', { model: 'other', a: 'b' })).to.equal('wss://h.example/v1/realtime?model=other&a=b');
    });
    it('never adds intent from the extra parameters, even without a protocol intent', () => {
      expect(url('https://h.example', {}, '', { intent: 'x' })).to.equal('wss://h.example/v1/realtime');
    });
    it('keeps existing pairs first and in order, even repeated ones', () => {
      expect(url('https://h.example/v1?z=1&a=2&z=3', V1, 'm')).to.equal(
        'wss://h.example/v1/realtime?z=1&a=2&z=3&intent=quicksilver&model=m',
      );
    });
    it('percent-encodes added names and values', () => {
      expect(url('https://h.example', {}, 'a b&c', { 'k=v': 'x/y?' })).to.equal(
        'wss://h.example/v1/realtime?model=a%20b%26c&k%3Dv=x%2Fy%3F',
      );
    });
    it('adds protocol pairs in their given order', () => {
      expect(url('https://h.example', { b: '2', a: '1' }, '')).to.equal('wss://h.example/v1/realtime?b=2&a=1');
    });
  });
  describe('spec 08 live URL table (endpoint live/sessions, no model in the query)', () => {
    const live = (baseUrl: string, extraQuery: Record<string, string> = {}): string =>
      buildRealtimeUrl({ baseUrl, protocolQuery: {}, model: 'gpt-live-1', extraQuery, endpointPath: 'live/sessions', modelQuery: false });
    const rows: [string, Record<string, string>, string][] = [
      ['https://api.openai.com/v1', {}, 'wss://api.openai.com/v1/live/sessions'],
      ['https://api.openai.com', {}, 'wss://api.openai.com/v1/live/sessions'],
      ['wss://api.openai.com/v1/live/sessions/', {}, 'wss://api.openai.com/v1/live/sessions'],
      ['https://example.com/openai/v1', {}, 'wss://example.com/openai/v1/live/sessions'],
      ['https://example.com/v1/live', {}, 'wss://example.com/v1/live'],
      ['http://127.0.0.1:8011', {}, 'ws://127.0.0.1:8011/v1/live/sessions'],
      ['https://example.com/v1?foo=bar', { trace: '1', model: 'x', intent: 'y' }, 'wss://example.com/v1/live/sessions?foo=bar&trace=1'],
      ['https://example.com/v1/', {}, 'wss://example.com/v1/live/sessions'],
    ];
    for (const [base, extra, expected] of rows) {
      it(`${base} ${JSON.stringify(extra)} → ${expected}`, () => {
        expect(live(base, extra)).to.equal(expected);
      });
    }
  });
});
