import { expect } from 'chai';
import {
  EnergyVad,
  silenceAudio,
  SIMULATOR_FRAME_BYTES,
  speechWords,
  splitAudio,
  synthesizeSpeech,
  wordSpeechFrames,
} from '../simulator/index.js';

/** `ms` of a constant-amplitude 200 Hz tone (RMS = amplitude / √2). */
function tone(ms: number, amplitude: number): Buffer {
  const samples = (ms * 24000) / 1000;
  const pcm = Buffer.alloc(samples * 2);
  for (let n = 0; n < samples; n += 1) pcm.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * 200 * n) / 24000)), n * 2);
  return pcm;
}

function rms(frame: Buffer): number {
  let sum = 0;
  for (let i = 0; i < frame.length; i += 2) sum += frame.readInt16LE(i) ** 2;
  return Math.sqrt(sum / (frame.length / 2));
}

describe('simulator audio: speech synthesizer and energy VAD', () => {
  describe('synthesizer', () => {
    it('makes 20 ms PCM16 24 kHz frames (960 bytes), deterministic and cached per word', () => {
      const frames = wordSpeechFrames('hello');
      expect(frames.length).to.be.greaterThan(10);
      for (const frame of frames) expect(Buffer.from(frame, 'base64').length).to.equal(SIMULATOR_FRAME_BYTES);
      expect(wordSpeechFrames('hello')).to.equal(frames);
      expect(synthesizeSpeech('hello world').equals(synthesizeSpeech('hello world'))).to.equal(true);
      expect(synthesizeSpeech('hello').equals(synthesizeSpeech('world'))).to.equal(false);
    });

    it('sounds like speech: loud syllables with quiet edges, one silent frame between words, more syllables for longer words', () => {
      const frames = wordSpeechFrames('banana').map((frame) => Buffer.from(frame, 'base64'));
      const levels = frames.map(rms);
      expect(Math.max(...levels)).to.be.within(3000, 9000);
      expect(levels[levels.length - 1]).to.equal(0);
      expect(levels[0]).to.be.lessThan(Math.max(...levels) / 2);
      expect(wordSpeechFrames('banana').length).to.be.greaterThan(wordSpeechFrames('a').length * 2);
    });

    it('splits text into words and audio into frames', () => {
      expect(speechWords('  hello,  big\nworld ')).to.deep.equal(['hello,', 'big', 'world']);
      expect(splitAudio(silenceAudio(50)).map((chunk) => chunk.length)).to.deep.equal([960, 960, 480]);
      expect(silenceAudio(400).length).to.equal(19200);
    });
  });

  describe('energy VAD', () => {
    it('starts after 60 ms above the threshold (at the first loud frame) and stops after 400 ms of silence', () => {
      const vad = new EnergyVad();
      const events = vad.feed(Buffer.concat([silenceAudio(200), tone(300, 2000), silenceAudio(600)]));
      expect(events).to.deep.equal([
        { type: 'speechStarted', audioStartMs: 200 },
        { type: 'speechStopped', audioEndMs: 900 },
      ]);
      expect(vad.inSpeech).to.equal(false);
      expect(vad.audioMs).to.equal(1100);
    });

    it('ignores blips shorter than 60 ms, quiet audio and pauses shorter than 400 ms', () => {
      const vad = new EnergyVad();
      expect(vad.feed(Buffer.concat([tone(40, 5000), silenceAudio(100), tone(500, 300)]))).to.deep.equal([]);
      const events = vad.feed(Buffer.concat([tone(100, 3000), silenceAudio(380), tone(100, 3000), silenceAudio(400)]));
      expect(events).to.deep.equal([
        { type: 'speechStarted', audioStartMs: 640 },
        { type: 'speechStopped', audioEndMs: 1620 },
      ]);
    });

    it('accepts chunks of any size and honours its options', () => {
      const vad = new EnergyVad({ threshold: 100, startMs: 20, silenceMs: 100 });
      const audio = Buffer.concat([tone(20, 300), silenceAudio(100)]);
      const events = [];
      for (let offset = 0; offset < audio.length; offset += 333) events.push(...vad.feed(audio.subarray(offset, offset + 333)));
      expect(events).to.deep.equal([
        { type: 'speechStarted', audioStartMs: 0 },
        { type: 'speechStopped', audioEndMs: 120 },
      ]);
    });

    it('hears synthesized speech as exactly one utterance, starting at its first loud frame', () => {
      const vad = new EnergyVad();
      const speech = synthesizeSpeech('please look up the weather in Paris for me');
      const events = vad.feed(Buffer.concat([silenceAudio(300), speech, silenceAudio(600)]));
      expect(events.map((event) => event.type)).to.deep.equal(['speechStarted', 'speechStopped']);
      const start = (events[0] as { audioStartMs: number }).audioStartMs;
      expect(start).to.be.within(300, 320);
      const end = (events[1] as { audioEndMs: number }).audioEndMs;
      const speechMs = (speech.length / 2 / 24000) * 1000;
      expect(end).to.be.within(300 + speechMs + 400 - 60, 300 + speechMs + 400);
    });

    it('flush() ends speech in progress; reset() forgets it', () => {
      const vad = new EnergyVad();
      vad.feed(tone(100, 3000));
      expect(vad.inSpeech).to.equal(true);
      expect(vad.flush()).to.deep.equal({ type: 'speechStopped', audioEndMs: 100 });
      expect(vad.flush()).to.equal(undefined);
      vad.feed(tone(100, 3000));
      vad.reset();
      expect(vad.inSpeech).to.equal(false);
    });
  });
});
