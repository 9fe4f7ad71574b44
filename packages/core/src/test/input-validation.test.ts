import { expect } from 'chai';
import fc from 'fast-check';
import { base64ByteLength, isBase64 } from '../input-validation.js';

const REFERENCE = /^[A-Za-z0-9+/]*={0,2}$/;
const reference = (data: string): boolean => data.length % 4 === 0 && REFERENCE.test(data);

describe('isBase64 (the fast audio check)', () => {
  it('accepts standard padded base64 of any length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4000 }), (bytes) => {
        const data = Buffer.from(bytes).toString('base64');
        expect(isBase64(data)).to.equal(true);
        expect(base64ByteLength(data)).to.equal(bytes.length);
      }),
      { numRuns: 300, seed: 20261125 },
    );
  });

  it('agrees with the reference expression on mutated and arbitrary strings', () => {
    const alphabet = fc.constantFrom(...'ABCXYZabcxyz0189+/=-_ .\n\u00e9'.split(''));
    const mutated = fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.nat(), alphabet).map(([bytes, at, char]) => {
      const data = Buffer.from(bytes).toString('base64');
      const index = at % data.length;
      return data.slice(0, index) + char + data.slice(index + 1);
    });
    fc.assert(
      fc.property(fc.oneof(mutated, fc.string({ unit: alphabet, maxLength: 24 }), fc.string()), (data) => {
        expect(isBase64(data), JSON.stringify(data)).to.equal(reference(data));
      }),
      { numRuns: 3000, seed: 20261125 },
    );
  });

  it('refuses the cases that fool a lenient decoder', () => {
    for (const data of ['AQ=D', 'A=QD', '=AQD', 'AQ-D', 'AQ_D', 'AQ D', 'AQ\nD', 'AQD==', 'AQ===', 'AQID====']) {
      expect(isBase64(data), data).to.equal(false);
    }
    expect(isBase64('')).to.equal(true);
  });

  it('large data (over the scratch size) is checked too', () => {
    const large = Buffer.alloc(100_000, 7).toString('base64');
    expect(isBase64(large)).to.equal(true);
    expect(isBase64(`${large.slice(0, -4)}A=AA`)).to.equal(false);
  });
});
