import { expect } from 'chai';
import type { AudioOutEvent } from '@parley/core';
import { OutputAudioTracker } from '../output-audio-tracker.js';

const twentyMs = Buffer.alloc(960).toString('base64');
const frame = (itemId: string | undefined, samplesPerChannel?: number): AudioOutEvent => {
  const event: AudioOutEvent = { type: 'audioOut', data: twentyMs, sampleRate: 24000, numChannels: 1 };
  if (itemId !== undefined) event.itemId = itemId;
  if (samplesPerChannel !== undefined) event.samplesPerChannel = samplesPerChannel;
  return event;
};

describe('OutputAudioTracker', () => {
  it('adds per item and replaces on another item', () => {
    const tracker = new OutputAudioTracker();
    tracker.addAudio(frame('a'));
    tracker.addAudio(frame('a'));
    expect([tracker.currentItemId, tracker.audioEndMs]).to.deep.equal(['a', 40]);
    tracker.addAudio(frame('b', 240));
    expect([tracker.currentItemId, tracker.audioEndMs]).to.deep.equal(['b', 10]);
  });

  it('ignores frames without item id or with zero duration', () => {
    const tracker = new OutputAudioTracker();
    tracker.addAudio(frame(undefined));
    tracker.addAudio(frame('z', 0));
    expect(tracker.takeBargeIn()).to.equal(undefined);
  });

  it('takeBargeIn takes and clears; truncates at min(received, played)', () => {
    const tracker = new OutputAudioTracker();
    tracker.addAudio(frame('a'));
    tracker.addAudio(frame('a'));
    tracker.reportPlayback('a', 25.9);
    expect(tracker.takeBargeIn()).to.deep.equal({ kind: 'truncate', itemId: 'a', audioEndMs: 25 });
    expect(tracker.takeBargeIn()).to.equal(undefined);
  });

  it('deletes when the played position is 0; ignores invalid reports', () => {
    const tracker = new OutputAudioTracker();
    tracker.addAudio(frame('a'));
    tracker.reportPlayback('a', 0);
    tracker.reportPlayback('a', -5);
    tracker.reportPlayback('a', Number.NaN);
    expect(tracker.takeBargeIn()).to.deep.equal({ kind: 'delete', itemId: 'a' });
  });

  it('clear drops the state and the playback report', () => {
    const tracker = new OutputAudioTracker();
    tracker.addAudio(frame('a'));
    tracker.reportPlayback('a', 5);
    tracker.clear();
    tracker.addAudio(frame('a'));
    expect(tracker.takeBargeIn()).to.deep.equal({ kind: 'truncate', itemId: 'a', audioEndMs: 20 });
  });
});
