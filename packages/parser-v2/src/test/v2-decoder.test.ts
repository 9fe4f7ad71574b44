import { expect } from 'chai';
import { decodeV2Frame, handoffInputTranscript } from '../v2-decoder.js';

const decode = (frame: unknown): ReturnType<typeof decodeV2Frame> => decodeV2Frame(JSON.stringify(frame));

describe('decodeV2Frame: spec 03 examples', () => {
  it('a background_agent function call item done is a handoff', () => {
    expect(
      decode({
        type: 'conversation.item.done',
        item: {
          id: 'item_123',
          type: 'function_call',
          name: 'background_agent',
          call_id: 'call_123',
          arguments: '{"prompt":"delegate this"}',
        },
      }),
    ).to.deep.equal({
      type: 'handoffRequested',
      handoffId: 'call_123',
      itemId: 'item_123',
      inputTranscript: 'delegate this',
      activeTranscript: [],
    });
  });

  it('an audio delta with defaults', () => {
    const event = decode({ type: 'response.output_audio.delta', delta: 'AQID' });
    expect(event).to.deep.equal({ type: 'audioOut', data: 'AQID', sampleRate: 24000, numChannels: 1 });
    expect(Object.keys(event as object)).to.deep.equal(['type', 'data', 'sampleRate', 'numChannels']);
  });

  it('a cancelled response', () => {
    expect(decode({ type: 'response.cancelled', response: { id: 'resp_1' } })).to.deep.equal({
      type: 'responseCancelled',
      responseId: 'resp_1',
    });
  });
});

