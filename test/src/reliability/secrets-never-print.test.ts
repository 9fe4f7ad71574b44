import { inspect } from 'node:util';
import { expect } from 'chai';
import { ConversationManager, createParleyContainer, loadParleyConfig, ParleyConfig } from '@parley/core';
import { parserV2Module } from '@parley/parser-v2';
import { RecordingLogger } from '@parley/testkit';

/** The planted secrets: none may appear in anything printed or serialized. */
const KEY = 'sk-planted-PRINT-SECRET-1';
const HEADER_KEY = 'azure-planted-HEADER-2';
const QUERY_KEY = 'query-planted-TOKEN-3';

function expectNoSecret(what: string, text: string): void {
  for (const secret of [KEY, HEADER_KEY, QUERY_KEY]) {
    expect(text.includes(secret), `${what} must not contain ${secret}:\n${text}`).to.equal(false);
  }
}

function printed(value: unknown): string {
  return [inspect(value, { depth: 20, showHidden: false }), JSON.stringify(value) ?? '', String(inspect(value, { depth: null }))].join(
    '\n',
  );
}

describe('reliability: no object reachable from the public API prints a secret (issue 15 item 12)', () => {
  const configInput = {
    realtime: {
      apiKey: KEY,
      url: 'http://127.0.0.1:9/v1?api-key=' + QUERY_KEY,
      headers: { 'api-key': HEADER_KEY, 'x-trace': 'visible-header' },
      query: { token: QUERY_KEY, deployment: 'visible-deployment' },
    },
  };

  it('console.log / JSON.stringify of the manager and of container.get(ParleyConfig) show no secret', () => {
    const container = createParleyContainer({ config: configInput, modules: [parserV2Module] });
    const manager = container.get(ConversationManager);
    const config = container.get(ParleyConfig);
    expectNoSecret('the manager', printed(manager));
    expectNoSecret('the config', printed(config));
    expectNoSecret('a wrapper object holding both', printed({ manager, config, list: [manager, config] }));
    // The values themselves are untouched, and what is not secret is still shown.
    expect(config.realtime.apiKey).to.equal(KEY);
    expect(config.realtime.headers['api-key']).to.equal(HEADER_KEY);
    expect(printed(config)).to.include('visible-header').and.include('visible-deployment').and.include('[redacted]');
    expect(JSON.parse(JSON.stringify(config)).realtime.apiKey).to.equal('[redacted]');
    expect(Object.keys(config)).to.deep.equal(['realtime', 'transport', 'log']);
  });

  it('loadParleyConfig result prints no secret, and a logger given the manager logs none', () => {
    const config = loadParleyConfig(configInput);
    expectNoSecret('loadParleyConfig()', printed(config));
    const logger = new RecordingLogger();
    const container = createParleyContainer({ config: configInput, modules: [parserV2Module] });
    const manager = container.get(ConversationManager);
    logger.info('the manager', { manager, config: container.get(ParleyConfig) });
    expectNoSecret('the log', logger.lines.map((line) => JSON.stringify(line)).join('\n'));
  });
});
