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
});
