import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealtimeSimulator } from '@parley/testkit';
import { spawnParley } from '../support/cli-process.js';

const QUERY_KEY = 'azure-query-SECRET-11';
const URL_TOKEN = 'url-token-SECRET-11';

function expectNoSecret(what: string, text: string): void {
  for (const secret of [QUERY_KEY, URL_TOKEN, 'SECRET-11'])
    expect(text.includes(secret), `${what} must not contain ${secret}`).to.equal(false);
}

describe('issue 15 item 11: a key in a URL query never reaches a recording or a scenario trace (the real bin)', function () {
  this.timeout(30_000);
  let simulator: RealtimeSimulator | undefined;
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-url-secrets-'));
  });

  afterEach(async () => {
    await simulator?.close();
    simulator = undefined;
  });

  it('parley connect --record with realtime.query {"api-key": …}: the server gets the key; the recording, its replay trace and the output do not', async () => {
    simulator = new RealtimeSimulator({ protocol: 'v2', mode: 'demo', speed: 20 });
    const { url } = await simulator.start();
    const config = join(dir, 'azure.json');
    writeFileSync(config, JSON.stringify({ realtime: { query: { 'api-key': QUERY_KEY } } }));
    const record = join(dir, 'session.json');
    const connect = spawnParley([
      'connect',
      '--url',
      url,
      '--protocol',
      'v2',
      '--config',
      config,
      '--text',
      'Hello',
      '--record',
      record,
      '--duration',
      '1',
      '--log-level',
      'debug',
    ]);
    const exit = await connect.exited;
    expect(exit.code, connect.stderr).to.equal(0);
    expect(connect.stdout).to.contain('assistant: You said: Hello.');
    // The key did go to the server, in the handshake's query.
    expect(simulator.handshakes[0]?.query['api-key']).to.equal(QUERY_KEY);
    expect(connect.stderr, 'debug logs were written').to.contain('websocket');
    expectNoSecret('stdout', connect.stdout);
    expectNoSecret('the debug log', connect.stderr);
    const recording = readFileSync(record, 'utf8');
    expectNoSecret('the recording', recording);

    const trace = join(dir, 'trace.jsonl');
    const replay = spawnParley(['replay', record, '--trace', trace]);
    expect((await replay.exited).code, replay.stderr).to.equal(0);
    const traced = readFileSync(trace, 'utf8');
    expect(traced).to.contain('"connect"');
    expectNoSecret('the replay trace', traced + replay.stdout + replay.stderr);
  });

  it('parley replay of a scenario with realtime.query {"api-key": …} and a token in realtime.url: the connect record shows [redacted]', async () => {
    const scenario = join(dir, 'azure-scenario.json');
    writeFileSync(
      scenario,
      JSON.stringify({
        name: 'azure-style key in the query',
        protocol: 'v2',
        config: {
          realtime: { url: `wss://example.openai.azure.com/openai?token=${URL_TOKEN}&deployment=gpt`, query: { 'api-key': QUERY_KEY } },
        },
        steps: [{ at: 0, client: 'close' }],
      }),
    );
    const replay = spawnParley(['replay', scenario]);
    expect((await replay.exited).code, replay.stderr).to.equal(0);
    const records = replay.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { connect?: { url: string } });
    const connects = records.filter((record) => record.connect !== undefined).map((record) => record.connect?.url);
    expect(connects).to.deep.equal([
      'wss://example.openai.azure.com/openai?token=[redacted]&deployment=gpt&model=gpt-realtime-1.5&api-key=[redacted]',
    ]);
    expectNoSecret('the trace', replay.stdout + replay.stderr);
  });
});
