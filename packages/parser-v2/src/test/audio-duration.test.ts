import { expect } from 'chai';
import { audioDurationMs, base64DecodedLength } from '../audio-duration.js';

describe('base64DecodedLength', () => {
  it('matches Buffer decoding for every padding case', () => {
    for (let bytes = 0; bytes <= 12; bytes += 1) {
      const encoded = Buffer.alloc(bytes, 7).toString('base64');
      expect(base64DecodedLength(encoded), encoded).to.equal(bytes);
      expect(base64DecodedLength(encoded.replace(/=+$/, '')), `${encoded} unpadded`).to.equal(bytes);
    }
  });

  it('960 bytes (20 ms of 24 kHz mono) is 1280 characters', () => {
    const encoded = Buffer.alloc(960).toString('base64');
    expect(encoded.length).to.equal(1280);
    expect(base64DecodedLength(encoded)).to.equal(960);
  });
});

describe('audioDurationMs', () => {
  const frame = (data: string, extra: Record<string, number> = {}) => ({
    type: 'audioOut' as const,
    data,
    sampleRate: 24000,
    numChannels: 1,
    ...extra,
  });

  it('samples from decoded bytes / 2 / channels', () => {
    expect(audioDurationMs(frame(Buffer.alloc(960).toString('base64')))).to.equal(20);
    expect(audioDurationMs(frame(Buffer.alloc(960).toString('base64'), { numChannels: 2 }))).to.equal(10);
    expect(audioDurationMs(frame(Buffer.alloc(960).toString('base64'), { sampleRate: 48000 }))).to.equal(10);
  });

  it('samplesPerChannel wins over the data length', () => {
    expect(audioDurationMs(frame('AQID', { samplesPerChannel: 480 }))).to.equal(20);
    expect(audioDurationMs(frame(Buffer.alloc(960).toString('base64'), { samplesPerChannel: 0 }))).to.equal(0);
  });

  it('floors to whole milliseconds', () => {
    expect(audioDurationMs(frame('AQID', { samplesPerChannel: 47 }))).to.equal(1);
    expect(audioDurationMs(frame('AQID'))).to.equal(0);
    expect(audioDurationMs(frame(Buffer.alloc(100).toString('base64')))).to.equal(2);
  });
});
