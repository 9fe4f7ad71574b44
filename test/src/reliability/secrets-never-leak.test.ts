import { inspect } from 'node:util';
import { expect } from 'chai';
import { loadParleyConfig, type Delegation, type DelegationTurn, type HandoffDelegate, type ParleyConfigInput } from '@parley/core';
import { parserV1Module } from '@parley/parser-v1';
import { parserV2Module } from '@parley/parser-v2';
import { runScenario, type Scenario, type ScenarioStep } from '@parley/testkit';
import { settle } from '../support/harness.js';
import { RecordingLogger } from '@parley/testkit';
import { createProtocolHarness } from '../support/protocol-harness.js';

/** The planted secret: it must never appear anywhere observable. */
const KEY = 'sk-planted-SECRET-123';

/** Every way an error can be shown: message, stack, `inspect` (with its cause chain), JSON. */
function shown(error: unknown): string {
  return [
    String(error),
    error instanceof Error ? (error.stack ?? '') : '',
    inspect(error, { depth: 10 }),
    JSON.stringify(error) ?? '',
  ].join('\n');
}

function expectNoKey(what: string, text: string): void {
  expect(text.includes(KEY), `${what} must not contain the API key`).to.equal(false);
  // Not even a recognisable part of it.
  expect(text.includes('SECRET-123'), `${what} must not contain part of the API key`).to.equal(false);
}

function logText(logger: RecordingLogger): string {
  return logger.lines.map((line) => JSON.stringify(line)).join('\n');
}

/** A delegate that answers once, then fails: its failure is logged and spoken, never fatal. */
class FailingDelegate implements HandoffDelegate {
  calls = 0;
  async delegate(_delegation: Delegation, turn: DelegationTurn): Promise<void> {
    this.calls += 1;
    await turn.output('working on it');
    throw new Error('the agent crashed');
  }
}

const v1Steps: ScenarioStep[] = [
  { at: 0, server: { type: 'session.updated', session: { id: 'sess_1', instructions: 'be brief' } } },
  { at: 10, server: { type: 'conversation.input_transcript.delta', delta: 'please book it' } },
  { at: 20, server: { type: 'conversation.handoff.requested', handoff_id: 'h1', item_id: 'i1', input_transcript: 'book it' } },
  { at: 30, serverText: 'not json' },
  { at: 40, client: 'audio', data: 'AQI' },
  { at: 50, client: 'text', text: 'hello' },
  { at: 2000, serverBinary: 'AQID' },
  { at: 2010, client: 'text', text: 'after the end' },
];

const v2Steps: ScenarioStep[] = [
  { at: 0, server: { type: 'session.updated', session: { id: 'sess_2' } } },
  {
    at: 10,
    server: {
      type: 'conversation.item.done',
      item: { id: 'i1', type: 'function_call', name: 'background_agent', call_id: 'c1', arguments: '{"prompt":"book it"}' },
    },
  },
  { at: 20, client: 'requestResponse' },
  { at: 25, serverText: '{"type":42}' },
  { at: 30, server: { type: 'error', error: { message: 'Conversation already has an active response in progress: r1' } } },
  { at: 40, client: 'audio', data: '' },
  { at: 50, server: { type: 'error', error: { message: 'server exploded' } } },
  { at: 60, client: 'requestResponse' },
];

