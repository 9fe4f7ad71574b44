import { expect } from 'chai';
import { ParleyError, type ProtocolStrategy, type SessionSettings } from '@parley/core';
import { DelayedDelegationPolicy } from '../delayed-delegation-policy.js';
import { V1ProtocolStrategy } from '../v1-protocol-strategy.js';
import { FakePolicyHandle } from './fake-policy-handle.js';

const settings = (overrides: Partial<SessionSettings> = {}): SessionSettings => ({
  instructions: 'backend prompt',
  voice: undefined,
  model: 'realtime-test-model',
  outputModality: 'audio',
  mode: 'conversational',
  sessionId: undefined,
  tools: [],
  ...overrides,
});

const VOICES = ['juniper', 'maple', 'spruce', 'ember', 'vale', 'breeze', 'arbor', 'sol', 'cove'];

function thrown(action: () => unknown): ParleyError {
  try {
    action();
  } catch (error) {
    expect(error).to.be.instanceOf(ParleyError);
    return error as ParleyError;
  }
  expect.fail('expected a ParleyError');
}

describe('V1ProtocolStrategy', () => {
  const strategy = new V1ProtocolStrategy();

  it('has id v1', () => {
    expect(strategy.id).to.equal('v1');
  });

  describe('resolveSession', () => {
    it('defaults the voice to cove', () => {
      expect(strategy.resolveSession(settings()).voice).to.equal('cove');
      expect(strategy.resolveSession(settings({ voice: '' })).voice).to.equal('cove');
    });

    for (const voice of VOICES) {
      it(`accepts ${voice}`, () => {
        expect(strategy.resolveSession(settings({ voice }))).to.deep.equal(settings({ voice }));
      });
    }

    it('rejects another voice with the exact spec message', () => {
      const error = thrown(() => strategy.resolveSession(settings({ voice: 'marin' })));
      expect(error.code).to.equal('ERR_INVALID_SESSION');
      expect(error.message).to.equal(
        'voice `marin` is not supported for v1; supported voices: juniper, maple, spruce, ember, vale, breeze, arbor, sol, cove',
      );
    });

    it('voices are case-sensitive', () => {
      const error = thrown(() => strategy.resolveSession(settings({ voice: 'Cove' })));
      expect(error.message).to.equal(
        'voice `Cove` is not supported for v1; supported voices: juniper, maple, spruce, ember, vale, breeze, arbor, sol, cove',
      );
    });

    it('rejects text output with the exact spec message', () => {
      const error = thrown(() => strategy.resolveSession(settings({ outputModality: 'text', voice: 'cove' })));
      expect(error.code).to.equal('ERR_INVALID_SESSION');
      expect(error.message).to.equal('text output modality requires protocol v2');
    });

    it('rejects G.711 formats with the exact spec message; pcm16 is accepted', () => {
      for (const format of ['pcmu', 'pcma'] as const) {
        const error = thrown(() => strategy.resolveSession(settings({ audioFormat: format })));
        expect(error.code).to.equal('ERR_INVALID_SESSION');
        expect(error.message).to.equal(`audio format \`${format}\` is not supported for v1; use pcm16`);
      }
      expect(strategy.resolveSession(settings({ audioFormat: 'pcm16' })).audioFormat).to.equal('pcm16');
    });

    it('has no input commit or clear (commitInput/clearInput are ERR_UNSUPPORTED in the manager)', () => {
      const contract: ProtocolStrategy = strategy;
      expect(contract.encodeInputCommit).to.equal(undefined);
      expect(contract.encodeInputClear).to.equal(undefined);
      expect(contract.transcriptItemIds).to.equal(undefined);
    });

    it('treats transcription mode as conversational', () => {
      expect(strategy.resolveSession(settings({ mode: 'transcription' }))).to.deep.equal(settings({ voice: 'cove' }));
    });

    it('does not change its input', () => {
      const input = settings({ mode: 'transcription' });
      strategy.resolveSession(input);
      expect(input).to.deep.equal(settings({ mode: 'transcription' }));
    });
  });

  it('connectionParameters: intent=quicksilver and openai-alpha', () => {
    expect(strategy.connectionParameters(settings())).to.deep.equal({
      query: { intent: 'quicksilver' },
      headers: { 'openai-alpha': 'quicksilver=v1' },
    });
  });

  describe('sessionUpdate', () => {
    it('is exactly the spec message', () => {
      const message = strategy.sessionUpdate(
        strategy.resolveSession(settings({ voice: 'breeze', tools: [{ type: 'function', name: 'x' }] })),
      );
      expect(JSON.stringify(message)).to.equal(
        '{"type":"session.update","session":{"type":"quicksilver","instructions":"backend prompt",' +
          '"audio":{"input":{"format":{"type":"audio/pcm","rate":24000}},"output":{"voice":"breeze"}}}}',
      );
    });

    it('uses the default voice and empty instructions', () => {
      expect(strategy.sessionUpdate(settings({ instructions: '' }))).to.deep.equal({
        type: 'session.update',
        session: {
          type: 'quicksilver',
          instructions: '',
          audio: { input: { format: { type: 'audio/pcm', rate: 24000 } }, output: { voice: 'cove' } },
        },
      });
    });
  });

  describe('client messages', () => {
    it('audio sends only the data', () => {
      expect(
        JSON.parse(strategy.encodeAudio({ data: 'AQIDBA==', sampleRate: 48000, numChannels: 1, samplesPerChannel: 960, itemId: 'x' })),
      ).to.deep.equal({
        type: 'input_audio_buffer.append',
        audio: 'AQIDBA==',
      });
      expect(JSON.parse(strategy.encodeAudio({ data: 'AQI=' }))).to.deep.equal({ type: 'input_audio_buffer.append', audio: 'AQI=' });
    });

    it('user text is a user message item', () => {
      expect(JSON.stringify(strategy.encodeUserText('hello agent'))).to.equal(
        '{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"hello agent"}]}}',
      );
    });
  });

  describe('createPolicy', () => {
    it('creates a fresh delayed-delegation policy per conversation', () => {
      const first = strategy.createPolicy(new FakePolicyHandle(), settings());
      const second = strategy.createPolicy(new FakePolicyHandle(), settings());
      expect(first).to.be.instanceOf(DelayedDelegationPolicy);
      expect(first).to.not.equal(second);
    });
  });
});
