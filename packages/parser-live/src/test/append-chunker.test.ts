import { expect } from 'chai';
import fc from 'fast-check';
import { chunkText, estimateTokens } from '../append-chunker.js';

const SPEC_MESSAGE =
  'Your flight TP1947 leaves Lisbon at 09:40 and lands in Porto at 10:35. Seat 14C is by the window. Boarding closes twenty minutes before departure, so be at gate 12 by 09:20 at the latest please. Code: QWERTYUIOPASDFGHJKLZXCVBNMQWERTYUIOPASDFGHJKLZXCVBNMQWERTYUIOPASDFGHJKLZXCVBNMQWERTY. Boa viagem — até já!';

describe('append chunking (spec 08 "Chunking")', () => {
  it('estimates a quarter token per ASCII code point and a whole token per other code point, rounded up', () => {
    expect(estimateTokens('')).to.equal(0);
    expect(estimateTokens('abcd')).to.equal(1);
    expect(estimateTokens('abcde')).to.equal(2);
    expect(estimateTokens('日本語')).to.equal(3);
    expect(estimateTokens('é')).to.equal(1);
    expect(estimateTokens('😀')).to.equal(1);
    expect(estimateTokens('ERTY. Boa viagem — até já!')).to.equal(9);
  });

  it('the spec example with B = 20: seven chunks (sentence end, words, hard cut)', () => {
    expect(chunkText(SPEC_MESSAGE, 20)).to.deep.equal([
      'Your flight TP1947 leaves Lisbon at 09:40 and lands in Porto at 10:35.',
      'Seat 14C is by the window.',
      'Boarding closes twenty minutes before departure, so be at gate 12 by 09:20 at',
      'the latest please.',
      'Code:',
      'QWERTYUIOPASDFGHJKLZXCVBNMQWERTYUIOPASDFGHJKLZXCVBNMQWERTYUIOPASDFGHJKLZXCVBNMQW',
      'ERTY. Boa viagem — até já!',
    ]);
  });

  it('trims; a blank text gives no chunk; a text within the budget is one chunk', () => {
    expect(chunkText('   \n\t ', 10)).to.deep.equal([]);
    expect(chunkText('  hello there  ', 10)).to.deep.equal(['hello there']);
    expect(chunkText('a'.repeat(40), 10)).to.deep.equal(['a'.repeat(40)]);
    expect(chunkText('a'.repeat(41), 10)).to.deep.equal(['a'.repeat(40), 'a']);
  });

  it('cuts after a line feed or a full-width sentence end first', () => {
    expect(chunkText('line one\nline two and more', 4)).to.deep.equal(['line one', 'line two and', 'more']);
    expect(chunkText('今日は晴れ。明日は雨', 7)).to.deep.equal(['今日は晴れ。', '明日は雨']);
    expect(chunkText('本当？はい！', 4)).to.deep.equal(['本当？', 'はい！']);
  });

  it('a period not followed by whitespace is no sentence end (09:40, 3.5)', () => {
    expect(chunkText('It costs 3.50 euros today', 4)).to.deep.equal(['It costs 3.50', 'euros today']);
  });

  it('property: chunks are non-empty, trimmed, within the budget, and keep every non-whitespace character in order', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', ' ', '.', '!', '\n', 'é', '日', '。', '\t', '?'), maxLength: 300 }),
        fc.integer({ min: 1, max: 40 }),
        (text, budget) => {
          const chunks = chunkText(text, budget);
          for (const chunk of chunks) {
            expect(chunk).to.not.equal('');
            expect(chunk).to.equal(chunk.trim());
            expect(estimateTokens(chunk)).to.be.at.most(budget);
          }
          expect(chunks.join('').replace(/\s/gu, '')).to.equal(text.replace(/\s/gu, ''));
        },
      ),
      { numRuns: 500 },
    );
  });
});
