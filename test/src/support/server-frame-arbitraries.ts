import fc from 'fast-check';

/** Server `type`s that the V1 decoder knows (spec 02). */
export const V1_SERVER_TYPES = [
  'session.updated',
  'conversation.output_audio.delta',
  'conversation.input_transcript.delta',
  'conversation.output_transcript.delta',
  'conversation.item.input_audio_transcription.delta',
  'conversation.item.input_audio_transcription.completed',
  'response.output_text.delta',
  'response.output_audio_transcript.delta',
  'response.output_audio_transcript.done',
  'conversation.item.added',
  'conversation.item.done',
  'conversation.handoff.requested',
  'error',
] as const;

/** Server `type`s that the V2 decoder knows (spec 03). */
export const V2_SERVER_TYPES = [
  'session.updated',
  'response.output_audio.delta',
  'response.audio.delta',
  'conversation.item.input_audio_transcription.delta',
  'conversation.item.input_audio_transcription.completed',
  'response.output_text.delta',
  'response.output_audio_transcript.delta',
  'response.output_text.done',
  'response.output_audio_transcript.done',
  'input_audio_buffer.speech_started',
  'conversation.item.added',
  'conversation.item.created',
  'conversation.item.done',
  'response.created',
  'response.cancelled',
  'response.done',
  'error',
] as const;

/** A right value for each field a decoder reads (the decoders ignore the fields they do not read). */
const RACE_MESSAGE = 'Conversation already has an active response in progress: resp_x';
const shortText = fc.string({ maxLength: 10 });
const callId = fc.constantFrom('call_1', 'call_2', 'call_3');
const functionCallItem = fc.record(
  {
    id: fc.constantFrom('item_1', 'item_2'),
    type: fc.constant('function_call'),
    name: fc.constantFrom('background_agent', 'background_agent', 'other_tool'),
    call_id: callId,
    arguments: fc.oneof(
      fc.record({ prompt: shortText }).map((value) => JSON.stringify(value)),
      fc.json({ maxDepth: 1 }),
      shortText,
    ),
  },
  { requiredKeys: ['type', 'name'] },
);
const VALID_FIELDS: Record<string, fc.Arbitrary<unknown>> = {
  delta: fc.oneof(fc.base64String({ maxLength: 16 }), shortText),
  data: fc.base64String({ maxLength: 16 }),
  sample_rate: fc.constantFrom(24000, 16000, 48000),
  channels: fc.constantFrom(1, 2),
  num_channels: fc.constantFrom(1, 2),
  samples_per_channel: fc.nat(2000),
  item_id: fc.constantFrom('it_1', 'it_2', 'user_1'),
  transcript: shortText,
  text: shortText,
  session: fc.record({ id: shortText, instructions: shortText }, { requiredKeys: ['id'] }),
  response: fc.record({ id: fc.constantFrom('resp_1', 'resp_2') }),
  response_id: fc.constantFrom('resp_1', 'resp_2'),
  item: fc.oneof(
    { weight: 3, arbitrary: functionCallItem },
    fc.record({ id: shortText, type: fc.constant('message') }),
    fc.jsonValue({ maxDepth: 1 }),
  ),
  handoff_id: fc.constantFrom('handoff_1', 'handoff_2'),
  input_transcript: shortText,
  message: fc.oneof(shortText, fc.constant(RACE_MESSAGE)),
  error: fc.oneof(fc.record({ message: fc.oneof(shortText, fc.constant(RACE_MESSAGE)) }), shortText, fc.jsonValue({ maxDepth: 1 })),
};

/** Values that are wrong for most fields. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, Number.MAX_SAFE_INTEGER, '', '{}', []),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
);

/** A field: usually right, sometimes junk, sometimes absent (`undefined`). */
const field = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: junk }, { weight: 1, arbitrary: fc.constant(undefined) });

/** Extra keys: noise, and keys that would matter for prototype pollution. */
const extras = fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'extra', 'type'), junk, {
  maxKeys: 2,
});

/**
 * JSON text of an object with a known `type` (server `error` less often, as it ends the
 * conversation) and random fields: most of them right, some wrong or missing, plus noise keys.
 */
export function typedServerFrame(types: readonly string[]): fc.Arbitrary<string> {
  const type = fc.oneof(
    { weight: 1, arbitrary: fc.constant('error') },
    { weight: 12, arbitrary: fc.constantFrom(...types.filter((candidate) => candidate !== 'error')) },
  );
  const fields = fc.record(Object.fromEntries(Object.entries(VALID_FIELDS).map(([key, valid]) => [key, field(valid)])));
  return fc.tuple(type, fields, extras).map(([frameType, values, noise]) => {
    // Written as JSON text so a `__proto__` key stays a plain own key on the wire.
    const entries = [...Object.entries(values), ...Object.entries(noise)].filter(([key, value]) => key !== 'type' && value !== undefined);
    const body = entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`);
    return `{${[`"type":${JSON.stringify(frameType)}`, ...body].join(',')}}`;
  });
}

/** Any text: unicode strings, lone surrogates, JSON-looking noise. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '{', '}', 'null', '[]', '{"type":1}', '{"type":null}', '{"type":"__proto__"}', '{"type":"constructor"}', '"error"'),
);

/** JSON text of any JSON value (fc.json and fc.jsonValue). */
export const anyJson: fc.Arbitrary<string> = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
);
