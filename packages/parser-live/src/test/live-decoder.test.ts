import { expect } from 'chai';
import { decodeLiveFrame, liveFrameKind } from '../live-decoder.js';
import { liveResponseEventInfo } from '../live-response-events.js';

const decode = (frame: unknown): unknown => decodeLiveFrame(typeof frame === 'string' ? frame : JSON.stringify(frame));

describe('decodeLiveFrame (spec 08 "Server events")', () => {
  describe('the spec examples, frame → event', () => {
    it('session.started → sessionUpdated (marked as the start)', () => {
      const event = decodeLiveFrame('{"type":"session.started","session":{"id":"sess_1","model":"gpt-live-1","instructions":"be brief"}}');
      expect(event).to.deep.equal({ type: 'sessionUpdated', sessionId: 'sess_1', instructions: 'be brief' });
      expect(liveFrameKind(event as never)).to.equal('sessionStarted');
    });
    it('input transcript delta with times', () => {
      expect(decode({ type: 'session.input_transcript.delta', delta: ' today?', start_ms: 1600, end_ms: 1800 })).to.deep.equal({
        type: 'inputTranscriptDelta',
        delta: ' today?',
        startMs: 1600,
        endMs: 1800,
      });
    });
    it('mistyped times are left out, never a skip', () => {
      expect(decode({ type: 'session.input_transcript.delta', delta: 'hi', start_ms: 'soon', end_ms: null })).to.deep.equal({
        type: 'inputTranscriptDelta',
        delta: 'hi',
      });
      expect(decode({ type: 'session.output_transcript.delta', delta: 'x', start_ms: -1, end_ms: 'Infinity' })).to.deep.equal({
        type: 'outputTranscriptDelta',
        delta: 'x',
      });
    });
    it('session.delegation.created → handoffRequested with offsetMs and target', () => {
      expect(
        decode({
          type: 'session.delegation.created',
          offset_ms: 1800,
          delegation: { id: 'deleg_1', type: 'delegation', target: 'client' },
        }),
      ).to.deep.equal({
        type: 'handoffRequested',
        handoffId: 'deleg_1',
        itemId: 'deleg_1',
        inputTranscript: '',
        activeTranscript: [],
        offsetMs: 1800,
        target: 'client',
      });
    });
    it('output audio → audioOut at 24 kHz mono, no itemId', () => {
      expect(decode({ type: 'session.output_audio.delta', delta: 'AAAA' })).to.deep.equal({
        type: 'audioOut',
        data: 'AAAA',
        sampleRate: 24000,
        numChannels: 1,
      });
    });
    it('usage → usageUpdated', () => {
      expect(decode({ type: 'session.usage.updated', usage: { seconds: 1.5 }, context_window: { usage_ratio: 0.02 } })).to.deep.equal({
        type: 'usageUpdated',
        seconds: 1.5,
        contextUsageRatio: 0.02,
      });
    });
    it('error → error with the code from error.code (fatal decided by the policy)', () => {
      expect(
        decode({ type: 'error', error: { type: 'invalid_request_error', code: 'unknown_parameter', message: 'Unknown parameter: foo.' } }),
      ).to.deep.equal({ type: 'error', message: 'Unknown parameter: foo.', fatal: false, code: 'unknown_parameter' });
    });
  });

  it('session.updated → sessionUpdated (not marked); a missing session id is ""', () => {
    const event = decodeLiveFrame('{"type":"session.updated","session":{}}');
    expect(event).to.deep.equal({ type: 'sessionUpdated', sessionId: '' });
    expect(liveFrameKind(event as never)).to.equal(undefined);
    expect(decode({ type: 'session.started' })).to.deep.equal({ type: 'sessionUpdated', sessionId: '' });
  });

  it('an absent transcript delta is "" (the fragment keeps its times); a non-string one skips the frame', () => {
    expect(decode({ type: 'session.input_transcript.delta', start_ms: 0, end_ms: 200 })).to.deep.equal({
      type: 'inputTranscriptDelta',
      delta: '',
      startMs: 0,
      endMs: 200,
    });
    expect(decode({ type: 'session.input_transcript.delta', delta: 5 })).to.equal('invalid_fields');
  });

  it('delegation: target defaults to client, offset left out when mistyped; a missing or empty id skips', () => {
    expect(decode({ type: 'session.delegation.created', offset_ms: 'x', delegation: { id: 'd' } })).to.deep.equal({
      type: 'handoffRequested',
      handoffId: 'd',
      itemId: 'd',
      inputTranscript: '',
      activeTranscript: [],
      target: 'client',
    });
    expect(decode({ type: 'session.delegation.created', delegation: { id: 'd', target: 'responses' } })).to.deep.include({
      target: 'responses',
    });
    expect(decode({ type: 'session.delegation.created', delegation: { id: '' } })).to.equal('invalid_fields');
    expect(decode({ type: 'session.delegation.created', delegation: {} })).to.equal('invalid_fields');
    expect(decode({ type: 'session.delegation.created' })).to.equal('invalid_fields');
  });

  it('appended acknowledgements → contextAppended with the channel', () => {
    expect(decode({ type: 'session.thinking.appended', start_ms: 10, end_ms: 10 })).to.deep.equal({
      type: 'contextAppended',
      channel: 'thinking',
      startMs: 10,
      endMs: 10,
    });
    expect(decode({ type: 'session.commentary.appended' })).to.deep.equal({ type: 'contextAppended', channel: 'commentary' });
    expect(decode({ type: 'session.instructions.appended' })).to.deep.equal({ type: 'contextAppended', channel: 'instructions' });
  });

  it('session.closed → sessionClosed with optional reason and seconds', () => {
    expect(decode({ type: 'session.closed', reason: 'expired', usage: { seconds: 7200 } })).to.deep.equal({
      type: 'sessionClosed',
      reason: 'expired',
      seconds: 7200,
    });
    expect(decode({ type: 'session.closed' })).to.deep.equal({ type: 'sessionClosed' });
  });

  it('required fields: audio delta, usage.seconds, an error message', () => {
    expect(decode({ type: 'session.output_audio.delta' })).to.equal('invalid_fields');
    expect(decode({ type: 'session.usage.updated', usage: {} })).to.equal('invalid_fields');
    expect(decode({ type: 'session.usage.updated', usage: { seconds: -1 } })).to.equal('invalid_fields');
    expect(decode({ type: 'error' })).to.equal('invalid_fields');
  });

  it('error: message, else error.message, else the error as JSON; code from error.code, else error.type', () => {
    expect(decode({ type: 'error', message: 'top', error: { type: 'server_error' } })).to.deep.equal({
      type: 'error',
      message: 'top',
      fatal: false,
      code: 'server_error',
    });
    expect(decode({ type: 'error', error: 'plain' })).to.deep.equal({ type: 'error', message: '"plain"', fatal: false });
  });

  it('skips bad JSON, frames without a string type, and unknown types (mute acknowledgements, alpha events)', () => {
    expect(decode('{nope')).to.equal('invalid_json');
    expect(decode({ kind: 'x' })).to.equal('missing_type');
    expect(decode([1])).to.equal('missing_type');
    expect(decode({ type: 'session.input_audio.muted' })).to.equal('unknown_type');
    expect(decode({ type: 'session.something_new', x: 1 })).to.equal('unknown_type');
  });

  it('response.event: an envelope without an event object with a string type skips; otherwise decoded with its delegation key', () => {
    expect(decode({ type: 'response.event', delegation_id: 'd1' })).to.equal('invalid_fields');
    expect(decode({ type: 'response.event', event: { type: 3 } })).to.equal('invalid_fields');
    const created = decodeLiveFrame(
      '{"type":"response.event","delegation_id":"d1","event":{"type":"response.created","response":{"id":"resp_1","output":[]}}}',
    );
    expect(created).to.deep.equal({ type: 'responseCreated', responseId: 'resp_1' });
    expect(liveResponseEventInfo(created as never)).to.deep.equal({ kind: 'responseEvent', delegationId: 'd1' });
    const other = decodeLiveFrame('{"type":"response.event","event":{"type":"response.output_item.done","item":{"type":"reasoning"}}}');
    expect(liveResponseEventInfo(other as never)).to.deep.equal({ kind: 'responseIgnored', delegationId: undefined });
    expect(liveResponseEventInfo(decodeLiveFrame('{"type":"session.started"}') as never)).to.equal(undefined);
  });

  describe('response.event inner types (spec 08 "Decoding response.event")', () => {
    const envelope = (event: Record<string, unknown>, delegationId: unknown = 'd1'): Record<string, unknown> =>
      delegationId === 'absent' ? { type: 'response.event', event } : { type: 'response.event', delegation_id: delegationId, event };

    it('response.created → responseCreated (responseId = event.response.id, absent when missing)', () => {
      expect(decode(envelope({ type: 'response.created', response: { id: 'resp_1', status: 'in_progress', output: [] } }))).to.deep.equal({
        type: 'responseCreated',
        responseId: 'resp_1',
      });
      expect(decode(envelope({ type: 'response.created' }))).to.deep.equal({ type: 'responseCreated' });
    });

    it('response.completed / failed / incomplete → responseDone with that status (no statusDetails, no usage)', () => {
      for (const [type, status] of [
        ['response.completed', 'completed'],
        ['response.failed', 'failed'],
        ['response.incomplete', 'incomplete'],
      ] as const) {
        expect(decode(envelope({ type, response: { id: 'resp_1', output: [], usage: { total_tokens: 3 } } }))).to.deep.equal({
          type: 'responseDone',
          responseId: 'resp_1',
          status,
        });
      }
      expect(decode(envelope({ type: 'response.failed' }, null))).to.deep.equal({ type: 'responseDone', status: 'failed' });
    });

    it('output_item.done with a function_call item → functionCallDone with the envelope delegationId', () => {
      const item = {
        id: 'fc_1',
        type: 'function_call',
        status: 'completed',
        call_id: 'call_1',
        name: 'get_weather',
        arguments: '{"city":"Lisbon"}',
      };
      const event = decodeLiveFrame(JSON.stringify(envelope({ type: 'response.output_item.done', output_index: 1, item })));
      expect(event).to.deep.equal({
        type: 'functionCallDone',
        source: 'output_item',
        callId: 'call_1',
        name: 'get_weather',
        arguments: '{"city":"Lisbon"}',
        complete: true,
        itemId: 'fc_1',
        delegationId: 'd1',
      });
      expect(liveResponseEventInfo(event as never)).to.deep.equal({ kind: 'responseEvent', delegationId: 'd1' });
    });

    it('a function_call: callId falls back to item.id; name and arguments default to ""; status incomplete → complete false; no delegation_id → no delegationId', () => {
      expect(
        decode(envelope({ type: 'response.output_item.done', item: { id: 'fc_2', type: 'function_call', status: 'incomplete' } }, null)),
      ).to.deep.equal({
        type: 'functionCallDone',
        source: 'output_item',
        callId: 'fc_2',
        name: '',
        arguments: '',
        complete: false,
        itemId: 'fc_2',
      });
      expect(
        decode(envelope({ type: 'response.output_item.done', item: { type: 'function_call', call_id: 'c', name: 7 } }, 'absent')),
      ).to.deep.equal({
        type: 'functionCallDone',
        source: 'output_item',
        callId: 'c',
        name: '',
        arguments: '',
        complete: true,
      });
    });

    it('a function_call with neither call_id nor id is skipped (invalid_fields)', () => {
      expect(decode(envelope({ type: 'response.output_item.done', item: { type: 'function_call', name: 'x' } }))).to.equal(
        'invalid_fields',
      );
    });

    it('other output items (reasoning, message) and any other inner type are ignored, never skipped', () => {
      for (const inner of [
        { type: 'response.output_item.done', item: { type: 'reasoning', id: 'rs_1' } },
        { type: 'response.output_item.done', item: { type: 'message' } },
        { type: 'response.output_item.done' },
        { type: 'response.output_item.added', item: { type: 'function_call', call_id: 'c' } },
        { type: 'response.function_call_arguments.delta', delta: '{' },
        { type: 'response.in_progress' },
        { type: 'response.something_new' },
      ]) {
        const event = decodeLiveFrame(JSON.stringify(envelope(inner)));
        expect(event, inner.type).to.be.an('object');
        expect(liveResponseEventInfo(event as never), inner.type).to.deep.equal({ kind: 'responseIgnored', delegationId: 'd1' });
      }
    });
  });
});
