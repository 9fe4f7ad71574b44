import { expect } from 'chai';
import fc from 'fast-check';
import { decodeV2FastPath, decodeV2Frame, type V2DecodeOptions } from '../v2-decoder.js';

/**
 * The `JSON.parse` path for the same JSON text: a trailing newline is JSON whitespace (the same value,
 * or the same error, for `JSON.parse`) and a character the fast path never takes (asserted below).
 */
function parsedPath(frame: string, options: V2DecodeOptions): ReturnType<typeof decodeV2Frame> {
  const slow = `${frame}\n`;
  expect(decodeV2FastPath(slow, options)).to.equal(undefined);
  return decodeV2Frame(slow, options);
}

const HOT_TYPES = [
  'response.output_audio.delta',
  'response.audio.delta',
  'response.output_text.delta',
  'response.output_audio_transcript.delta',
  'conversation.item.input_audio_transcription.delta',
];

/** A JSON string: raw when it needs no escape, else `JSON.stringify`'s escapes. */
function jsonString(value: string): string {
  // eslint-disable-next-line no-control-regex
  return /["\\\u0000-\u001f]/.test(value) ? JSON.stringify(value) : `"${value}"`;
}

const text = fc.oneof(
  { arbitrary: fc.string({ maxLength: 10 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 6 }), weight: 1 },
  { arbitrary: fc.constantFrom('Ça va 👍', 'a"b', 'back\\slash', 'tab\there', '\ud800', 'é', ''), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 1200 }).map((bytes) => Buffer.from(bytes).toString('base64')), weight: 3 },
);

/** Any JSON value literal, weighted towards what the hot fields hold. */
const value = fc.oneof(
  { arbitrary: text.map(jsonString), weight: 5 },
  { arbitrary: fc.constantFrom('24000', '16000', '1', '2', '0', '-1', '1.5', '2e0', '480', '-0', '1e400'), weight: 3 },
  { arbitrary: fc.constantFrom('true', 'false', 'null', '{}', '[]', '{"a":1}', '[1,"x"]'), weight: 1 },
);

const key = fc.constantFrom(
  'type',
  'delta',
  'sample_rate',
  'channels',
  'num_channels',
  'samples_per_channel',
  'item_id',
  'event_id',
  'response_id',
  'output_index',
  'content_index',
  'transcript',
);

const typeLiteral = fc.oneof(
  { arbitrary: fc.constantFrom(...HOT_TYPES).map(jsonString), weight: 6 },
  { arbitrary: fc.constantFrom('"response.created"', '"error"', '"input_audio_buffer.speech_started"', '"x"', '1', 'null'), weight: 1 },
);

const gap = fc.oneof({ arbitrary: fc.constantFrom('', '', '', ' '), weight: 9 }, { arbitrary: fc.constantFrom('\n', '\t'), weight: 1 });

/** A V2 frame of (mostly) a hot type: its fields in any order, some repeated, some mistyped. */
const hotFrame = fc
  .tuple(typeLiteral, fc.array(fc.tuple(key, value, gap, gap), { maxLength: 8 }), fc.nat(8), gap)
  .map(([type, members, typeAt, end]) => {
    const all = members.map(([k, v, g1, g2]) => `${g1}${jsonString(k)}:${g2}${v}`);
    all.splice(typeAt % (all.length + 1), 0, `"type":${type}`);
    return `{${all.join(',')}}${end}`;
  });

/** One edit: a character inserted, replaced or deleted, or a cut. */
const mutated = fc
  .tuple(hotFrame, fc.nat(), fc.constantFrom(...'{}[]":,\\ \n0123456789e-.tnxA='.split('')), fc.nat(3))
  .map(([frame, at, char, how]) => {
    const index = at % frame.length;
    if (how === 0) return frame.slice(0, index) + char + frame.slice(index);
    if (how === 1) return frame.slice(0, index) + char + frame.slice(index + 1);
    if (how === 2) return frame.slice(0, index) + frame.slice(index + 1);
    return frame.slice(0, index);
  });

describe('decodeV2Frame: the fast path for hot frames', function () {
  this.timeout(60_000); // thousands of generated frames; a loaded machine must not fail them
  it('decodes every frame exactly as the JSON.parse path: same event, same key order, same skip reason', () => {
    let fast = 0;
    fc.assert(
      fc.property(
        fc.oneof({ arbitrary: hotFrame, weight: 3 }, { arbitrary: mutated, weight: 2 }),
        fc.constantFrom<V2DecodeOptions>({}, { defaultSampleRate: 8000 }),
        (frame, options) => {
          const event = decodeV2Frame(frame, options);
          const reference = parsedPath(frame, options);
          expect(event, frame).to.deep.equal(reference);
          expect(JSON.stringify(event), frame).to.equal(JSON.stringify(reference));
          if (decodeV2FastPath(frame, options) !== undefined) fast += 1;
        },
      ),
      { numRuns: 3000, seed: 20261130 },
    );
    expect(fast).to.be.greaterThan(500); // the fast path is taken for many of them
  });

  it('takes the fast path for the hot frames as the API sends them, and not for others', () => {
    const audio = Buffer.alloc(960, 9).toString('base64');
    const frames: [string, unknown][] = [
      [
        `{"type":"response.output_audio.delta","event_id":"event_1","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":"${audio}"}`,
        { type: 'audioOut', data: audio, sampleRate: 24000, numChannels: 1, itemId: 'item_1' },
      ],
      [
        '{"type":"response.output_audio_transcript.delta","event_id":"event_2","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":"Hello "}',
        { type: 'outputTranscriptDelta', delta: 'Hello ', itemId: 'item_1' },
      ],
      [
        '{"type":"conversation.item.input_audio_transcription.delta","event_id":"event_3","item_id":"item_2","content_index":0,"delta":"I need"}',
        { type: 'inputTranscriptDelta', delta: 'I need', itemId: 'item_2' },
      ],
      ['{"type":"response.output_audio.delta","delta":7}', 'invalid_fields'],
    ];
    for (const [frame, expected] of frames) {
      expect(decodeV2FastPath(frame), frame).to.deep.equal(expected);
      expect(decodeV2Frame(frame), frame).to.deep.equal(expected);
    }
    for (const frame of [
      '{"type":"response.created","response":{"id":"resp_1"}}',
      '{"type":"input_audio_buffer.speech_started","item_id":"item_1"}',
      '{"type":"response.output_audio_transcript.delta","delta":"say \\"hi\\""}',
      '{"type":"response.output_audio.delta","delta":"AQID","logprobs":[]}',
    ]) {
      expect(decodeV2FastPath(frame), frame).to.equal(undefined);
    }
  });
});
