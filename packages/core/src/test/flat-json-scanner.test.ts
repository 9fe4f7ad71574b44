import { expect } from 'chai';
import fc from 'fast-check';
import { FlatJsonScanner, type FlatJsonValue } from '../flat-json-scanner.js';

/** The keys the tests read: the hot V2 fields, one that is never present, and `__proto__`. */
const KEYS = ['type', 'delta', 'item_id', 'sample_rate', 'channels', 'samples_per_channel', 'absent', '__proto__'];

/** What `JSON.parse` says about each key: its own property, or `undefined`. */
function reference(parsed: Record<string, unknown>): unknown[] {
  return KEYS.map((key) => (Object.hasOwn(parsed, key) ? parsed[key] : undefined));
}

/** The scanner agrees with `JSON.parse`: same values (`Object.is`), and the frame is flat. */
function expectAgreement(scanner: FlatJsonScanner, frame: string): void {
  const parsed: unknown = JSON.parse(frame); // throws (fails the test) when the scanner accepted invalid JSON
  expect(parsed, frame).to.be.an('object').and.not.be.an('array').and.not.equal(null);
  const object = parsed as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const value = object[key];
    expect(typeof value !== 'object' || value === null, `nested ${key} in ${frame}`).to.equal(true);
  }
  const expected = reference(object);
  scanner.values.forEach((value, index) => {
    expect(Object.is(value, expected[index]), `${KEYS[index]} of ${frame}: ${String(value)} vs ${String(expected[index])}`).to.equal(true);
  });
}

/** A string written as a JSON string: raw when it needs no escape, else `JSON.stringify`'s escapes. */
function jsonString(value: string): string {
  // eslint-disable-next-line no-control-regex
  return /["\\\u0000-\u001f]/.test(value) ? JSON.stringify(value) : `"${value}"`;
}

/** A JSON number literal in one of the forms the grammar allows (all valid JSON). */
const numberLiteral = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc
    .tuple(fc.boolean(), fc.nat(999), fc.nat(99_999), fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.nat(400))
    .map(([negative, whole, fraction, e, sign, exponent]) => `${negative ? '-' : ''}${whole}.${fraction}${e}${sign}${exponent}`),
  fc.constantFrom('0', '-0', '0.0', '-0.0e0', '1e400', '-1e400', '5e-324', '123456789012345678901234567890'),
);

/** Strings of every kind: printable, any UTF-16 unit (lone surrogates, control characters), base64. */
const anyString = fc.oneof(
  { arbitrary: fc.string({ maxLength: 12 }), weight: 6 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 6 }), weight: 1 },
  {
    arbitrary: fc.string({
      unit: fc.constantFrom(...'ab "\\/\u00e9\u2028\ud83d\ude00\ud800\u0100\n\t\u0000\u001f'.split('')),
      maxLength: 8,
    }),
    weight: 1,
  },
  { arbitrary: fc.uint8Array({ maxLength: 1500 }).map((bytes) => Buffer.from(bytes).toString('base64')), weight: 2 },
);

const valueLiteral = fc.oneof(
  { arbitrary: anyString.map(jsonString), weight: 4 },
  { arbitrary: numberLiteral, weight: 2 },
  { arbitrary: fc.constantFrom('true', 'false', 'null'), weight: 1 },
);

const keyText = fc.oneof(
  { arbitrary: fc.constantFrom(...KEYS, 'event_id', 'response_id', 'output_index', 'Type', 'type ', 'typ'), weight: 3 },
  { arbitrary: anyString, weight: 1 },
);

/** Spaces (the only whitespace a plain frame has) or, rarely, other JSON whitespace. */
const gap = fc.oneof(
  { arbitrary: fc.constantFrom('', '', '', ' ', '  '), weight: 8 },
  { arbitrary: fc.constantFrom('\n', '\t', '\r\n '), weight: 1 },
);

/** A flat JSON object written with random gaps; members may repeat keys. */
const flatFrame = fc
  .array(fc.tuple(keyText, valueLiteral, gap, gap, gap, gap), { maxLength: 9 })
  .chain((members) =>
    fc
      .tuple(gap, gap)
      .map(
        ([before, after]) =>
          `${before}{${members.map(([key, value, g1, g2, g3, g4]) => `${g1}${jsonString(key)}${g2}:${g3}${value}${g4}`).join(',')}}${after}`,
      ),
  );

/** Whether a frame written by {@link flatFrame} is plain (the scanner must accept it). */
function isPlain(frame: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\\\u0000-\u001f]/.test(frame) && frame.length <= 64 * 1024;
}