describe('decodeV2Frame: one test per server event row', () => {
  it('session.updated with and without instructions', () => {
    expect(decode({ type: 'session.updated', session: { id: 'sess_1', instructions: 'be brief', model: 'x' } })).to.deep.equal({
      type: 'sessionUpdated',
      sessionId: 'sess_1',
      instructions: 'be brief',
    });
    const bare = decode({ type: 'session.updated', session: { id: 'sess_2' } });
    expect(bare).to.deep.equal({ type: 'sessionUpdated', sessionId: 'sess_2' });
    expect(bare).to.not.have.property('instructions');
    expect(decode({ type: 'session.updated', session: { id: 'sess_3', instructions: 7 } })).to.deep.equal({
      type: 'sessionUpdated',
      sessionId: 'sess_3',
    });
  });

  it('response.output_audio.delta with every field', () => {
    expect(
      decode({
        type: 'response.output_audio.delta',
        delta: 'AAAA',
        sample_rate: 48000,
        channels: 2,
        samples_per_channel: 960,
        item_id: 'it_1',
      }),
    ).to.deep.equal({ type: 'audioOut', data: 'AAAA', sampleRate: 48000, numChannels: 2, samplesPerChannel: 960, itemId: 'it_1' });
  });

  it('response.audio.delta (older name) and num_channels', () => {
    expect(decode({ type: 'response.audio.delta', delta: 'AAAA', num_channels: 2, item_id: 'it_2' })).to.deep.equal({
      type: 'audioOut',
      data: 'AAAA',
      sampleRate: 24000,
      numChannels: 2,
      itemId: 'it_2',
    });
  });

  it('channels wins over num_channels; a mistyped optional or defaulted field is omitted or defaulted', () => {
    expect(decode({ type: 'response.output_audio.delta', delta: 'AA==', channels: 1, num_channels: 2 })).to.deep.equal({
      type: 'audioOut',
      data: 'AA==',
      sampleRate: 24000,
      numChannels: 1,
    });
    const event = decode({
      type: 'response.output_audio.delta',
      delta: 'AA==',
      sample_rate: '48000',
      channels: 0,
      samples_per_channel: 'x',
      item_id: 5,
    });
    expect(event).to.deep.equal({ type: 'audioOut', data: 'AA==', sampleRate: 24000, numChannels: 1 });
    expect(event).to.not.have.property('itemId');
    expect(event).to.not.have.property('samplesPerChannel');
  });

  it('conversation.item.input_audio_transcription.delta / .completed', () => {
    expect(decode({ type: 'conversation.item.input_audio_transcription.delta', item_id: 'i', delta: 'hel' })).to.deep.equal({
      type: 'inputTranscriptDelta',
      delta: 'hel',
      itemId: 'i',
    });
    expect(decode({ type: 'conversation.item.input_audio_transcription.completed', transcript: 'hello' })).to.deep.equal({
      type: 'inputTranscriptDone',
      text: 'hello',
    });
  });

  it('response.output_text.delta and response.output_audio_transcript.delta', () => {
    expect(decode({ type: 'response.output_text.delta', delta: 'a' })).to.deep.equal({ type: 'outputTranscriptDelta', delta: 'a' });
    expect(decode({ type: 'response.output_audio_transcript.delta', delta: 'b' })).to.deep.equal({
      type: 'outputTranscriptDelta',
      delta: 'b',
    });
  });

  it('response.output_text.done reads text; response.output_audio_transcript.done reads transcript', () => {
    expect(decode({ type: 'response.output_text.done', text: 'all', transcript: 'no' })).to.deep.equal({
      type: 'outputTranscriptDone',
      text: 'all',
    });
    expect(decode({ type: 'response.output_audio_transcript.done', transcript: 'said', text: 'no' })).to.deep.equal({
      type: 'outputTranscriptDone',
      text: 'said',
    });
  });

  it('input_audio_buffer.speech_started with and without item_id', () => {
    expect(decode({ type: 'input_audio_buffer.speech_started', item_id: 'item_user', audio_start_ms: 5 })).to.deep.equal({
      type: 'inputAudioSpeechStarted',
      itemId: 'item_user',
    });
    const bare = decode({ type: 'input_audio_buffer.speech_started' });
    expect(bare).to.deep.equal({ type: 'inputAudioSpeechStarted' });
    expect(bare).to.not.have.property('itemId');
  });

  it('conversation.item.added and .created carry the item untouched', () => {
    const item = { id: 'i1', type: 'message', role: 'assistant', content: [{ type: 'output_audio' }] };
    expect(decode({ type: 'conversation.item.added', item })).to.deep.equal({ type: 'conversationItemAdded', item });
    expect(decode({ type: 'conversation.item.created', item: 'any json' })).to.deep.equal({
      type: 'conversationItemAdded',
      item: 'any json',
    });
  });

  it('conversation.item.done of another item gives conversationItemDone', () => {
    expect(decode({ type: 'conversation.item.done', item: { id: 'item_9', type: 'message' } })).to.deep.equal({
      type: 'conversationItemDone',
      itemId: 'item_9',
    });
  });

  // Spec 09 §8.1: a call of a user tool is a functionCallDone (the policy delivers its
  // conversationItemDone, then reports the call to the tool runner); it used to be only the item.
  it('a function_call of another tool, from conversation.item.done or response.output_item.done, gives functionCallDone', () => {
    expect(
      decode({
        type: 'conversation.item.done',
        item: { id: 'item_f', type: 'function_call', status: 'completed', name: 'other_tool', call_id: 'c', arguments: '{}' },
      }),
    ).to.deep.equal({
      type: 'functionCallDone',
      source: 'item',
      callId: 'c',
      name: 'other_tool',
      arguments: '{}',
      itemId: 'item_f',
      complete: true,
    });
    expect(
      decode({
        type: 'response.output_item.done',
        response_id: 'resp_1',
        output_index: 0,
        item: { id: 'item_f', type: 'function_call', status: 'incomplete', name: 'other_tool', call_id: 'c', arguments: '{"ci' },
      }),
    ).to.deep.equal({
      type: 'functionCallDone',
      source: 'output_item',
      callId: 'c',
      name: 'other_tool',
      arguments: '{"ci',
      itemId: 'item_f',
      responseId: 'resp_1',
      complete: false,
    });
    // call id from the item id; name and arguments default to ""; neither id: skipped
    expect(decode({ type: 'conversation.item.done', item: { id: 'item_g', type: 'function_call', arguments: 5 } })).to.deep.equal({
      type: 'functionCallDone',
      source: 'item',
      callId: 'item_g',
      name: '',
      arguments: '',
      itemId: 'item_g',
      complete: true,
    });
    expect(decode({ type: 'conversation.item.done', item: { type: 'function_call', name: 'x' } })).to.equal('invalid_fields');
    // the handoff tool stays a handoff; other output items stay unknown
    expect(
      decode({ type: 'response.output_item.done', item: { id: 'i', type: 'function_call', name: 'background_agent', call_id: 'h' } }),
    ).to.equal('unknown_type');
    expect(decode({ type: 'response.output_item.done', item: { id: 'i', type: 'message' } })).to.equal('unknown_type');
    expect(decode({ type: 'response.function_call_arguments.done', call_id: 'c', arguments: '{}' })).to.equal('unknown_type');
  });

  it('response.created / response.done: response.id, else response_id, else no id', () => {
    expect(decode({ type: 'response.created', response: { id: 'resp_a' } })).to.deep.equal({
      type: 'responseCreated',
      responseId: 'resp_a',
    });
    expect(decode({ type: 'response.done', response_id: 'resp_b' })).to.deep.equal({ type: 'responseDone', responseId: 'resp_b' });
    expect(decode({ type: 'response.done', response: { id: 'resp_c' }, response_id: 'resp_x' })).to.deep.equal({
      type: 'responseDone',
      responseId: 'resp_c',
    });
    const bare = decode({ type: 'response.cancelled' });
    expect(bare).to.deep.equal({ type: 'responseCancelled' });
    expect(bare).to.not.have.property('responseId');
  });

  it('response.done is never a handoff, even when its output lists the handoff call', () => {
    expect(
      decode({
        type: 'response.done',
        response: {
          id: 'resp_f',
          output: [{ id: 'item_c', type: 'function_call', name: 'background_agent', call_id: 'call_c', arguments: '{}' }],
        },
      }),
    ).to.deep.equal({ type: 'responseDone', responseId: 'resp_f' });
  });

  it('error: message, else error.message, else the error value as JSON; always fatal here', () => {
    expect(decode({ type: 'error', message: 'direct' })).to.deep.equal({ type: 'error', message: 'direct', fatal: true });
    expect(decode({ type: 'error', error: { message: 'nested', code: 'x' } })).to.deep.equal({
      type: 'error',
      message: 'nested',
      code: 'x',
      fatal: true,
    });
    expect(decode({ type: 'error', error: { code: 'c' } })).to.deep.equal({
      type: 'error',
      message: '{"code":"c"}',
      code: 'c',
      fatal: true,
    });
    expect(decode({ type: 'error', error: 'plain' })).to.deep.equal({ type: 'error', message: '"plain"', fatal: true });
    expect(decode({ type: 'error' })).to.equal('invalid_fields');
    expect(
      decode({
        type: 'error',
        error: { code: 'conversation_already_has_active_response', message: 'Conversation already has an active response in progress: r' },
      }),
    ).to.deep.equal({
      type: 'error',
      message: 'Conversation already has an active response in progress: r',
      code: 'conversation_already_has_active_response',
      fatal: true,
    });
  });
});

