import { expect } from 'chai';
import {
  ConversationManager,
  ProtocolStrategy,
  createParleyContainer,
  isParleyError,
  loadParleyConfig,
  type ParleyConfigInput,
  type SessionSettings,
} from '@parley/core';
import { LiveProtocolStrategy } from '../live-protocol-strategy.js';
import { parserLiveModule } from '../parser-live-module.js';
import { RecordingLogger } from './fake-live-handle.js';

const BASE: SessionSettings = {
  instructions: '',
  voice: undefined,
  model: 'gpt-realtime-1.5',
  outputModality: 'audio',
  mode: 'conversational',
  sessionId: undefined,
  tools: [],
};

const GET_WEATHER = { name: 'get_weather', description: 'The weather.', parameters: { type: 'object', properties: {} } };
const CURRENT_TIME = { name: 'current_time', description: '', parameters: { type: 'object' } };

function strategy(config: ParleyConfigInput = {}): { strategy: LiveProtocolStrategy; logger: RecordingLogger } {
  const logger = new RecordingLogger();
  return { strategy: new LiveProtocolStrategy(loadParleyConfig(config), logger), logger };
}

function failure(action: () => unknown): { code: string; message: string } {
  try {
    action();
  } catch (error) {
    if (isParleyError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a ParleyError');
}

describe('LiveProtocolStrategy (spec 08 "Connection", "First client message", "Client messages")', () => {
  it('has the id live', () => {
    expect(strategy().strategy.id).to.equal('live');
  });

  describe('model and voice', () => {
    it('"" and the Realtime default become gpt-live-1; any other model is sent as given', () => {
      const { strategy: live } = strategy();
      expect(live.resolveSession({ ...BASE, model: '' }).model).to.equal('gpt-live-1');
      expect(live.resolveSession(BASE).model).to.equal('gpt-live-1');
      expect(live.resolveSession({ ...BASE, model: 'gpt-live-1-diamond-alpha' }).model).to.equal('gpt-live-1-diamond-alpha');
    });

    it('a model starting with gpt-realtime (not the default) is sent as given, with a warning', () => {
      const { strategy: live, logger } = strategy();
      expect(live.resolveSession({ ...BASE, model: 'gpt-realtime-2' }).model).to.equal('gpt-realtime-2');
      expect(logger.warnings).to.have.length(1);
    });

    it('the voice defaults to marin and is not validated; a transcription mode becomes conversational', () => {
      const { strategy: live } = strategy();
      expect(live.resolveSession(BASE).voice).to.equal('marin');
      expect(live.resolveSession({ ...BASE, voice: 'aster', mode: 'transcription' })).to.include({
        voice: 'aster',
        mode: 'conversational',
      });
    });
  });

  describe('start checks (ERR_INVALID_SESSION)', () => {
    it('text output modality', () => {
      expect(failure(() => strategy().strategy.resolveSession({ ...BASE, outputModality: 'text' }))).to.deep.equal({
        code: 'ERR_INVALID_SESSION',
        message: 'text output modality requires protocol v2',
      });
    });

    it('tools in client mode, named as 09 §1.3', () => {
      const tools = [{ type: 'function', name: 'get_weather' }, { type: 'mcp', server_label: 'docs' }, { type: 'x' }];
      expect(failure(() => strategy().strategy.resolveSession({ ...BASE, tools }))).to.deep.equal({
        code: 'ERR_INVALID_SESSION',
        message:
          'protocol `live` runs tools only with Responses delegation; set realtime.live.delegation to "responses" or remove the tools (get_weather, docs, tools[2])',
      });
    });

    it('responses mode without realtime.live.responses.model', () => {
      expect(failure(() => strategy({ realtime: { live: { delegation: 'responses' } } }).strategy.resolveSession(BASE))).to.deep.equal({
        code: 'ERR_INVALID_SESSION',
        message: 'live responses delegation needs realtime.live.responses.model',
      });
    });

    it('responses mode with an empty model, or tools that are not an array', () => {
      expect(
        failure(() =>
          strategy({ realtime: { live: { delegation: 'responses', responses: { model: '' } } } }).strategy.resolveSession(BASE),
        ),
      ).to.deep.equal({ code: 'ERR_INVALID_SESSION', message: 'live responses delegation needs realtime.live.responses.model' });
      expect(
        failure(() =>
          strategy({ realtime: { live: { delegation: 'responses', responses: { model: 'gpt-5', tools: {} } } } }).strategy.resolveSession(
            BASE,
          ),
        ),
      ).to.deep.equal({
        code: 'ERR_INVALID_SESSION',
        message: 'realtime.live.responses.tools must be an array of tools; Parley appends the bound and start-option tools to it',
      });
    });

    it('responses mode with a model accepts tools', () => {
      const { strategy: live } = strategy({ realtime: { live: { delegation: 'responses', responses: { model: 'gpt-5' } } } });
      const resolved = live.resolveSession({ ...BASE, tools: [{ type: 'function', name: 'lookup_order' }], boundTools: [GET_WEATHER] });
      expect(resolved).to.include({ model: 'gpt-live-1', voice: 'marin' });
    });

    it('bound tools in client mode come first in the message (from settings.boundTools)', () => {
      expect(
        failure(() =>
          strategy().strategy.resolveSession({ ...BASE, tools: [{ type: 'function', name: 'lookup_order' }], boundTools: [GET_WEATHER] }),
        ),
      ).to.deep.equal({
        code: 'ERR_INVALID_SESSION',
        message:
          'protocol `live` runs tools only with Responses delegation; set realtime.live.delegation to "responses" or remove the tools (get_weather, lookup_order)',
      });
    });
  });

  describe('session.start in responses mode (spec 08 "Responses mode" Start)', () => {
    it('delegation.responses = realtime.live.responses with its own tools, then bound tools (binding order), then start-option tools', () => {
      const responses = {
        model: 'gpt-5',
        reasoning: { effort: 'low' },
        tools: [{ type: 'web_search' }],
      };
      const { strategy: live } = strategy({ realtime: { live: { delegation: 'responses', responses } } });
      const declared = { type: 'function', name: 'lookup_order', description: 'Order status.', parameters: { type: 'object' } };
      const settings = live.resolveSession({
        ...BASE,
        tools: [declared, { type: 'mcp', server_label: 'docs' }],
        boundTools: [GET_WEATHER, CURRENT_TIME],
      });
      expect(live.sessionUpdate(settings)).to.deep.equal({
        type: 'session.start',
        session: {
          model: 'gpt-live-1',
          audio: { format: { type: 'audio/pcm', rate: 24000 }, output: { voice: 'marin' } },
          delegation: {
            type: 'responses',
            responses: {
              model: 'gpt-5',
              reasoning: { effort: 'low' },
              tools: [
                { type: 'web_search' },
                { type: 'function', name: 'get_weather', description: 'The weather.', parameters: { type: 'object', properties: {} } },
                { type: 'function', name: 'current_time', description: '', parameters: { type: 'object' } },
                declared,
                { type: 'mcp', server_label: 'docs' },
              ],
            },
          },
        },
      });
    });

    it('without tools anywhere, tools is []', () => {
      const { strategy: live } = strategy({ realtime: { live: { delegation: 'responses', responses: { model: 'gpt-5' } } } });
      expect((live.sessionUpdate(live.resolveSession(BASE)).session as { delegation: unknown }).delegation).to.deep.equal({
        type: 'responses',
        responses: { model: 'gpt-5', tools: [] },
      });
    });
  });

  describe('connection parameters', () => {
    it('endpoint live/sessions, no model query, no protocol query, no header for a GA model', () => {
      expect(strategy().strategy.connectionParameters(BASE)).to.deep.equal({
        query: {},
        headers: {},
        endpointPath: 'live/sessions',
        modelQuery: false,
      });
    });

    it('alphaHeader auto sends quicksilver=v3 only for a model ending in -alpha; "" never; any other value as given', () => {
      const alpha = { ...BASE, model: 'gpt-live-1-diamond-alpha' };
      expect(strategy().strategy.connectionParameters(alpha).headers).to.deep.equal({ 'openai-alpha': 'quicksilver=v3' });
      expect(strategy({ realtime: { live: { alphaHeader: '' } } }).strategy.connectionParameters(alpha).headers).to.deep.equal({});
      expect(strategy({ realtime: { live: { alphaHeader: 'quicksilver=v4' } } }).strategy.connectionParameters(BASE).headers).to.deep.equal(
        {
          'openai-alpha': 'quicksilver=v4',
        },
      );
    });
  });

  describe('session.start', () => {
    it('is exactly the spec message; instructions left out when empty', () => {
      const { strategy: live } = strategy();
      expect(live.sessionUpdate(live.resolveSession({ ...BASE, instructions: 'be brief' }))).to.deep.equal({
        type: 'session.start',
        session: {
          model: 'gpt-live-1',
          instructions: 'be brief',
          audio: { format: { type: 'audio/pcm', rate: 24000 }, output: { voice: 'marin' } },
          delegation: { type: 'client' },
        },
      });
      expect(live.sessionUpdate(live.resolveSession(BASE))).to.deep.equal({
        type: 'session.start',
        session: {
          model: 'gpt-live-1',
          audio: { format: { type: 'audio/pcm', rate: 24000 }, output: { voice: 'marin' } },
          delegation: { type: 'client' },
        },
      });
      expect(JSON.stringify(live.sessionUpdate(live.resolveSession(BASE)))).to.not.contain('event_id');
    });

    it('a voice starting with voice_ is a custom voice, sent as {"id": …}', () => {
      const { strategy: live } = strategy();
      const message = live.sessionUpdate(live.resolveSession({ ...BASE, voice: 'voice_abc123' }));
      expect((message.session as { audio: { output: unknown } }).audio.output).to.deep.equal({ voice: { id: 'voice_abc123' } });
    });
  });

  describe('client messages', () => {
    it('audio: session.input_audio.append with only the data', () => {
      const text = strategy().strategy.encodeAudio({ data: 'AAAA', sampleRate: 24000, numChannels: 1, itemId: 'x' });
      expect(JSON.parse(text)).to.deep.equal({ type: 'session.input_audio.append', audio: 'AAAA' });
    });

    it('user text: "user: " + the trimmed text as null-delegation thinking; nothing for blank text', () => {
      const { strategy: live } = strategy();
      expect(live.encodeUserText('  Hello there \n')).to.deep.equal([
        { type: 'session.thinking.append', delegation_id: null, content: 'user: Hello there' },
      ]);
      expect(live.encodeUserText('  \t')).to.deep.equal([]);
    });

    it('user text is chunked as one text: the prefix opens the first chunk only', () => {
      const { strategy: live } = strategy({ realtime: { live: { appendTokenBudget: 4 } } });
      expect(live.encodeUserText('Book it. Then call me.')).to.deep.equal([
        { type: 'session.thinking.append', delegation_id: null, content: 'user: Book it.' },
        { type: 'session.thinking.append', delegation_id: null, content: 'Then call me.' },
      ]);
    });
  });

  describe('configuration', () => {
    it('realtime.live.* defaults, PARLEY_LIVE_DELEGATION_GRACE_MS, and strict validation', () => {
      expect(loadParleyConfig().realtime.live).to.deep.equal({
        delegation: 'client',
        responses: {},
        delegationGraceMs: 1000,
        appendTokenBudget: 450,
        replyPrompt: "Respond to the user's latest message now.",
        startTimeoutMs: 10000,
        closeTimeoutMs: 10000,
        alphaHeader: 'auto',
      });
      expect(loadParleyConfig({}, { env: { PARLEY_LIVE_DELEGATION_GRACE_MS: '250' } }).realtime.live.delegationGraceMs).to.equal(250);
      for (const bad of [
        { appendTokenBudget: 501 },
        { appendTokenBudget: 0 },
        { delegationGraceMs: -1 },
        { startTimeoutMs: 0 },
        { delegation: 'x' },
      ]) {
        expect(failure(() => loadParleyConfig({ realtime: { live: bad as never } })).code).to.equal('ERR_INVALID_CONFIG');
      }
    });
  });

  describe('parserLiveModule', () => {
    it('binds the live strategy as a singleton ProtocolStrategy beside others', () => {
      const container = createParleyContainer({ config: { log: { level: 'silent' } }, modules: [parserLiveModule] });
      const strategies = container.getAll(ProtocolStrategy);
      expect(strategies).to.have.length(1);
      expect(strategies[0]).to.be.instanceOf(LiveProtocolStrategy);
      expect(container.getAll(ProtocolStrategy)[0]).to.equal(strategies[0]);
      expect(container.get(ConversationManager).protocols).to.deep.equal(['live']);
    });
  });
});
