import {
  numberField,
  objectField,
  parseFrame,
  decodeServerError,
  stringField,
  type AudioOutEvent,
  type JsonObject,
  type RealtimeEvent,
  type SessionUpdatedEvent,
  type SkipReason,
} from '@parley/core';

/**
 * Decodes one inbound V1 text frame (spec 02 "Server events"). Never throws and never merges server
 * JSON into the returned event: every field is read and copied one by one.
 *
 * Skip rules: a frame that is not JSON is `invalid_json`; one that is not an object with a string
 * `type` is `missing_type`; an unknown `type` is `unknown_type`; a known type whose required field
 * is missing or mistyped (strings, numbers for rates and counts) is `invalid_fields`. An "else"
 * alternative is used when the first field is not a string/number. The optional fields
 * `session.instructions` and `samples_per_channel` are omitted from the event when absent or
 * mistyped (they never cause a skip). Extra fields are ignored. Server `error` frames are never
 * skipped: they become `{ type: 'error', message, fatal: true }` and the policy decides.
 *
 * The frame is parsed once; the only allocations are the parse itself and the returned event.
 */
export function decodeV1Frame(frame: string): RealtimeEvent | SkipReason {
  const parsed = parseFrame(frame);
  if (typeof parsed === 'string') return parsed;
  switch (parsed.type as string) {
    case 'conversation.output_audio.delta':
      return decodeAudioDelta(parsed);
    case 'conversation.input_transcript.delta':
    case 'conversation.item.input_audio_transcription.delta': {
      const delta = stringField(parsed, 'delta');
      return delta === undefined ? 'invalid_fields' : { type: 'inputTranscriptDelta', delta };
    }
    case 'conversation.output_transcript.delta':
    case 'response.output_text.delta':
    case 'response.output_audio_transcript.delta': {
      const delta = stringField(parsed, 'delta');
      return delta === undefined ? 'invalid_fields' : { type: 'outputTranscriptDelta', delta };
    }
    case 'conversation.item.input_audio_transcription.completed':
    case 'conversation.input_transcript.turn_marked': {
      const text = stringField(parsed, 'transcript');
      return text === undefined ? 'invalid_fields' : { type: 'inputTranscriptDone', text };
    }
    case 'response.output_audio_transcript.done': {
      const text = stringField(parsed, 'transcript');
      return text === undefined ? 'invalid_fields' : { type: 'outputTranscriptDone', text };
    }
    case 'session.updated':
      return decodeSessionUpdated(parsed);
    case 'conversation.item.added': {
      const item = parsed.item;
      return item === undefined ? 'invalid_fields' : { type: 'conversationItemAdded', item };
    }
    case 'conversation.item.done': {
      const item = objectField(parsed, 'item');
      const itemId = item === undefined ? undefined : stringField(item, 'id');
      return itemId === undefined ? 'invalid_fields' : { type: 'conversationItemDone', itemId };
    }
    case 'conversation.handoff.requested': {
      const handoffId = stringField(parsed, 'handoff_id');
      const itemId = stringField(parsed, 'item_id');
      const inputTranscript = stringField(parsed, 'input_transcript');
      if (handoffId === undefined || itemId === undefined || inputTranscript === undefined) return 'invalid_fields';
      return { type: 'handoffRequested', handoffId, itemId, inputTranscript, activeTranscript: [] };
    }
    case 'error':
      return decodeServerError(parsed);
    default:
      return 'unknown_type';
  }
}

function decodeAudioDelta(frame: JsonObject): AudioOutEvent | SkipReason {
  const data = stringField(frame, 'delta') ?? stringField(frame, 'data');
  const sampleRate = numberField(frame, 'sample_rate');
  const numChannels = numberField(frame, 'channels') ?? numberField(frame, 'num_channels');
  if (data === undefined || sampleRate === undefined || numChannels === undefined) return 'invalid_fields';
  const samplesPerChannel = numberField(frame, 'samples_per_channel');
  return samplesPerChannel === undefined
    ? { type: 'audioOut', data, sampleRate, numChannels }
    : { type: 'audioOut', data, sampleRate, numChannels, samplesPerChannel };
}

function decodeSessionUpdated(frame: JsonObject): SessionUpdatedEvent | SkipReason {
  const session = objectField(frame, 'session');
  const sessionId = session === undefined ? undefined : stringField(session, 'id');
  if (session === undefined || sessionId === undefined) return 'invalid_fields';
  const instructions = stringField(session, 'instructions');
  return instructions === undefined ? { type: 'sessionUpdated', sessionId } : { type: 'sessionUpdated', sessionId, instructions };
}
