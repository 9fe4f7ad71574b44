import { expect } from 'chai';
import { createParleyContainer, ProtocolStrategy, type SessionSettings } from '@parley/core';
import { parserV2Module } from '../parser-v2-module.js';
import { V2ProtocolStrategy } from '../v2-protocol-strategy.js';
import { V2SessionPolicy } from '../v2-session-policy.js';
import { FakePolicyHandle } from './fake-policy-handle.js';

const settings: SessionSettings = {
  instructions: 'x',
  voice: undefined,
  model: 'm',
  outputModality: 'audio',
  mode: 'conversational',
  sessionId: undefined,
  tools: [],
};

function strategyFrom(config = {}): ProtocolStrategy {
  const container = createParleyContainer({ config, modules: [parserV2Module] });
  const strategies = container.getAll(ProtocolStrategy);
  expect(strategies).to.have.length(1);
  return strategies[0]!;
}

describe('V2ProtocolStrategy through parserV2Module', () => {
  it('is bound as the v2 strategy, in singleton scope', () => {
    const container = createParleyContainer({ modules: [parserV2Module] });
    const first = container.getAll(ProtocolStrategy)[0];
    expect(first).to.be.instanceOf(V2ProtocolStrategy);
    expect(first?.id).to.equal('v2');
    expect(container.getAll(ProtocolStrategy)[0]).to.equal(first);
  });

  it('resolves the session and adds no query or header', () => {
    const strategy = strategyFrom();
    const resolved = strategy.resolveSession(settings);
    expect(resolved.voice).to.equal('marin');
    expect(strategy.connectionParameters(resolved)).to.deep.equal({ query: {}, headers: {} });
  });

  it('takes the tool description from realtime.v2.toolDescription', () => {
    const strategy = strategyFrom({ realtime: { v2: { toolDescription: 'Custom handoff.' } } });
    const message = strategy.sessionUpdate(strategy.resolveSession(settings)) as unknown as {
      session: { tools: { description: string }[] };
    };
    expect(message.session.tools[0]?.description).to.equal('Custom handoff.');
    const byDefault = strategyFrom().sessionUpdate(settings) as unknown as { session: { tools: { description: string }[] } };
    expect(byDefault.session.tools[0]?.description).to.match(/^Send a user request to the background agent\./);
  });

  it('encodes audio (data only) and user text', () => {
    const strategy = strategyFrom();
    expect(
      JSON.parse(
        strategy.encodeAudio({ data: 'BQYHCA==', sampleRate: 24000, numChannels: 1, samplesPerChannel: 2, itemId: 'x' }) as string,
      ),
    ).to.deep.equal({
      type: 'input_audio_buffer.append',
      audio: 'BQYHCA==',
    });
    expect(strategy.encodeUserText('hi')).to.deep.equal({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
    });
  });

  it('decodes frames and creates a fresh policy per conversation', () => {
    const strategy = strategyFrom();
    expect(strategy.decode('{"type":"response.output_audio.delta","delta":"AQID"}')).to.deep.equal({
      type: 'audioOut',
      data: 'AQID',
      sampleRate: 24000,
      numChannels: 1,
    });
    expect(strategy.decode('nope')).to.equal('invalid_json');
    const a = strategy.createPolicy(new FakePolicyHandle(), settings);
    const b = strategy.createPolicy(new FakePolicyHandle(), settings);
    expect(a).to.be.instanceOf(V2SessionPolicy);
    expect(a).to.not.equal(b);
  });
});