/** One edit: a character inserted, replaced or deleted, a cut, or a nested value spliced in. */
const mutated = fc
  .tuple(flatFrame, fc.nat(), fc.constantFrom(...'{}[]":,\\ \t\n0123456789eE+-.tfnulxa\u00e9'.split('')), fc.nat(4))
  .map(([frame, at, char, how]) => {
    const index = frame.length === 0 ? 0 : at % frame.length;
    switch (how) {
      case 0:
        return frame.slice(0, index) + char + frame.slice(index);
      case 1:
        return frame.slice(0, index) + char + frame.slice(index + 1);
      case 2:
        return frame.slice(0, index) + frame.slice(index + 1);
      case 3:
        return frame.slice(0, index);
      default:
        return frame.replace(/:(\s*)("[^"]*"|-?\d[\d.eE+-]*|true|false|null)/, `:$1${char === '[' ? '[1,"a"]' : '{"type":"x"}'}`);
    }
  });

describe('FlatJsonScanner', function () {
  this.timeout(60_000); // thousands of generated frames; a loaded machine must not fail them
  it('reads plain flat frames exactly as JSON.parse does (any key order, duplicates, unicode, numbers)', () => {
    const scanner = new FlatJsonScanner(KEYS);
    let plain = 0;
    fc.assert(
      fc.property(flatFrame, (frame) => {
        const accepted = scanner.scan(frame);
        expect(accepted, frame).to.equal(isPlain(frame));
        if (accepted) {
          plain += 1;
          expectAgreement(scanner, frame);
        }
      }),
      { numRuns: 4000, seed: 20261130 },
    );
    expect(plain).to.be.greaterThan(500); // many generated frames take the fast path (the rest must not)
  });

  it('on mutated and arbitrary text either falls back or agrees with JSON.parse', () => {
    const scanner = new FlatJsonScanner(KEYS);
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        fc.oneof({ arbitrary: mutated, weight: 4 }, { arbitrary: fc.string(), weight: 1 }, { arbitrary: fc.json(), weight: 1 }),
        (frame) => {
          if (scanner.scan(frame)) {
            accepted += 1;
            expectAgreement(scanner, frame);
          } else {
            refused += 1;
          }
        },
      ),
      { numRuns: 6000, seed: 20261130 },
    );
    expect(accepted).to.be.greaterThan(200);
    expect(refused).to.be.greaterThan(500);
  });

  it('falls back on escapes, nesting, other whitespace, non-objects and malformed JSON', () => {
    const scanner = new FlatJsonScanner(KEYS);
    const fallBack = [
      '{"type":"a\\"b"}',
      '{"type":"\\u0041"}',
      '{"delta":"ok","x":"\\n"}',
      '{"type":"a","item":{"id":"i"}}',
      '{"type":"a","list":[]}',
      '{"type":"a",\n"delta":"b"}',
      '{\t"type":"a"}',
      '{"type":"a\u0001"}',
      '\ufeff{"type":"a"}',
      '[]',
      '"type"',
      '1',
      'null',
      '',
      '{',
      '{"type":"a",}',
      '{"type":"a"} x',
      '{"type" "a"}',
      '{"type":"a" "delta":"b"}',
      '{type:"a"}',
      "{'type':'a'}",
      '{"type":01}',
      '{"type":1.}',
      '{"type":.5}',
      '{"type":+1}',
      '{"type":-}',
      '{"type":1e}',
      '{"type":tru}',
      '{"type":nul}',
      '{"type":"unterminated}',
      `{"delta":"${'A'.repeat(64 * 1024)}"}`,
    ];
    for (const frame of fallBack) expect(scanner.scan(frame), frame).to.equal(false);
  });

  it('reads scalars with JSON.parse semantics: last duplicate wins, -0, huge exponents, absent keys', () => {
    const scanner = new FlatJsonScanner(['type', 'n', 'absent']);
    expect(scanner.scan(' { "type" : "a" , "type":"b", "n": -0 } ')).to.equal(true);
    expect(scanner.values[0]).to.equal('b');
    expect(Object.is(scanner.values[1], -0)).to.equal(true);
    expect(scanner.values[2]).to.equal(undefined);
    expect(scanner.scan('{"n":1e400,"type":true}')).to.equal(true);
    expect(scanner.values).to.deep.equal([true, Infinity, undefined]);
    expect(scanner.scan('{"n":null,"type":false}')).to.equal(true);
    expect(scanner.values).to.deep.equal([false, null, undefined]);
    expect(scanner.scan('{}')).to.equal(true);
    expect(scanner.values).to.deep.equal([undefined, undefined, undefined]);
    expect(scanner.scan('{"n":[1]}')).to.equal(false);
  });

  it('takes the fast path for the V2 audio and transcript deltas as the API sends them', () => {
    const scanner = new FlatJsonScanner(['type', 'delta', 'item_id']);
    const audio = Buffer.alloc(960, 3).toString('base64');
    const frames: [string, FlatJsonValue[]][] = [
      [
        `{"type":"response.output_audio.delta","event_id":"event_1","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":"${audio}"}`,
        ['response.output_audio.delta', audio, 'item_1'],
      ],
      [
        '{"type":"response.output_audio_transcript.delta","event_id":"event_2","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":"Sure, let me check. Ça marche 👍"}',
        ['response.output_audio_transcript.delta', 'Sure, let me check. Ça marche 👍', 'item_1'],
      ],
    ];
    for (const [frame, values] of frames) {
      expect(scanner.scan(frame), frame).to.equal(true);
      expect(scanner.values).to.deep.equal(values);
    }
  });
});
