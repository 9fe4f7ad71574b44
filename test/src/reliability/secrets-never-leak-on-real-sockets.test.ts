import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { expect } from 'chai';
import { createPinoLogger, type Logger } from '@parley/core';
import { waitUntil, WsFixtures } from '../support/ws-fixtures.js';

const KEY = 'sk-planted-SECRET-123';

function expectNoKey(what: string, text: string): void {
  expect(text.includes(KEY), `${what} must not contain the API key`).to.equal(false);
  expect(text.includes('SECRET-123'), `${what} must not contain part of the API key`).to.equal(false);
}

function shown(error: unknown): string {
  return [String(error), error instanceof Error ? (error.stack ?? '') : '', inspect(error, { depth: 10 })].join('\n');
}

describe('reliability: the API key never leaks on real sockets (pino at debug level, to a file)', () => {
  const fixtures = new WsFixtures();
  let folder: string;
  let file: string;
  let fd: number;
  let logger: Logger;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'parley-secrets-'));
    file = join(folder, 'log.jsonl');
    fd = openSync(file, 'w');
    logger = createPinoLogger('debug', fd);
  });

  const opened: { fd: number; folder: string }[] = [];

  afterEach(async () => {
    await fixtures.closeAll();
    opened.push({ fd, folder });
  });

  // A client socket's 'close' event (logged at debug level) can come after closeAll() resolved: the
  // log files stay open until the suite ends, so that late line never hits a closed descriptor.
  after(async () => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const log of opened.splice(0)) {
      closeSync(log.fd);
      rmSync(log.folder, { recursive: true, force: true });
    }
  });

  it('a refused handshake whose body echoes the Authorization header: the error, the event and the log are redacted', async () => {
    const server = await fixtures.server({
      verifyClient: (info, done) => done(false, 401, `invalid credentials: ${info.req.headers.authorization ?? ''}`),
    });
    const c = fixtures.conversation(server.url, { logger, config: { realtime: { apiKey: KEY } } });
    const error = await c.manager.start({ apiKey: KEY }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).to.have.property('code', 'ERR_HANDSHAKE_FAILED');
    expect((error as Error).message, 'the body excerpt is shown, redacted').to.contain('invalid credentials: Bearer [redacted]');
    expectNoKey('the error', shown(error));
    expectNoKey('the events', JSON.stringify(c.events));
    const log = readFileSync(file, 'utf8');
    expect(log).to.contain('the conversation could not start');
    expectNoKey('the log file', log);
  });

  it('a whole conversation with the key in the config, the start options, a configured header and the URL query: only the server sees it', async () => {
    const server = await fixtures.server();
    const c = fixtures.conversation(server.url, {
      logger,
      config: { realtime: { apiKey: KEY, query: { api_key: KEY } } },
    });
    await c.manager.start({ apiKey: KEY, headers: { 'x-api-key': KEY } });
    const peer = await server.peer(0);
    expect(peer.request.headers.authorization, 'the key is sent as the bearer token').to.equal(`Bearer ${KEY}`);
    peer.send({ type: 'session.updated', session: { id: 's1' } });
    peer.send({ type: 'not.a.known.type' });
    peer.send({
      type: 'conversation.item.done',
      item: { id: 'i1', type: 'function_call', name: 'background_agent', call_id: 'c1', arguments: '{"prompt":"go"}' },
    });
    await waitUntil(() => c.of('delegationStarted').length === 1, 'the delegation');
    await c.manager.sendAssistantOutput('done');
    await c.manager.finishTurn();
    const failures: unknown[] = [];
    try {
      c.manager.sendAudio({ data: 'not base64!' });
    } catch (error) {
      failures.push(error);
    }
    peer.send({ type: 'error', error: { message: 'the server gave up' } });
    await waitUntil(() => c.of('closed').length === 1, 'closed');
    await c.manager.sendText('late').catch((error: unknown) => failures.push(error));
    // pino's own redaction is a second line of defence for fields named like secrets.
    logger.debug('direct', { apiKey: KEY, headers: { authorization: `Bearer ${KEY}` } });

    expect(failures).to.have.length(2);
    for (const failure of failures) expectNoKey('an error', shown(failure));
    expectNoKey('the events', JSON.stringify(c.events));
    expectNoKey('stats()', JSON.stringify(c.manager.stats()));
    const log = readFileSync(file, 'utf8');
    expect(log, 'debug lines were written').to.contain('"level":20');
    expect(log, 'the URL is logged with its secret query value redacted').to.contain('api_key=[redacted]');
    expectNoKey('the log file', log);
  });
});