describe('decodeV2Frame: handoff ids and arguments', () => {
  const call = (item: Record<string, unknown>): ReturnType<typeof decodeV2Frame> =>
    decode({ type: 'conversation.item.done', item: { type: 'function_call', name: 'background_agent', ...item } });

  it('handoffId falls back to id and itemId to call_id', () => {
    expect(call({ id: 'item_only', arguments: '{"prompt":"x"}' })).to.deep.include({ handoffId: 'item_only', itemId: 'item_only' });
    expect(call({ call_id: 'call_only', arguments: '{"prompt":"x"}' })).to.deep.include({ handoffId: 'call_only', itemId: 'call_only' });
  });

  it('a handoff call with neither id nor call_id is skipped', () => {
    expect(call({ arguments: '{"prompt":"x"}' })).to.equal('invalid_fields');
  });

  it('missing arguments default to an empty transcript', () => {
    expect(call({ id: 'i', call_id: 'c' })).to.deep.include({ inputTranscript: '' });
  });

  it('key order input_transcript, input, text, prompt, query; blank values skipped; trimmed', () => {
    expect(handoffInputTranscript('{"query":"q","prompt":"p","text":"t","input":"i","input_transcript":"it"}')).to.equal('it');
    expect(handoffInputTranscript('{"query":"q","prompt":"p","text":"t","input":"i"}')).to.equal('i');
    expect(handoffInputTranscript('{"query":"q","prompt":"p","text":"t"}')).to.equal('t');
    expect(handoffInputTranscript('{"query":"q","prompt":"  p  "}')).to.equal('p');
    expect(handoffInputTranscript('{"query":" q\\n"}')).to.equal('q');
    expect(handoffInputTranscript('{"input_transcript":"   ","prompt":"fallback"}')).to.equal('fallback');
    expect(handoffInputTranscript('{"input_transcript":42,"text":"typed"}')).to.equal('typed');
  });

  it('anything else is the raw arguments string unchanged', () => {
    expect(handoffInputTranscript('not json ')).to.equal('not json ');
    expect(handoffInputTranscript('["prompt"]')).to.equal('["prompt"]');
    expect(handoffInputTranscript('"just a string"')).to.equal('"just a string"');
    expect(handoffInputTranscript('{"other":"x"}')).to.equal('{"other":"x"}');
    expect(handoffInputTranscript('{"prompt":"x","city":"Lisbon"}')).to.equal('x');
    expect(handoffInputTranscript('{"prompt":"","city":"Lisbon"}')).to.equal('{"prompt":"","city":"Lisbon"}');
    expect(handoffInputTranscript('')).to.equal('');
    expect(handoffInputTranscript('null')).to.equal('null');
  });

  it('an object of only the five known keys with no usable text is an empty handoff: ""', () => {
    expect(handoffInputTranscript('{}')).to.equal('');
    expect(handoffInputTranscript('{"prompt":""}')).to.equal('');
    expect(handoffInputTranscript('{"prompt":"  "}')).to.equal('');
    expect(handoffInputTranscript('{"input":"","query":7,"text":null}')).to.equal('');
    expect(call({ id: 'item_e', call_id: 'call_e', arguments: '{"prompt":""}' })).to.deep.include({ inputTranscript: '' });
    expect(call({ id: 'item_l', call_id: 'call_l', arguments: '{"city":"Lisbon"}' })).to.deep.include({
      inputTranscript: '{"city":"Lisbon"}',
    });
  });

  it('inherited keys are not read (__proto__ in the arguments)', () => {
    expect(handoffInputTranscript('{"__proto__":{"prompt":"polluted"}}')).to.equal('{"__proto__":{"prompt":"polluted"}}');
  });

  it('non-string arguments are treated as absent', () => {
    expect(call({ id: 'i', call_id: 'c', arguments: { prompt: 'object' } })).to.deep.include({ inputTranscript: '' });
  });
});

