import { expect } from 'chai';
import { ActiveTranscript, renderTranscript } from '../active-transcript.js';

describe('ActiveTranscript (spec 04)', () => {
  it('appends a delta to the last entry of the same role, else pushes; skips empty deltas', () => {
    const transcript = new ActiveTranscript(10);
    transcript.appendDelta('user', 'hel');
    transcript.appendDelta('user', 'lo');
    transcript.appendDelta('user', '');
    transcript.appendDelta('assistant', 'hi');
    transcript.appendDelta('user', 'again');
    expect(transcript.snapshot()).to.deep.equal([
      { role: 'user', text: 'hello' },
      { role: 'assistant', text: 'hi' },
      { role: 'user', text: 'again' },
    ]);
  });

  it('a done replaces the last entry of the same role, else pushes; skips empty', () => {
    const transcript = new ActiveTranscript(10);
    transcript.appendDelta('assistant', 'draf');
    transcript.complete('assistant', 'final');
    transcript.complete('user', '');
    transcript.complete('user', 'question');
    expect(transcript.snapshot()).to.deep.equal([
      { role: 'assistant', text: 'final' },
      { role: 'user', text: 'question' },
    ]);
  });

  it('take is an atomic read-and-clear; snapshot copies', () => {
    const transcript = new ActiveTranscript(10);
    transcript.appendDelta('user', 'a');
    const snapshot = transcript.snapshot();
    (snapshot[0] as { text: string }).text = 'changed';
    expect(transcript.take()).to.deep.equal([{ role: 'user', text: 'a' }]);
    expect(transcript.take()).to.deep.equal([]);
    expect(transcript.size).to.equal(0);
  });

  it('is bounded: the oldest entry is dropped and counted', () => {
    const transcript = new ActiveTranscript(2);
    transcript.appendDelta('user', '1');
    transcript.appendDelta('assistant', '2');
    transcript.appendDelta('user', '3');
    expect(transcript.snapshot().map((entry) => entry.text)).to.deep.equal(['2', '3']);
    expect(transcript.dropped).to.equal(1);
  });

  it('an entry keeps its newest maxEntryChars characters; the rest is counted', () => {
    const transcript = new ActiveTranscript(10, 5);
    transcript.appendDelta('assistant', 'abc');
    transcript.appendDelta('assistant', 'defg');
    transcript.complete('user', '123456789');
    expect(transcript.snapshot()).to.deep.equal([
      { role: 'assistant', text: 'cdefg' },
      { role: 'user', text: '56789' },
    ]);
    expect(transcript.droppedChars).to.equal(6);
  });

  it('renders entries as role: text lines', () => {
    expect(
      renderTranscript([
        { role: 'user', text: 'delegate the late task' },
        { role: 'assistant', text: 'on it' },
      ]),
    ).to.equal('user: delegate the late task\nassistant: on it');
  });

  describe('keyed by item (spec 04)', () => {
    const audioUser = (id: string): unknown => ({ id, type: 'message', role: 'user', content: [{ type: 'input_audio' }] });
    const assistant = (id: string): unknown => ({ id, type: 'message', role: 'assistant', content: [] });

    it('added items hold their place; deltas and dones of a known item update it wherever it is', () => {
      const t = new ActiveTranscript(10);
      t.itemAdded(audioUser('u1'));
      t.itemAdded(assistant('a1'));
      t.appendDelta('assistant', 'Sure, ', 'a1');
      t.appendDelta('user', 'Book a table', 'u1');
      t.appendDelta('assistant', 'which day?', 'a1');
      t.complete('user', 'Book a table for two.', 'u1');
      expect(t.snapshot()).to.deep.equal([
        { role: 'user', text: 'Book a table for two.' },
        { role: 'assistant', text: 'Sure, which day?' },
      ]);
    });

    it('only message items with an id, role assistant or user with input_audio, are anchored, once', () => {
      const t = new ActiveTranscript(10);
      t.itemAdded({ id: 't1', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'typed' }] });
      t.itemAdded({ id: 'f1', type: 'function_call' });
      t.itemAdded({ type: 'message', role: 'assistant' });
      t.itemAdded('junk');
      t.itemAdded(null);
      expect(t.size).to.equal(0);
      t.itemAdded(assistant('a1'));
      t.itemAdded(assistant('a1'));
      expect(t.size).to.equal(1);
      expect(t.snapshot()).to.deep.equal([]);
    });

    it('an empty done removes a still-empty entry and is skipped otherwise; an unknown item done pushes unless empty', () => {
      const t = new ActiveTranscript(10);
      t.itemAdded(audioUser('u1'));
      t.complete('user', '', 'u1');
      expect(t.size).to.equal(0);
      t.appendDelta('assistant', 'hi', 'a1');
      t.complete('assistant', '', 'a1');
      t.complete('user', '', 'u9');
      t.complete('user', 'later', 'u9');
      expect(t.snapshot()).to.deep.equal([
        { role: 'assistant', text: 'hi' },
        { role: 'user', text: 'later' },
      ]);
    });

    it('id-less events keep the last-entry rule (the last entry may be keyed)', () => {
      const t = new ActiveTranscript(10);
      t.appendDelta('assistant', 'a', 'a1');
      t.appendDelta('assistant', 'b');
      t.appendDelta('user', 'c');
      t.complete('user', 'C');
      expect(t.snapshot()).to.deep.equal([
        { role: 'assistant', text: 'ab' },
        { role: 'user', text: 'C' },
      ]);
    });

    it('failed transcription removes the empty user entry; a deleted item removes its entry', () => {
      const t = new ActiveTranscript(10);
      t.itemAdded(audioUser('u1'));
      t.itemAdded(audioUser('u2'));
      t.appendDelta('user', 'partial', 'u2');
      t.transcriptionFailed('u1');
      t.transcriptionFailed('u2');
      expect(t.snapshot()).to.deep.equal([{ role: 'user', text: 'partial' }]);
      t.itemDeleted('u2');
      expect(t.size).to.equal(0);
    });

    it('take returns entries with text and clears keys: a later event of a taken item starts a new entry at the end', () => {
      const t = new ActiveTranscript(10);
      t.itemAdded(audioUser('u1'));
      t.appendDelta('assistant', 'Let me check.', 'a1');
      expect(t.take()).to.deep.equal([{ role: 'assistant', text: 'Let me check.' }]);
      expect(t.size).to.equal(0);
      t.appendDelta('assistant', 'more', 'a1');
      t.complete('user', "What's the weather?", 'u1');
      expect(t.take()).to.deep.equal([
        { role: 'assistant', text: 'more' },
        { role: 'user', text: "What's the weather?" },
      ]);
    });

    it('placeholders count towards maxEntries; a dropped keyed entry is forgotten', () => {
      const t = new ActiveTranscript(2);
      t.itemAdded(assistant('a1'));
      t.itemAdded(assistant('a2'));
      t.itemAdded(assistant('a3'));
      expect([t.size, t.dropped]).to.deep.equal([2, 1]);
      t.appendDelta('assistant', 'x', 'a1');
      expect(t.snapshot()).to.deep.equal([{ role: 'assistant', text: 'x' }]);
    });
  });
});