describe('reliability: the API key never leaks', () => {
  for (const [protocol, steps] of [
    ['v1', v1Steps],
    ['v2', v2Steps],
  ] as const) {
    it(`${protocol} through the scenario runner (key in config and start options): trace, every log line, errors`, async () => {
      const logger = new RecordingLogger();
      const scenario: Scenario = {
        protocol,
        config: { realtime: { apiKey: KEY, v1: { handoffGraceMs: 100 } } },
        session: { apiKey: KEY, instructions: 'secret-free instructions' },
        delegate: {
          replies: [
            [
              { afterMs: 0, output: 'done' },
              { afterMs: 0, finish: true },
            ],
          ],
        },
        steps,
      };
      const trace = await runScenario(scenario, { modules: [parserV1Module, parserV2Module], logger });
      const text = JSON.stringify(trace);
      // The run did exercise the failures: an invalid call, a fatal error, a call after the end.
      expect(trace.filter((record) => 'error' in record).length).to.be.at.least(2);
      expect(text).to.contain('"fatal":true');
      expect(trace.some((record) => 'delegate' in record)).to.equal(true);
      expect(logger.lines.length).to.be.greaterThan(0);
      expectNoKey('the trace', text);
      expectNoKey('the log', logText(logger));
    });
  }

  it('a scenario whose config is invalid and carries the key: the start error names the field, not the key', async () => {
    const logger = new RecordingLogger();
    for (const config of [
      { realtime: { apiKey: KEY, bogus: KEY } },
      { realtime: { apiKey: 42 } },
      { realtime: { apiKey: KEY, queues: { audioIn: -1 } } },
      { realtime: { apiKey: { nested: KEY } } },
    ]) {
      const trace = await runScenario(
        { protocol: 'v2', config: config as unknown as ParleyConfigInput, steps: [{ at: 0, client: 'text', text: 'x' }] },
        { modules: [parserV2Module], logger },
      );
      expect(trace[0]).to.have.nested.property('error.step', 'start');
      expectNoKey(`the trace of ${JSON.stringify(Object.keys(config.realtime))}`, JSON.stringify(trace));
    }
    expectNoKey('the log', logText(logger));
  });

  it('a scenario with an unknown protocol: the start error names the protocol, not the key', async () => {
    const logger = new RecordingLogger();
    const trace = await runScenario(
      { protocol: 'v9', config: { realtime: { apiKey: KEY } }, session: { apiKey: KEY }, steps: [{ at: 0, client: 'text', text: 'x' }] },
      { modules: [parserV1Module, parserV2Module], logger },
    );
    expect(trace[0]).to.deep.include({ t: 0 });
    expect(JSON.stringify(trace)).to.contain('ERR_UNKNOWN_PROTOCOL');
    expectNoKey('the trace', JSON.stringify(trace));
    expectNoKey('the log', logText(logger));
  });

  for (const protocol of ['v1', 'v2'] as const) {
    it(`${protocol} through the manager: events, stats, every error thrown and every log line (debug included)`, async () => {
      const delegate = new FailingDelegate();
      const h = createProtocolHarness(protocol, { config: { realtime: { apiKey: KEY, v1: { handoffGraceMs: 10 } } }, delegate });
      const errors: unknown[] = [];
      const capture = async (action: () => unknown): Promise<void> => {
        try {
          await action();
        } catch (error) {
          errors.push(error);
        }
      };
      await h.manager.start({ apiKey: KEY, instructions: 'hi' });
      expect(h.transport.requests[0]?.apiKey, 'the key did reach the transport').to.equal(KEY);
      const server = h.server();
      server.serverJson({ type: 'session.updated', session: { id: 's' } });
      server.serverText('{"type":');
      if (protocol === 'v1') {
        server.serverJson({ type: 'conversation.input_transcript.delta', delta: 'do it' });
        server.serverJson({ type: 'conversation.handoff.requested', handoff_id: 'h1', item_id: 'i1', input_transcript: 'do it' });
        h.clock.advanceTo(10);
      } else {
        server.serverJson({
          type: 'conversation.item.done',
          item: { id: 'i1', type: 'function_call', name: 'background_agent', call_id: 'c1', arguments: '{"prompt":"do it"}' },
        });
      }
      await settle();
      await settle();
      expect(delegate.calls).to.equal(1);
      await capture(() => h.manager.sendAudio({ data: 'AQI' }));
      await capture(() => h.manager.sendText('x'.repeat(70_000)));
      await capture(() => h.manager.reportPlayback('', -1));
      await capture(() => h.manager.sendAssistantOutput(42 as unknown as string));
      server.serverJson({ type: 'error', error: { message: 'fatal server error' } });
      await capture(() => h.manager.sendText('after the end'));
      await capture(() => h.manager.requestResponse());
      await capture(() => h.manager.start({ apiKey: KEY, voice: 'no-such-voice' }));
      await settle();
      expect(errors).to.have.length(7);
      expect(h.events.some((event) => event.type === 'closed')).to.equal(true);
      expect(h.logger.lines.some((line) => line.level === 'debug')).to.equal(true);
      expect(h.logger.lines.some((line) => line.level === 'error')).to.equal(true);
      for (const error of errors) expectNoKey('an error', shown(error));
      expectNoKey('the events', JSON.stringify(h.events));
      expectNoKey('stats()', JSON.stringify(h.manager.stats()));
      expectNoKey('the log', logText(h.logger));
      expectNoKey('the wire', JSON.stringify(h.transport.connections.map((connection) => connection.sent)));
    });
  }

  it('a failed start with an unknown protocol: the error, the error event and the log name the protocol, not the key', async () => {
    const h = createProtocolHarness('nope', { config: { realtime: { apiKey: KEY } } });
    const error = await h.manager.start({ apiKey: KEY }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).to.have.property('code', 'ERR_UNKNOWN_PROTOCOL');
    expect(h.events).to.have.length(1);
    expectNoKey('the error', shown(error));
    expectNoKey('the events', JSON.stringify(h.events));
    expectNoKey('stats()', JSON.stringify(h.manager.stats()));
    expectNoKey('the log', logText(h.logger));
  });

  describe('loadParleyConfig errors (ERR_INVALID_CONFIG) with the key in the input', () => {
    const cases: [string, unknown][] = [
      ['an unknown key holding the key', { realtime: { apiKey: KEY, bogus: KEY } }],
      ['apiKey of the wrong type', { realtime: { apiKey: 12345 } }],
      ['apiKey as an object', { realtime: { apiKey: { value: KEY } } }],
      ['another field invalid next to the key', { realtime: { apiKey: KEY, queues: { audioIn: 0 } } }],
      ['a wrong type next to the key', { realtime: { apiKey: KEY, url: 5 } }],
      ['the key in an unknown section', { secrets: { apiKey: KEY } }],
    ];
    for (const [name, input] of cases) {
      it(`${name}: the message names the field, never the key`, () => {
        let error: unknown;
        try {
          loadParleyConfig(input as ParleyConfigInput);
        } catch (failure) {
          error = failure;
        }
        expect(error).to.have.property('code', 'ERR_INVALID_CONFIG');
        expectNoKey('the config error', shown(error));
      });
    }

    it('the key given in the environment (OPENAI_API_KEY) with an invalid override: not in the error', () => {
      let error: unknown;
      try {
        loadParleyConfig({ realtime: { queues: { textIn: -5 } } }, { env: { OPENAI_API_KEY: KEY } });
      } catch (failure) {
        error = failure;
      }
      expect(error).to.have.property('code', 'ERR_INVALID_CONFIG');
      expectNoKey('the config error', shown(error));
    });

    // Regression test: this was a bug, fixed in core/parser (see git log).
    it('an invalid realtime.headers entry next to an Authorization header: the key is not in the error', () => {
      let error: unknown;
      try {
        loadParleyConfig({ realtime: { headers: { Authorization: `Bearer ${KEY}`, 'x-retries': 3 as unknown as string } } });
      } catch (failure) {
        error = failure;
      }
      expect(error).to.have.property('code', 'ERR_INVALID_CONFIG');
      expectNoKey('the config error', shown(error));
    });
  });
});