describe('decodeV2Frame: skip rules', () => {
  it('invalid JSON, missing or non-string type, unknown type', () => {
    expect(decodeV2Frame('not json at all')).to.equal('invalid_json');
    expect(decodeV2Frame('{"type": ')).to.equal('invalid_json');
    expect(decode({ no: 'type' })).to.equal('missing_type');
    expect(decode({ type: 42 })).to.equal('missing_type');
    expect(decode([1, 2])).to.equal('missing_type');
    expect(decode('text')).to.equal('missing_type');
    expect(decode({ type: 'totally.unknown.event', payload: 1 })).to.equal('unknown_type');
    expect(decode({ type: 'conversation.output_audio.delta', delta: 'AA==', sample_rate: 24000, channels: 1 })).to.equal('unknown_type');
  });

  it('missing or mistyped required fields', () => {
    const cases: unknown[] = [
      { type: 'session.updated' },
      { type: 'session.updated', session: { id: 5 } },
      { type: 'session.updated', session: 'sess' },
      { type: 'response.output_audio.delta' },
      { type: 'response.audio.delta', delta: 5 },
      { type: 'conversation.item.input_audio_transcription.delta' },
      { type: 'conversation.item.input_audio_transcription.completed', transcript: null },
      { type: 'response.output_text.delta', delta: {} },
      { type: 'response.output_audio_transcript.delta' },
      { type: 'response.output_text.done', transcript: 'wrong field' },
      { type: 'response.output_audio_transcript.done', text: 'wrong field' },
      { type: 'conversation.item.added' },
      { type: 'conversation.item.created' },
      { type: 'conversation.item.done' },
      { type: 'conversation.item.done', item: 'x' },
      { type: 'conversation.item.done', item: { type: 'message' } },
    ];
    for (const frame of cases) expect(decode(frame), JSON.stringify(frame)).to.equal('invalid_fields');
  });

  it('extra fields are ignored and __proto__ keys do not pollute', () => {
    const event = decodeV2Frame('{"type":"session.updated","session":{"id":"sess_ok","__proto__":{"polluted":true}},"extra":1}');
    expect(event).to.deep.equal({ type: 'sessionUpdated', sessionId: 'sess_ok' });
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    expect(Object.getPrototypeOf(event)).to.equal(Object.prototype);
  });
});

