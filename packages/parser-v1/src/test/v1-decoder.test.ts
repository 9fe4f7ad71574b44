import { expect } from 'chai';
import { decodeV1Frame } from '../v1-decoder.js';

const decode = (frame: unknown): unknown => decodeV1Frame(typeof frame === 'string' ? frame : JSON.stringify(frame));

describe('decodeV1Frame', () => {
  describe('spec 02 examples', () => {
    it('session.updated with instructions', () => {
      expect(decodeV1Frame('{"type":"session.updated","session":{"id":"sess_123","instructions":"backend prompt"}}')).to.deep.equal({
        type: 'sessionUpdated',
        sessionId: 'sess_123',
        instructions: 'backend prompt',
      });
    });

    it('conversation.output_audio.delta with samples_per_channel', () => {
      expect(
        decodeV1Frame(
          '{"type":"conversation.output_audio.delta","delta":"AAA=","sample_rate":48000,"channels":1,"samples_per_channel":960}',
        ),
      ).to.deep.equal({ type: 'audioOut', data: 'AAA=', sampleRate: 48000, numChannels: 1, samplesPerChannel: 960 });
    });

    it('conversation.item.done', () => {
      expect(decodeV1Frame('{"type":"conversation.item.done","item":{"id":"item_123","type":"message"}}')).to.deep.equal({
        type: 'conversationItemDone',
        itemId: 'item_123',
      });
    });

    it('conversation.input_transcript.turn_marked → inputTranscriptDone (the final input transcript of the turn)', () => {
      expect(decodeV1Frame('{"type":"conversation.input_transcript.turn_marked","transcript":"hello realtime"}')).to.deep.equal({
        type: 'inputTranscriptDone',
        text: 'hello realtime',
      });
      expect(decode({ type: 'conversation.input_transcript.turn_marked' })).to.equal('invalid_fields');
      expect(decode({ type: 'conversation.input_transcript.turn_marked', transcript: 5 })).to.equal('invalid_fields');
    });

    it('conversation.handoff.requested', () => {
      expect(
        decodeV1Frame(
          '{"type":"conversation.handoff.requested","handoff_id":"handoff_123","item_id":"item_123","input_transcript":"delegate this"}',
        ),
      ).to.deep.equal({
        type: 'handoffRequested',
        handoffId: 'handoff_123',
        itemId: 'item_123',
        inputTranscript: 'delegate this',
        activeTranscript: [],
      });
    });
  });

  describe('session.updated', () => {
    it('omits instructions when absent (no undefined key)', () => {
      const event = decode({ type: 'session.updated', session: { id: 'sess_1' } });
      expect(event).to.deep.equal({ type: 'sessionUpdated', sessionId: 'sess_1' });
      expect(Object.keys(event as object)).to.deep.equal(['type', 'sessionId']);
    });

    it('omits instructions that are not a string', () => {
      expect(decode({ type: 'session.updated', session: { id: 'sess_1', instructions: null } })).to.deep.equal({
        type: 'sessionUpdated',
        sessionId: 'sess_1',
      });
      expect(decode({ type: 'session.updated', session: { id: 'sess_1', instructions: 7 } })).to.deep.equal({
        type: 'sessionUpdated',
        sessionId: 'sess_1',
      });
    });

    it('keeps empty instructions', () => {
      expect(decode({ type: 'session.updated', session: { id: 's', instructions: '' } })).to.deep.equal({
        type: 'sessionUpdated',
        sessionId: 's',
        instructions: '',
      });
    });

    it('skips a missing or mistyped session.id, or a missing session', () => {
      expect(decode({ type: 'session.updated', session: {} })).to.equal('invalid_fields');
      expect(decode({ type: 'session.updated', session: { id: 5 } })).to.equal('invalid_fields');
      expect(decode({ type: 'session.updated' })).to.equal('invalid_fields');
      expect(decode({ type: 'session.updated', session: 'sess_1' })).to.equal('invalid_fields');
      expect(decode({ type: 'session.updated', session: ['sess_1'] })).to.equal('invalid_fields');
      expect(decode({ type: 'session.updated', id: 'sess_1' })).to.equal('invalid_fields');
    });

    it('ignores extra fields', () => {
      expect(decode({ type: 'session.updated', event_id: 'e1', session: { id: 's', model: 'm', voice: 'cove' } })).to.deep.equal({
        type: 'sessionUpdated',
        sessionId: 's',
      });
    });
  });

  describe('conversation.output_audio.delta', () => {
    it('omits samplesPerChannel and itemId when absent', () => {
      const event = decode({ type: 'conversation.output_audio.delta', delta: 'AQID', sample_rate: 24000, channels: 2, item_id: 'item_9' });
      expect(event).to.deep.equal({ type: 'audioOut', data: 'AQID', sampleRate: 24000, numChannels: 2 });
      expect(Object.keys(event as object)).to.deep.equal(['type', 'data', 'sampleRate', 'numChannels']);
    });

    it('uses data when delta is absent, and num_channels when channels is absent', () => {
      expect(decode({ type: 'conversation.output_audio.delta', data: 'AAAA', sample_rate: 16000, num_channels: 1 })).to.deep.equal({
        type: 'audioOut',
        data: 'AAAA',
        sampleRate: 16000,
        numChannels: 1,
      });
    });

    it('prefers delta over data and channels over num_channels', () => {
      expect(
        decode({ type: 'conversation.output_audio.delta', delta: 'AQ==', data: 'Ag==', sample_rate: 8000, channels: 1, num_channels: 2 }),
      ).to.deep.equal({ type: 'audioOut', data: 'AQ==', sampleRate: 8000, numChannels: 1 });
    });

    it('uses the alternative when the first field is mistyped', () => {
      expect(
        decode({ type: 'conversation.output_audio.delta', delta: 5, data: 'Ag==', sample_rate: 8000, channels: 'x', num_channels: 2 }),
      ).to.deep.equal({
        type: 'audioOut',
        data: 'Ag==',
        sampleRate: 8000,
        numChannels: 2,
      });
    });

    it('omits a mistyped samples_per_channel', () => {
      expect(
        decode({ type: 'conversation.output_audio.delta', delta: 'AQ==', sample_rate: 8000, channels: 1, samples_per_channel: '960' }),
      ).to.deep.equal({
        type: 'audioOut',
        data: 'AQ==',
        sampleRate: 8000,
        numChannels: 1,
      });
    });

    it('keeps samples_per_channel 0', () => {
      expect(
        decode({ type: 'conversation.output_audio.delta', delta: '', sample_rate: 8000, channels: 1, samples_per_channel: 0 }),
      ).to.deep.equal({
        type: 'audioOut',
        data: '',
        sampleRate: 8000,
        numChannels: 1,
        samplesPerChannel: 0,
      });
    });

    const base = { type: 'conversation.output_audio.delta', delta: 'AQ==', sample_rate: 48000, channels: 1 };
    const broken: [string, Record<string, unknown>][] = [
      ['no delta nor data', { ...base, delta: undefined }],
      ['delta and data both mistyped', { ...base, delta: 1, data: null }],
      ['no sample_rate', { ...base, sample_rate: undefined }],
      ['string sample_rate', { ...base, sample_rate: '48000' }],
      ['null sample_rate', { ...base, sample_rate: null }],
      ['no channels nor num_channels', { ...base, channels: undefined }],
      ['string channels, no num_channels', { ...base, channels: '1' }],
      ['string num_channels only', { ...base, channels: undefined, num_channels: '1' }],
    ];
    for (const [name, frame] of broken) {
      it(`skips as invalid_fields: ${name}`, () => {
        expect(decode(frame)).to.equal('invalid_fields');
      });
    }
  });

  describe('transcript rows', () => {
    const deltaRows: [string, string][] = [
      ['conversation.input_transcript.delta', 'inputTranscriptDelta'],
      ['conversation.output_transcript.delta', 'outputTranscriptDelta'],
      ['conversation.item.input_audio_transcription.delta', 'inputTranscriptDelta'],
      ['response.output_text.delta', 'outputTranscriptDelta'],
      ['response.output_audio_transcript.delta', 'outputTranscriptDelta'],
    ];
    for (const [type, eventType] of deltaRows) {
      it(`${type} → ${eventType}`, () => {
        expect(decode({ type, delta: 'hello ', item_id: 'x', content_index: 0 })).to.deep.equal({ type: eventType, delta: 'hello ' });
      });
      it(`${type} keeps an empty delta`, () => {
        expect(decode({ type, delta: '' })).to.deep.equal({ type: eventType, delta: '' });
      });
      it(`${type} without a string delta is invalid_fields`, () => {
        expect(decode({ type })).to.equal('invalid_fields');
        expect(decode({ type, delta: 3 })).to.equal('invalid_fields');
        expect(decode({ type, transcript: 'x' })).to.equal('invalid_fields');
      });
    }

    const doneRows: [string, string][] = [
      ['conversation.item.input_audio_transcription.completed', 'inputTranscriptDone'],
      ['response.output_audio_transcript.done', 'outputTranscriptDone'],
    ];
    for (const [type, eventType] of doneRows) {
      it(`${type} → ${eventType}`, () => {
        expect(decode({ type, transcript: 'all of it', item_id: 'x' })).to.deep.equal({ type: eventType, text: 'all of it' });
      });
      it(`${type} without a string transcript is invalid_fields`, () => {
        expect(decode({ type })).to.equal('invalid_fields');
        expect(decode({ type, transcript: null })).to.equal('invalid_fields');
        expect(decode({ type, delta: 'x' })).to.equal('invalid_fields');
      });
    }
  });

  describe('conversation items', () => {
    it('conversation.item.added carries the item untouched', () => {
      const item = { id: 'item_1', type: 'message', role: 'assistant', content: [{ type: 'output_audio', transcript: null }] };
      expect(decode({ type: 'conversation.item.added', item, previous_item_id: 'p' })).to.deep.equal({
        type: 'conversationItemAdded',
        item,
      });
    });

    it('conversation.item.added accepts any JSON item', () => {
      expect(decode({ type: 'conversation.item.added', item: 'text' })).to.deep.equal({ type: 'conversationItemAdded', item: 'text' });
      expect(decode({ type: 'conversation.item.added', item: [1, 2] })).to.deep.equal({ type: 'conversationItemAdded', item: [1, 2] });
      expect(decode({ type: 'conversation.item.added', item: null })).to.deep.equal({ type: 'conversationItemAdded', item: null });
    });

    it('conversation.item.added without item is invalid_fields', () => {
      expect(decode({ type: 'conversation.item.added' })).to.equal('invalid_fields');
    });

    it('conversation.item.added does not merge a __proto__ key into anything', () => {
      const event = decodeV1Frame('{"type":"conversation.item.added","item":{"__proto__":{"polluted":true},"id":"i"}}') as {
        item: Record<string, unknown>;
      };
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      expect(event.item.id).to.equal('i');
    });

    it('conversation.item.done without a string item.id is invalid_fields', () => {
      expect(decode({ type: 'conversation.item.done' })).to.equal('invalid_fields');
      expect(decode({ type: 'conversation.item.done', item: {} })).to.equal('invalid_fields');
      expect(decode({ type: 'conversation.item.done', item: { id: 1 } })).to.equal('invalid_fields');
      expect(decode({ type: 'conversation.item.done', item: 'item_1' })).to.equal('invalid_fields');
      expect(decode({ type: 'conversation.item.done', item_id: 'item_1' })).to.equal('invalid_fields');
    });
  });

  describe('conversation.handoff.requested', () => {
    const base = { type: 'conversation.handoff.requested', handoff_id: 'h', item_id: 'i', input_transcript: 't' };
    it('accepts an empty input_transcript', () => {
      expect(decode({ ...base, input_transcript: '' })).to.deep.equal({
        type: 'handoffRequested',
        handoffId: 'h',
        itemId: 'i',
        inputTranscript: '',
        activeTranscript: [],
      });
    });
    for (const field of ['handoff_id', 'item_id', 'input_transcript']) {
      it(`skips a missing ${field}`, () => {
        expect(decode({ ...base, [field]: undefined })).to.equal('invalid_fields');
      });
      it(`skips a mistyped ${field}`, () => {
        expect(decode({ ...base, [field]: 12 })).to.equal('invalid_fields');
        expect(decode({ ...base, [field]: null })).to.equal('invalid_fields');
      });
    }
  });

  describe('error', () => {
    it('uses message', () => {
      expect(decode({ type: 'error', message: 'boom', error: { message: 'inner' } })).to.deep.equal({
        type: 'error',
        message: 'boom',
        fatal: true,
      });
    });
    it('else error.message', () => {
      expect(decode({ type: 'error', error: { type: 'invalid_request_error', message: 'bad thing' } })).to.deep.equal({
        type: 'error',
        message: 'bad thing',
        fatal: true,
      });
    });
    it('else the error value as JSON text', () => {
      expect(decode({ type: 'error', error: { code: 42 } })).to.deep.equal({ type: 'error', message: '{"code":42}', fatal: true });
      expect(decode({ type: 'error', error: 42 })).to.deep.equal({ type: 'error', message: '42', fatal: true });
    });
    it('a string error is JSON text too (spec 02, to the letter: quotes included)', () => {
      expect(decode({ type: 'error', error: 'plain' })).to.deep.equal({ type: 'error', message: '"plain"', fatal: true });
      expect(decode({ type: 'error', error: null })).to.deep.equal({ type: 'error', message: 'null', fatal: true });
    });
    it('code, param and eventId come from error.* when they are strings (V1 too)', () => {
      expect(
        decode({
          type: 'error',
          event_id: 'top',
          error: { message: 'bad', code: 'invalid_value', param: 'session.voice', event_id: 'evt_1' },
        }),
      ).to.deep.equal({ type: 'error', message: 'bad', code: 'invalid_value', param: 'session.voice', eventId: 'evt_1', fatal: true });
      expect(decode({ type: 'error', error: { message: 'bad', code: null, param: 3 } })).to.deep.equal({
        type: 'error',
        message: 'bad',
        fatal: true,
      });
    });
    it('without message and without error the required field is missing: skipped as invalid_fields', () => {
      expect(decode({ type: 'error' })).to.equal('invalid_fields');
      expect(decode({ type: 'error', message: 5 })).to.equal('invalid_fields');
    });
  });

  describe('skip rules', () => {
    it('not JSON → invalid_json', () => {
      expect(decodeV1Frame('{"type":')).to.equal('invalid_json');
      expect(decodeV1Frame('')).to.equal('invalid_json');
      expect(decodeV1Frame('not json')).to.equal('invalid_json');
    });
    it('no string type → missing_type', () => {
      expect(decodeV1Frame('{}')).to.equal('missing_type');
      expect(decodeV1Frame('{"type":5}')).to.equal('missing_type');
      expect(decodeV1Frame('{"type":null}')).to.equal('missing_type');
      expect(decodeV1Frame('[{"type":"error"}]')).to.equal('missing_type');
      expect(decodeV1Frame('"error"')).to.equal('missing_type');
      expect(decodeV1Frame('null')).to.equal('missing_type');
      expect(decodeV1Frame('42')).to.equal('missing_type');
    });
    it('unknown type → unknown_type', () => {
      expect(decode({ type: 'response.create' })).to.equal('unknown_type');
      expect(decode({ type: 'response.function_call_arguments.done', call_id: 'c' })).to.equal('unknown_type');
      expect(decode({ type: 'Session.Updated', session: { id: 's' } })).to.equal('unknown_type');
      expect(decode({ type: '' })).to.equal('unknown_type');
      expect(decode({ type: 'toString' })).to.equal('unknown_type');
      expect(decode({ type: '__proto__' })).to.equal('unknown_type');
    });
    it('v2-only events are unknown for v1', () => {
      expect(decode({ type: 'response.output_audio.delta', delta: 'AQ==', item_id: 'i' })).to.equal('unknown_type');
      expect(decode({ type: 'input_audio_buffer.speech_started', item_id: 'i' })).to.equal('unknown_type');
      expect(decode({ type: 'response.created', response: { id: 'r' } })).to.equal('unknown_type');
    });
  });
});
