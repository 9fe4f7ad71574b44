import { expect } from 'chai';
import { describeError, type HandoffDelegate } from '@parley/core';
import { createHarness, settle } from '../support/harness.js';

/** Values `String()` cannot convert, with the description Parley gives each. */
const HOSTILE: [string, () => unknown, string][] = [
  ['Object.create(null)', () => Object.create(null) as unknown, '[object Object]'],
  [
    'an object whose toString throws',
    () => ({
      toString(): string {
        throw new Error('no');
      },
    }),
    '[object Object]',
  ],
  ['a Symbol', () => Symbol('boom'), 'Symbol(boom)'],
  [
    'an Error whose message getter throws',
    () =>
      Object.defineProperty(new Error('x'), 'message', {
        get(): string {
          throw new Error('no');
        },
      }),
    '[object Error]',
  ],
];

describe('reliability: thrown values String() cannot convert never crash or end a conversation', () => {
  it('describeError describes any value without throwing', () => {
    for (const [what, make, description] of HOSTILE) expect(describeError(make()), what).to.equal(description);
    expect(describeError(new Error('plain'))).to.equal('plain');
    expect(describeError({ code: 7 })).to.equal('{"code":7}');
    expect(describeError('x'.repeat(5000))).to.have.length(2000);
  });

  for (const [what, make, description] of HOSTILE) {
    for (const how of ['rejects with', 'throws synchronously']) {
      it(`a delegate that ${how} ${what}: the turn finishes with "The background agent failed: ${description}", the conversation goes on`, async () => {
        const delegate: HandoffDelegate = {
          delegate: () => {
            if (how === 'rejects with') return Promise.reject(make());
            throw make();
          },
        };
        const h = createHarness({ delegate });
        await h.manager.start();
        h.server().serverJson({ type: 'handoff', id: 'h1', prompt: 'x' });
        await settle();
        await settle();
        expect(h.wire().slice(1)).to.deep.equal([
          { type: 'handoff.output', id: 'h1', text: `The background agent failed: ${description}` },
          { type: 'handoff.done', id: 'h1' },
        ]);
        expect(h.of('error')).to.deep.equal([]);
        expect(h.manager.running).to.equal(true);
        h.server().serverJson({ type: 'say', text: 'still talking' });
        expect(h.events.flatMap((event) => (event.type === 'outputTranscriptDelta' ? [event.delta] : []))).to.deep.equal(['still talking']);
        const logged = h.logger.lines.find((line) => line.message.startsWith('the background agent failed'));
        expect(logged?.fields?.error).to.equal(description);
      });
    }

    it(`an on() listener that throws ${what}: logged at error level, every later event still delivered, the conversation goes on`, async () => {
      const h = createHarness();
      h.manager.on(() => {
        throw make();
      });
      const iterator = h.manager.events();
      await h.manager.start();
      h.server().serverJson({ type: 'say', text: 'a' });
      h.server().serverJson({ type: 'say', text: 'b' });
      expect(h.events.flatMap((event) => (event.type === 'outputTranscriptDelta' ? [event.delta] : []))).to.deep.equal(['a', 'b']);
      expect(h.manager.running).to.equal(true);
      const lines = h.logger.lines.filter((line) => line.message === 'an event listener threw; the conversation goes on');
      expect(lines.map((line) => line.fields)).to.deep.equal([
        { error: description, event: 'started' },
        { error: description, event: 'outputTranscriptDelta' },
        { error: description, event: 'outputTranscriptDelta' },
      ]);
      await h.manager.close();
      const types: string[] = [];
      for await (const event of iterator) types.push(event.type);
      expect(types).to.deep.equal(['started', 'outputTranscriptDelta', 'outputTranscriptDelta', 'closed']);
    });
  }
});