describe('decodeV2Frame: the live-true events (spec 03)', () => {
  it('session.created → sessionCreated (the server defaults, separate from sessionUpdated)', () => {
    expect(decode({ type: 'session.created', session: { type: 'realtime', id: 'sess_1', instructions: '' } })).to.deep.equal({
      type: 'sessionCreated',
      sessionId: 'sess_1',
      instructions: '',
    });
    expect(decode({ type: 'session.created', session: { id: 'sess_2', instructions: null } })).to.deep.equal({
      type: 'sessionCreated',
      sessionId: 'sess_2',
    });
    expect(decode({ type: 'session.created', session: {} })).to.equal('invalid_fields');
  });

  it('audio without a sample rate gets the format rate: 8000 for G.711', () => {
    expect(
      decodeV2Frame(JSON.stringify({ type: 'response.output_audio.delta', delta: 'AQID' }), { defaultSampleRate: 8000 }),
    ).to.deep.equal({
      type: 'audioOut',
      data: 'AQID',
      sampleRate: 8000,
      numChannels: 1,
    });
  });

  it('transcript events carry itemId when the frame has a string item_id (output and input, delta and done)', () => {
    expect(decode({ type: 'response.output_audio_transcript.delta', item_id: 'item_a1', delta: 'Sure' })).to.deep.equal({
      type: 'outputTranscriptDelta',
      delta: 'Sure',
      itemId: 'item_a1',
    });
    expect(decode({ type: 'response.output_text.delta', item_id: 'a', delta: 'x' })).to.deep.include({ itemId: 'a' });
    expect(decode({ type: 'response.output_text.done', item_id: 'a', text: 'x' })).to.deep.equal({
      type: 'outputTranscriptDone',
      text: 'x',
      itemId: 'a',
    });
    expect(decode({ type: 'response.output_audio_transcript.done', item_id: 'a', transcript: 'x' })).to.deep.equal({
      type: 'outputTranscriptDone',
      text: 'x',
      itemId: 'a',
    });
    expect(decode({ type: 'conversation.item.input_audio_transcription.completed', item_id: 'u', transcript: 'hi' })).to.deep.equal({
      type: 'inputTranscriptDone',
      text: 'hi',
      itemId: 'u',
    });
    expect(decode({ type: 'response.output_audio_transcript.delta', item_id: null, delta: 'x' })).to.not.have.property('itemId');
  });

  it('speech stopped and committed (previous_item_id null is left out)', () => {
    expect(decode({ type: 'input_audio_buffer.speech_stopped', item_id: 'item_u1', audio_end_ms: 880 })).to.deep.equal({
      type: 'inputAudioSpeechStopped',
      itemId: 'item_u1',
    });
    expect(decode({ type: 'input_audio_buffer.speech_stopped' })).to.deep.equal({ type: 'inputAudioSpeechStopped' });
    expect(decode({ type: 'input_audio_buffer.committed', item_id: 'item_u1', previous_item_id: null })).to.deep.equal({
      type: 'inputAudioCommitted',
      itemId: 'item_u1',
    });
    expect(decode({ type: 'input_audio_buffer.committed', item_id: 'item_u2', previous_item_id: 'item_u1' })).to.deep.equal({
      type: 'inputAudioCommitted',
      itemId: 'item_u2',
      previousItemId: 'item_u1',
    });
  });

  it('input_audio_buffer.timeout_triggered (the idle timeout): the silent segment and the item, never skipped as unknown', () => {
    expect(
      decode({
        type: 'input_audio_buffer.timeout_triggered',
        event_id: 'event_9',
        audio_start_ms: 1200,
        audio_end_ms: 7200,
        item_id: 'item_7',
      }),
    ).to.deep.equal({ type: 'inputAudioTimeoutTriggered', audioStartMs: 1200, audioEndMs: 7200, itemId: 'item_7' });
    expect(decode({ type: 'input_audio_buffer.timeout_triggered', audio_start_ms: 0, audio_end_ms: 0 })).to.deep.equal({
      type: 'inputAudioTimeoutTriggered',
      audioStartMs: 0,
      audioEndMs: 0,
    });
    expect(decode({ type: 'input_audio_buffer.timeout_triggered', audio_start_ms: -1, audio_end_ms: 0, item_id: 'i' })).to.equal(
      'invalid_fields',
    );
    expect(decode({ type: 'input_audio_buffer.timeout_triggered', audio_start_ms: 5, item_id: 'i' })).to.equal('invalid_fields');
  });

  it('conversation.item.truncated and .deleted (required fields)', () => {
    expect(decode({ type: 'conversation.item.truncated', item_id: 'item_a1', content_index: 0, audio_end_ms: 80 })).to.deep.equal({
      type: 'conversationItemTruncated',
      itemId: 'item_a1',
      audioEndMs: 80,
    });
    expect(decode({ type: 'conversation.item.truncated', item_id: 'item_a1', audio_end_ms: -1 })).to.equal('invalid_fields');
    expect(decode({ type: 'conversation.item.truncated', audio_end_ms: 5 })).to.equal('invalid_fields');
    expect(decode({ type: 'conversation.item.deleted', item_id: 'item_a1' })).to.deep.equal({
      type: 'conversationItemDeleted',
      itemId: 'item_a1',
    });
    expect(decode({ type: 'conversation.item.deleted' })).to.equal('invalid_fields');
  });

  it('input transcription failed: message (default), code', () => {
    expect(
      decode({
        type: 'conversation.item.input_audio_transcription.failed',
        item_id: 'item_u1',
        content_index: 0,
        error: { type: 'transcription_error', code: 'audio_unintelligible', message: 'Audio could not be transcribed.', param: null },
      }),
    ).to.deep.equal({
      type: 'inputTranscriptFailed',
      itemId: 'item_u1',
      message: 'Audio could not be transcribed.',
      code: 'audio_unintelligible',
    });
    expect(decode({ type: 'conversation.item.input_audio_transcription.failed' })).to.deep.equal({
      type: 'inputTranscriptFailed',
      message: 'input audio transcription failed',
    });
  });

  it('rate_limits.updated: object entries only, camelCase, mistyped fields left out', () => {
    expect(
      decode({
        type: 'rate_limits.updated',
        rate_limits: [
          { name: 'requests', limit: 1000, remaining: 999, reset_seconds: 0.06 },
          { name: 'tokens', limit: 40000, remaining: 39700, reset_seconds: 0.45 },
          'junk',
          { name: 5, limit: 'x' },
        ],
      }),
    ).to.deep.equal({
      type: 'rateLimitsUpdated',
      rateLimits: [
        { name: 'requests', limit: 1000, remaining: 999, resetSeconds: 0.06 },
        { name: 'tokens', limit: 40000, remaining: 39700, resetSeconds: 0.45 },
        {},
      ],
    });
    expect(decode({ type: 'rate_limits.updated' })).to.equal('invalid_fields');
  });

  it('response.done: status, status_details untouched, usage in camelCase (spec 03 example)', () => {
    expect(
      decode({
        type: 'response.done',
        response: {
          id: 'resp_1',
          status: 'completed',
          status_details: null,
          usage: {
            total_tokens: 300,
            input_tokens: 200,
            output_tokens: 100,
            input_token_details: {
              text_tokens: 120,
              audio_tokens: 80,
              image_tokens: 0,
              cached_tokens: 64,
              cached_tokens_details: { text_tokens: 64, audio_tokens: 0, image_tokens: 0 },
            },
            output_token_details: { text_tokens: 30, audio_tokens: 70 },
          },
        },
      }),
    ).to.deep.equal({
      type: 'responseDone',
      responseId: 'resp_1',
      status: 'completed',
      usage: {
        totalTokens: 300,
        inputTokens: 200,
        outputTokens: 100,
        inputTokenDetails: {
          textTokens: 120,
          audioTokens: 80,
          imageTokens: 0,
          cachedTokens: 64,
          cachedTokensDetails: { textTokens: 64, audioTokens: 0, imageTokens: 0 },
        },
        outputTokenDetails: { textTokens: 30, audioTokens: 70 },
      },
    });
    const details = { type: 'failed', error: { type: 'server_error', code: 'server_error', message: 'The server had an error.' } };
    expect(decode({ type: 'response.done', response: { id: 'resp_2', status: 'failed', status_details: details } })).to.deep.equal({
      type: 'responseDone',
      responseId: 'resp_2',
      status: 'failed',
      statusDetails: details,
    });
  });

  it('usage: values not finite numbers >= 0 are left out; a details object with no number left is {}', () => {
    expect(
      decode({
        type: 'response.done',
        response: {
          status: 7,
          status_details: 'x',
          usage: {
            input_tokens: -1,
            output_tokens: '5',
            total_tokens: 3,
            input_token_details: { text_tokens: null },
            output_token_details: 'x',
          },
        },
      }),
    ).to.deep.equal({ type: 'responseDone', usage: { totalTokens: 3, inputTokenDetails: {} } });
    expect(decode({ type: 'response.done', response: { id: 'r', usage: 'none' } })).to.deep.equal({
      type: 'responseDone',
      responseId: 'r',
    });
  });

  it('error: code, param and eventId from error.*; the top-level event_id is not the cause', () => {
    expect(
      decode({
        type: 'error',
        event_id: 'event_9',
        error: {
          type: 'invalid_request_error',
          code: 'invalid_value',
          message: "Invalid value: 'x'.",
          param: 'session.audio.output.voice',
          event_id: null,
        },
      }),
    ).to.deep.equal({
      type: 'error',
      message: "Invalid value: 'x'.",
      code: 'invalid_value',
      param: 'session.audio.output.voice',
      fatal: true,
    });
    expect(decode({ type: 'error', error: { message: 'm', event_id: 'evt_client_1', code: 5 } })).to.deep.equal({
      type: 'error',
      message: 'm',
      eventId: 'evt_client_1',
      fatal: true,
    });
  });
});
