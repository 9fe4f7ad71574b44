import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { expect } from 'chai';
import { RecordingLogger } from '@parley/testkit';
import { redactUrl } from '@parley/core';
import { waitUntil, WsFixtures } from '../support/ws-fixtures.js';

const AZURE_KEY = 'azure-query-SECRET-1';
const URL_KEY = 'url-query-SECRET-2';
const API_KEY = 'sk-configured-SECRET-3';

function shown(error: unknown): string {
  return [String(error), error instanceof Error ? (error.stack ?? '') : '', inspect(error, { depth: 10 })].join('\n');
}

function expectNoSecret(what: string, text: string): void {
  for (const secret of [AZURE_KEY, URL_KEY, API_KEY, 'SECRET-']) {
    expect(text.includes(secret), `${what} must not contain ${secret}`).to.equal(false);
  }
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startError(promise: Promise<void>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('the start should have failed');
    },
    (error: unknown) => error as Error,
  );
}

describe('reliability: credentials in URL query parameters are never printed', () => {
  const fixtures = new WsFixtures();
  afterEach(() => fixtures.closeAll());

  it('redactUrl: credential-like names and configured secrets become [redacted], other pairs are kept, user:password@ is removed', () => {
    expect(
      redactUrl(
        'wss://user:pw@example.com/v1/realtime?api-version=2025&api-key=a1b2&API_KEY=x&key=k&token=t&access_token=a&sig=s&signature=g&authorization=z&model=m&other=sk-conf#f',
        ['sk-conf'],
      ),
    ).to.equal(
      'wss://example.com/v1/realtime?api-version=2025&api-key=[redacted]&API_KEY=[redacted]&key=[redacted]&token=[redacted]&access_token=[redacted]&sig=[redacted]&signature=[redacted]&authorization=[redacted]&model=m&other=[redacted]#f',
    );
    expect(redactUrl('not a url?token=abc&x=1')).to.equal('not a url?token=[redacted]&x=1');
    expect(redactUrl('https://example.com/v1')).to.equal('https://example.com/v1');
  });

  it('ERR_CONNECT_FAILED and every log line (debug included) show realtime.query api-key and a key in realtime.url redacted', async () => {
    const port = await closedPort();
    const logger = new RecordingLogger();
    const c = fixtures.conversation(`http://127.0.0.1:${port}/v1?key=${URL_KEY}`, {
      logger,
      config: { realtime: { query: { 'api-key': AZURE_KEY } } },
    });
    const error = await startError(c.manager.start());
    expect(error).to.have.property('code', 'ERR_CONNECT_FAILED');
    expect(error.message).to.contain(`ws://127.0.0.1:${port}/v1/realtime?key=[redacted]&model=gpt-realtime-1.5&api-key=[redacted]`);
    expectNoSecret('the error', shown(error));
    expectNoSecret('the events', JSON.stringify(c.events));
    expect(
      logger.lines.some((line) => line.level === 'debug'),
      'debug lines were recorded',
    ).to.equal(true);
    expectNoSecret('the log', logger.text());
  });

  it('ERR_INSECURE_URL shows the URL redacted', async () => {
    const c = fixtures.conversation(`ws://example.com/v1?token=${URL_KEY}`, { config: { realtime: { query: { api_key: AZURE_KEY } } } });
    const error = await startError(c.manager.start({ apiKey: API_KEY }));
    expect(error).to.have.property('code', 'ERR_INSECURE_URL');
    expect(error.message).to.contain('ws://example.com/v1/realtime?token=[redacted]&model=gpt-realtime-1.5&api_key=[redacted]');
    expectNoSecret('the error', shown(error));
    expectNoSecret('the events', JSON.stringify(c.events));
  });

  it('ERR_INVALID_CONFIG for a realtime.url that does not parse shows it redacted', async () => {
    const c = fixtures.conversation(`http://[not-a-host/v1?sig=${URL_KEY}`);
    const error = await startError(c.manager.start({ apiKey: API_KEY }));
    expect(error).to.have.property('code', 'ERR_INVALID_CONFIG');
    expect(error.message).to.contain('sig=[redacted]');
    expectNoSecret('the error', shown(error));
  });

  it('a connected conversation at debug level: the server gets the query, the logs never show it', async () => {
    const server = await fixtures.server();
    const logger = new RecordingLogger();
    const c = fixtures.conversation(`${server.url}/v1?access_token=${URL_KEY}`, {
      logger,
      config: { realtime: { query: { 'api-key': AZURE_KEY, custom: API_KEY } } },
    });
    await c.manager.start({ apiKey: API_KEY });
    const peer = await server.peer(0);
    expect(peer.request.url).to.contain(`access_token=${URL_KEY}`).and.contain(`api-key=${AZURE_KEY}`);
    peer.socket.terminate();
    await waitUntil(() => c.of('closed').length === 1, 'closed');
    expect(c.of('error')[0]?.message)
      .to.contain('access_token=[redacted]')
      .and.contain('api-key=[redacted]')
      .and.contain('custom=[redacted]');
    expect(logger.text()).to.contain('websocket connecting');
    expectNoSecret('the log', logger.text());
    expectNoSecret('the events', JSON.stringify(c.events));
  });
});
