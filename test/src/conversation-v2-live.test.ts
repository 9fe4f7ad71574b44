/**
 * The live-true revision of V2 (CHANGES-v2-live), through the public API of the conversation
 * manager on the real strategies, an in-memory transport and a virtual clock.
 */
import { expect } from 'chai';
import { isParleyError, type ParleyConfigInput } from '@parley/core';
import { settle } from '@parley/testkit';
import { createProtocolHarness, type ProtocolHarness } from './support/protocol-harness.js';

async function started(
  protocol: string,
  config: ParleyConfigInput = {},
  start: Parameters<ProtocolHarness['manager']['start']>[0] = {},
): Promise<ProtocolHarness> {
  const h = createProtocolHarness(protocol, { config });
  await h.manager.start(start);
  await settle();
  return h;
}

async function failure(action: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await action();
  } catch (error) {
    if (isParleyError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a failure');
}

const types = (h: ProtocolHarness): string[] => h.initiated.map((message) => message.type as string);

describe('V2 live fidelity through the conversation manager', () => {
  describe('commitInput() / clearInput() (push-to-talk, CHANGES #3)', () => {
    it('go through the input loop after everything queued before them, audio included, even while the socket holds frames back', async () => {
      const h = await started('v2', { realtime: { v2: { turnDetection: { type: 'none' } } } });
      h.server().stall();
      h.manager.sendAudio({ data: 'AAAAAA==' });
      h.manager.sendAudio({ data: 'AQEBAQ==' });
      const commit = h.manager.commitInput();
      const request = h.manager.requestResponse();
      h.manager.sendAudio({ data: 'AgICAg==' });
      const clear = h.manager.clearInput();
      await settle();
      h.server().unstall();
      await Promise.all([commit, request, clear]);
      await settle();
      expect(types(h)).to.deep.equal([
        'session.update',
        'input_audio_buffer.append',
        'input_audio_buffer.append',
        'input_audio_buffer.commit',
        'response.create',
        'input_audio_buffer.append',
        'input_audio_buffer.clear',
      ]);
      expect(h.initiated[3]).to.deep.equal({ type: 'input_audio_buffer.commit' });
      expect(h.initiated[6]).to.deep.equal({ type: 'input_audio_buffer.clear' });
    });

    it('v1 rejects both at call time with ERR_UNSUPPORTED and queues nothing', async () => {
      const h = await started('v1');
      expect(await failure(() => h.manager.commitInput())).to.deep.equal({
        code: 'ERR_UNSUPPORTED',
        message: 'commitInput is not supported by protocol v1',
      });
      expect(await failure(() => h.manager.clearInput())).to.deep.equal({
        code: 'ERR_UNSUPPORTED',
        message: 'clearInput is not supported by protocol v1',
      });
      await settle();
      expect(types(h)).to.deep.equal(['session.update']);
    });

    it('fail with ERR_NOT_RUNNING when no conversation runs', async () => {
      const h = createProtocolHarness('v2');
      expect(await failure(() => h.manager.commitInput())).to.deep.equal({
        code: 'ERR_NOT_RUNNING',
        message: 'conversation is not running',
      });
      expect(await failure(() => h.manager.clearInput())).to.deep.equal({
        code: 'ERR_NOT_RUNNING',
        message: 'conversation is not running',
      });
    });
  });

  describe('the API key is checked by the core, for every transport (CHANGES #14)', () => {
    it('no key, no Authorization header, a non-loopback URL: ERR_MISSING_API_KEY before any connection, nothing sent', async () => {
      for (const protocol of ['v1', 'v2']) {
        const h = createProtocolHarness(protocol, { config: { realtime: { apiKey: '' } } });
        expect(await failure(() => h.manager.start({ apiKey: '' }))).to.deep.equal({
          code: 'ERR_MISSING_API_KEY',
          message: 'an API key is required: set OPENAI_API_KEY or realtime.apiKey',
        });
        expect(h.transport.requests).to.have.length(0);
        expect(h.initiated).to.deep.equal([]);
        expect(h.events).to.deep.equal([
          {
            type: 'error',
            message: 'an API key is required: set OPENAI_API_KEY or realtime.apiKey',
            fatal: true,
            code: 'ERR_MISSING_API_KEY',
          },
        ]);
      }
    });

    it('a loopback URL, a configured Authorization header (any case) or a start header needs no key', async () => {
      const cases: [ParleyConfigInput, Record<string, string>][] = [
        [{ realtime: { apiKey: '', url: 'http://127.0.0.1:8011' } }, {}],
        [{ realtime: { apiKey: '', url: 'ws://localhost:9' } }, {}],
        [{ realtime: { apiKey: '', url: 'ws://[::1]:9' } }, {}],
        [{ realtime: { apiKey: '', headers: { authorization: 'Bearer from-config' } } }, {}],
        [{ realtime: { apiKey: '' } }, { AUTHORIZATION: 'Bearer from-start' }],
      ];
      for (const [config, headers] of cases) {
        const h = createProtocolHarness('v2', { config });
        await h.manager.start({ headers });
        expect(h.transport.requests, JSON.stringify(config)).to.have.length(1);
        await h.manager.close();
      }
    });

    it('a URL that does not parse counts as not loopback', async () => {
      const h = createProtocolHarness('v2', { config: { realtime: { apiKey: '', url: 'not a url' } } });
      expect((await failure(() => h.manager.start())).code).to.equal('ERR_MISSING_API_KEY');
    });

    it('start order: protocol, session, key: a bad voice is reported before a missing key', async () => {
      const h = createProtocolHarness('v2', { config: { realtime: { apiKey: '' } } });
      expect((await failure(() => h.manager.start({ voice: 'nobody' }))).code).to.equal('ERR_INVALID_SESSION');
      const unknown = createProtocolHarness('v9', { config: { realtime: { apiKey: '' } } });
      expect((await failure(() => unknown.manager.start())).code).to.equal('ERR_UNKNOWN_PROTOCOL');
    });
  });

  describe('audio formats (CHANGES #4)', () => {
    it('G.711: any non-empty base64 is whole samples (AQID, 3 bytes); PCM16 refuses it', async () => {
      const g711 = await started('v2', { realtime: { audio: { format: 'pcmu' } } });
      g711.manager.sendAudio({ data: 'AQID' });
      await settle();
      expect(g711.initiated[1]).to.deep.equal({ type: 'input_audio_buffer.append', audio: 'AQID' });
      const pcm = await started('v2');
      expect(() => pcm.manager.sendAudio({ data: 'AQID' })).to.throw('odd byte length');
    });

    it('pcmu/pcma in session.update for input and output, and audioOut at 8000 Hz by default', async () => {
      for (const [format, wire] of [
        ['pcmu', { type: 'audio/pcmu' }],
        ['pcma', { type: 'audio/pcma' }],
      ] as const) {
        const h = await started('v2', { realtime: { audio: { format } } });
        const session = (h.initiated[0] as { session: { audio: { input: { format: unknown }; output: { format: unknown } } } }).session;
        expect(session.audio.input.format).to.deep.equal(wire);
        expect(session.audio.output.format).to.deep.equal(wire);
        h.server().serverText(JSON.stringify({ type: 'response.output_audio.delta', item_id: 'a', delta: 'AQID' }));
        expect(h.of('audioOut')).to.deep.equal([{ type: 'audioOut', data: 'AQID', sampleRate: 8000, numChannels: 1, itemId: 'a' }]);
      }
    });

    it('v1 accepts only pcm16: a G.711 format fails at start with ERR_INVALID_SESSION', async () => {
      const h = createProtocolHarness('v1', { config: { realtime: { audio: { format: 'pcma' } } } });
      expect(await failure(() => h.manager.start())).to.deep.equal({
        code: 'ERR_INVALID_SESSION',
        message: 'audio format `pcma` is not supported for v1; use pcm16',
      });
      expect(h.transport.requests).to.have.length(0);
    });
  });

  describe('transcription mode (CHANGES #1, #8)', () => {
    it('connects with ?intent=transcription and no model, and sends the transcription session', async () => {
      const h = await started('v2', { realtime: { mode: 'transcription', query: { model: 'other', trace: '1' } } });
      expect(h.transport.urls).to.deep.equal(['wss://api.openai.com/v1/realtime?intent=transcription&trace=1']);
      expect(h.transport.requests[0]?.model).to.equal('');
      expect(h.initiated[0]).to.deep.equal({
        type: 'session.update',
        session: {
          type: 'transcription',
          audio: {
            input: {
              format: { type: 'audio/pcm', rate: 24000 },
              transcription: { model: 'gpt-4o-mini-transcribe' },
              noise_reduction: { type: 'near_field' },
              turn_detection: { type: 'server_vad' },
            },
          },
        },
      });
    });

    it('without a transcription model the start fails before connecting', async () => {
      const h = createProtocolHarness('v2', { config: { realtime: { mode: 'transcription', v2: { transcription: { model: '' } } } } });
      expect(await failure(() => h.manager.start())).to.deep.equal({
        code: 'ERR_INVALID_SESSION',
        message: 'transcription mode needs a transcription model: set realtime.v2.transcription.model',
      });
      expect(h.transport.requests).to.have.length(0);
    });

    it('conversational sessions transcribe by default; "" turns it off', async () => {
      const on = await started('v2');
      expect(
        (on.initiated[0] as { session: { audio: { input: Record<string, unknown> } } }).session.audio.input.transcription,
      ).to.deep.equal({
        model: 'gpt-4o-mini-transcribe',
      });
      const off = await started('v2', { realtime: { v2: { transcription: { model: '' } } } });
      expect((off.initiated[0] as { session: { audio: { input: Record<string, unknown> } } }).session.audio.input).to.not.have.property(
        'transcription',
      );
    });
  });

  describe('usage totals and failed responses (CHANGES #9)', () => {
    it('stats().usage sums every responseDone.usage (spec 04 example); a field a response omitted adds 0', async () => {
      const h = await started('v2');
      expect(h.manager.stats().usage.totalTokens).to.equal(0);
      h.server().serverText(
        JSON.stringify({
          type: 'response.done',
          response: { id: 'r1', usage: { input_tokens: 200, output_tokens: 100, total_tokens: 300 } },
        }),
      );
      h.server().serverText(
        JSON.stringify({
          type: 'response.done',
          response: {
            id: 'r2',
            usage: { input_tokens: 50, output_tokens: 10, total_tokens: 60, output_token_details: { audio_tokens: 8 } },
          },
        }),
      );
      expect(h.manager.stats().usage).to.deep.equal({
        inputTokens: 250,
        outputTokens: 110,
        totalTokens: 360,
        inputTokenDetails: {
          textTokens: 0,
          audioTokens: 0,
          imageTokens: 0,
          cachedTokens: 0,
          cachedTokensDetails: { textTokens: 0, audioTokens: 0, imageTokens: 0 },
        },
        outputTokenDetails: { textTokens: 0, audioTokens: 8 },
      });
      const copy = h.manager.stats().usage;
      copy.totalTokens = 1;
      expect(h.manager.stats().usage.totalTokens).to.equal(360);
      await h.manager.close();
      expect(h.manager.stats().usage.totalTokens).to.equal(360);
    });
  });

  describe('the active transcript keyed by item (CHANGES #7)', () => {
    const send = (h: ProtocolHarness, frame: unknown): void => h.server().serverText(JSON.stringify(frame));
    const handoff = (h: ProtocolHarness, callId: string): void =>
      send(h, {
        type: 'conversation.item.done',
        item: { id: `item_${callId}`, type: 'function_call', name: 'background_agent', call_id: callId, arguments: '{"prompt":"go"}' },
      });

    it('example 1: the user transcript completing after the response started keeps its place', async () => {
      const h = await started('v2');
      send(h, {
        type: 'conversation.item.added',
        item: { id: 'item_u1', type: 'message', role: 'user', content: [{ type: 'input_audio' }] },
      });
      send(h, { type: 'conversation.item.added', item: { id: 'item_a1', type: 'message', role: 'assistant', content: [] } });
      send(h, { type: 'response.output_audio_transcript.delta', item_id: 'item_a1', delta: 'Sure, ' });
      send(h, { type: 'conversation.item.input_audio_transcription.delta', item_id: 'item_u1', delta: 'Book a table' });
      send(h, { type: 'response.output_audio_transcript.delta', item_id: 'item_a1', delta: 'which day?' });
      send(h, { type: 'conversation.item.input_audio_transcription.completed', item_id: 'item_u1', transcript: 'Book a table for two.' });
      handoff(h, 'call_1');
      expect(h.of('handoffRequested')[0]?.activeTranscript).to.deep.equal([
        { role: 'user', text: 'Book a table for two.' },
        { role: 'assistant', text: 'Sure, which day?' },
      ]);
    });

    it('example 2 (no item added: placed where it first appears) and example 3 (a take before the transcription completes)', async () => {
      const h = await started('v2');
      send(h, { type: 'response.output_audio_transcript.delta', item_id: 'item_a1', delta: 'Sure.' });
      send(h, { type: 'conversation.item.input_audio_transcription.completed', item_id: 'item_u1', transcript: 'Book a table.' });
      handoff(h, 'call_1');
      expect(h.of('handoffRequested')[0]?.activeTranscript).to.deep.equal([
        { role: 'assistant', text: 'Sure.' },
        { role: 'user', text: 'Book a table.' },
      ]);
      send(h, {
        type: 'conversation.item.added',
        item: { id: 'item_u2', type: 'message', role: 'user', content: [{ type: 'input_audio' }] },
      });
      send(h, { type: 'conversation.item.added', item: { id: 'item_a2', type: 'message', role: 'assistant', content: [] } });
      send(h, { type: 'response.output_audio_transcript.delta', item_id: 'item_a2', delta: 'Let me check.' });
      handoff(h, 'call_2');
      send(h, { type: 'conversation.item.input_audio_transcription.completed', item_id: 'item_u2', transcript: "What's the weather?" });
      handoff(h, 'call_3');
      expect(h.of('handoffRequested').map((event) => event.activeTranscript)).to.deep.equal([
        [
          { role: 'assistant', text: 'Sure.' },
          { role: 'user', text: 'Book a table.' },
        ],
        [{ role: 'assistant', text: 'Let me check.' }],
        [{ role: 'user', text: "What's the weather?" }],
      ]);
    });

    it('a failed transcription removes its empty entry; a deleted item removes its entry; text-only user items add nothing', async () => {
      const h = await started('v2');
      send(h, {
        type: 'conversation.item.added',
        item: { id: 'item_u1', type: 'message', role: 'user', content: [{ type: 'input_audio' }] },
      });
      send(h, {
        type: 'conversation.item.added',
        item: { id: 'item_t', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'typed' }] },
      });
      send(h, { type: 'conversation.item.added', item: { id: 'item_a1', type: 'message', role: 'assistant', content: [] } });
      send(h, { type: 'response.output_audio_transcript.delta', item_id: 'item_a1', delta: 'unheard words' });
      send(h, { type: 'conversation.item.input_audio_transcription.failed', item_id: 'item_u1', error: { message: 'x' } });
      expect(h.manager.stats().transcriptEntries).to.equal(1);
      send(h, { type: 'conversation.item.deleted', item_id: 'item_a1' });
      expect(h.manager.stats().transcriptEntries).to.equal(0);
      expect(h.of('inputTranscriptFailed')).to.deep.equal([{ type: 'inputTranscriptFailed', itemId: 'item_u1', message: 'x' }]);
    });

    it('v1 does not anchor items: conversation.item.added adds no entry', async () => {
      const h = await started('v1');
      send(h, { type: 'conversation.item.added', item: { id: 'item_a1', type: 'message', role: 'assistant', content: [] } });
      expect(h.manager.stats().transcriptEntries).to.equal(0);
    });
  });

  describe('configuration validation (CHANGES #2, #4)', () => {
    for (const [name, config] of [
      ['threshold above 1', { realtime: { v2: { turnDetection: { threshold: 1.5 } } } }],
      ['negative silence', { realtime: { v2: { turnDetection: { silenceDurationMs: -1 } } } }],
      ['idle timeout 0', { realtime: { v2: { turnDetection: { idleTimeoutMs: 0 } } } }],
      ['an unknown turn detection type', { realtime: { v2: { turnDetection: { type: 'push' } } } }],
      ['an unknown eagerness', { realtime: { v2: { turnDetection: { eagerness: 'eager' } } } }],
      ['an unknown noise reduction', { realtime: { v2: { noiseReduction: 'studio' } } }],
      ['an unknown audio format', { realtime: { audio: { format: 'opus' } } }],
    ] as [string, ParleyConfigInput][]) {
      it(`${name} fails with ERR_INVALID_CONFIG`, () => {
        let code: string | undefined;
        try {
          createProtocolHarness('v2', { config });
        } catch (error) {
          code = isParleyError(error) ? error.code : undefined;
        }
        expect(code).to.equal('ERR_INVALID_CONFIG');
      });
    }
  });
});
