import { expect } from 'chai';
import { loadParleyConfig, type ParleyConfigInput } from '../parley-config.js';
import { ParleyError } from '../parley-error.js';

function failure(input: unknown): ParleyError {
  try {
    loadParleyConfig(input as ParleyConfigInput);
  } catch (error) {
    return error as ParleyError;
  }
  throw new Error('expected the config to be rejected');
}

describe('loadParleyConfig', () => {
  it('has the documented defaults (spec 01)', () => {
    const config = loadParleyConfig();
    expect(config.realtime.protocol).to.equal('v2');
    expect(config.realtime.url).to.equal('https://api.openai.com/v1');
    expect(config.realtime.model).to.equal('gpt-realtime-1.5');
    expect(config.realtime.apiKey).to.equal('');
    expect(config.realtime.instructions).to.equal('');
    expect(config.realtime.outputModality).to.equal('audio');
    expect(config.realtime.mode).to.equal('conversational');
    expect(config.realtime.v1.handoffGraceMs).to.equal(1000);
    expect(config.realtime.queues).to.deep.equal({
      audioIn: 256,
      textIn: 64,
      handoffOut: 64,
      events: 256,
      eventBytes: 4194304,
      toolOut: 64,
    });
    expect(config.realtime.tools).to.deep.equal({
      timeoutMs: 30000,
      backgroundTimeoutMs: 600000,
      backgroundStartedOutput:
        'Started in the background. The result will arrive later in a system message; until then, tell the user it is under way and do not call this tool again for the same request.',
    });
    expect(config.log.level).to.equal('info');
    expect(config.transport.ws.allowInsecure).to.equal(false);
  });

  it('reads only the environment it is given', () => {
    const config = loadParleyConfig(
      {},
      { env: { PARLEY_PROTOCOL: 'v1', OPENAI_API_KEY: 'sk-env', PARLEY_LOG_LEVEL: 'warn', PARLEY_MODEL: '' } },
    );
    expect(config.realtime.protocol).to.equal('v1');
    expect(config.realtime.apiKey).to.equal('sk-env');
    expect(config.realtime.model).to.equal('');
    expect(config.log.level).to.equal('warn');
    expect(loadParleyConfig().realtime.apiKey).to.equal('');
  });

  it('reads realtime.tools.timeoutMs from PARLEY_TOOL_TIMEOUT_MS and refuses timeouts outside 1…2147483647 (spec 09 §10)', () => {
    expect(loadParleyConfig({}, { env: { PARLEY_TOOL_TIMEOUT_MS: '5000' } }).realtime.tools.timeoutMs).to.equal(5000);
    for (const value of [0, 2147483648, 1.5]) {
      expect(() => loadParleyConfig({ realtime: { tools: { timeoutMs: value } } })).to.throw('realtime.tools.timeoutMs');
      expect(() => loadParleyConfig({ realtime: { tools: { backgroundTimeoutMs: value } } })).to.throw(
        'realtime.tools.backgroundTimeoutMs',
      );
    }
  });

  it('overrides win over the environment', () => {
    expect(loadParleyConfig({ realtime: { protocol: 'v2' } }, { env: { PARLEY_PROTOCOL: 'v1' } }).realtime.protocol).to.equal('v2');
  });

  it('rejects an unknown key, naming it', () => {
    const error = failure({ realtime: { protocoll: 'v1' } });
    expect(error.code).to.equal('ERR_INVALID_CONFIG');
    expect(error.message).to.contain('realtime.protocoll');
  });

  it('rejects a wrong type, naming the field', () => {
    const error = failure({ realtime: { v1: { handoffGraceMs: 'soon' } } });
    expect(error.code).to.equal('ERR_INVALID_CONFIG');
    expect(error.message).to.contain('realtime.v1.handoffGraceMs');
  });

  it('rejects a value outside an enumeration, naming the field', () => {
    expect(failure({ realtime: { outputModality: 'video' } }).message).to.contain('realtime.outputModality');
    expect(failure({ log: { level: 'loud' } }).message).to.contain('log.level');
  });

  it('rejects zero-capacity queues', () => {
    expect(failure({ realtime: { queues: { events: 0 } } }).message).to.contain('realtime.queues.events');
  });

  it('accepts string maps for query and headers, and rejects other values in them', () => {
    expect(loadParleyConfig({ realtime: { query: { trace: '1' } } }).realtime.query).to.deep.equal({ trace: '1' });
    expect(failure({ realtime: { headers: { 'x-n': 1 } } }).message).to.contain('realtime.headers.x-n');
  });

  it('never echoes the API key in a validation error', () => {
    const error = failure({ realtime: { apiKey: 'sk-secret-123', mode: 'bogus' } });
    expect(error.message).not.to.contain('sk-secret-123');
  });
});

describe('loadParleyConfig: realtime.live.responses (spec 08 responses mode)', () => {
  const load = (responses: unknown) => () => loadParleyConfig({ realtime: { live: { responses } } } as unknown as ParleyConfigInput);

  it('takes a backend object whole, nested objects included, or the same object as JSON text', () => {
    const backend = { model: 'gpt-5', reasoning: { effort: 'low' } };
    expect(load(backend)().realtime.live.responses).to.deep.equal(backend);
    expect(load(JSON.stringify(backend))().realtime.live.responses).to.deep.equal(backend);
  });

  for (const value of ['gpt-5', '{bad', '["gpt-5"]', 'null']) {
    it(`refuses the string ${JSON.stringify(value)} with ERR_INVALID_CONFIG naming the key and what to give`, () => {
      expect(load(value))
        .to.throw(ParleyError)
        .with.property(
          'message',
          'invalid configuration: realtime.live.responses must be a JSON object naming the backend, for example {"model":"gpt-5"}; got a string that is not one',
        );
      expect(load(value)).to.throw(ParleyError).with.property('code', 'ERR_INVALID_CONFIG');
    });
  }

  it('refuses a number, naming the key', () => {
    expect(load(5)).to.throw(ParleyError, /realtime\.live\.responses/);
  });
});
