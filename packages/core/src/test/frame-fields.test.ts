import { expect } from 'chai';
import {
  arrayField,
  booleanField,
  emptyStats,
  isSkipReason,
  numberField,
  objectField,
  parseFrame,
  SKIP_REASONS,
  stringField,
} from '../index.js';

// The helpers a custom parser uses (README "Register a custom parser"), from the package's entry.
describe('parser helpers exported by @parley/core', () => {
  it('parseFrame gives the object, or the reason to skip the frame', () => {
    expect(parseFrame('{"type":"said","text":"hi"}')).to.deep.equal({ type: 'said', text: 'hi' });
    expect(parseFrame('{"type":')).to.equal('invalid_json');
    expect(parseFrame('[1]')).to.equal('missing_type');
    expect(parseFrame('"said"')).to.equal('missing_type');
    expect(parseFrame('null')).to.equal('missing_type');
    expect(parseFrame('{"type":7}')).to.equal('missing_type');
  });

  it('the field readers give typed values, and undefined for an absent or mistyped field', () => {
    const frame = { type: 't', s: 'x', n: 2.5, inf: Number.POSITIVE_INFINITY, b: false, a: [1], o: { k: 1 }, nil: null };
    expect(stringField(frame, 's')).to.equal('x');
    expect(stringField(frame, 'n')).to.equal(undefined);
    expect(numberField(frame, 'n')).to.equal(2.5);
    expect(numberField(frame, 'inf')).to.equal(undefined);
    expect(numberField(frame, 's')).to.equal(undefined);
    expect(booleanField(frame, 'b')).to.equal(false);
    expect(booleanField(frame, 's')).to.equal(undefined);
    expect(arrayField(frame, 'a')).to.deep.equal([1]);
    expect(arrayField(frame, 'o')).to.equal(undefined);
    expect(objectField(frame, 'o')).to.deep.equal({ k: 1 });
    expect(objectField(frame, 'a')).to.equal(undefined);
    expect(objectField(frame, 'nil')).to.equal(undefined);
    expect(stringField(frame, 'missing')).to.equal(undefined);
  });

  it('SKIP_REASONS are exactly the keys of stats().skippedByReason, and isSkipReason tells them from events', () => {
    expect([...SKIP_REASONS].sort()).to.deep.equal(Object.keys(emptyStats('x').skippedByReason).sort());
    for (const reason of SKIP_REASONS) expect(isSkipReason(reason)).to.equal(true);
    expect(isSkipReason('unknown')).to.equal(false);
    expect(isSkipReason({ type: 'sessionUpdated' })).to.equal(false);
  });
});
