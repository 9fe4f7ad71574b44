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
    tracker.addAudio(frame('a'), 0);
    tracker.addAudio(frame('a'), 0);
    expect([tracker.currentItemId, tracker.receivedMs]).to.deep.equal(['a', 40]);
    tracker.addAudio(frame('b', 240), 5);
    expect([tracker.currentItemId, tracker.receivedMs]).to.deep.equal(['b', 10]);
  });

  it('ignores frames without item id or with zero duration', () => {
    const tracker = new OutputAudioTracker();
    tracker.addAudio(frame(undefined), 0);
    tracker.addAudio(frame('z', 0), 0);
    expect(tracker.takeBargeIn(100)).to.equal(undefined);
  });

  it('estimates played as now − first frame, capped at received (spec 03: ten frames at 100, speech at 180 → 80)', () => {
    const tracker = new OutputAudioTracker();
    for (let i = 0; i < 10; i += 1) tracker.addAudio(frame('item_a1'), 100);
    expect(tracker.takeBargeIn(180)).to.deep.equal({ kind: 'truncate', itemId: 'item_a1', audioEndMs: 80 });
    expect(tracker.takeBargeIn(181)).to.equal(undefined);
  });

  it('heard to the end: nothing to send', () => {
    const tracker = new OutputAudioTracker();
    for (let i = 0; i < 10; i += 1) tracker.addAudio(frame('item_a1'), 100);
    expect(tracker.takeBargeIn(300)).to.equal(undefined);
    expect(tracker.currentItemId).to.equal(undefined);
  });

  it('a reported position wins over the estimate, floored, and is never extrapolated', () => {
    const tracker = new OutputAudioTracker();
    tracker.addAudio(frame('it_9', 2400), 10);
    tracker.addAudio(frame('it_9', 2400), 20);
    tracker.reportPlayback('it_9', 125.9);
    expect(tracker.takeBargeIn(160)).to.deep.equal({ kind: 'truncate', itemId: 'it_9', audioEndMs: 125 });
  });

  it('the latest report wins; a report for another item or an invalid value is ignored', () => {
    const tracker = new OutputAudioTracker();
    tracker.addAudio(frame('a', 2400), 0);
    tracker.reportPlayback('a', 30);
    tracker.reportPlayback('a', 40);
    tracker.reportPlayback('b', 5);
    tracker.reportPlayback('a', -5);
    tracker.reportPlayback('a', Number.NaN);
    expect(tracker.takeBargeIn(90)).to.deep.equal({ kind: 'truncate', itemId: 'a', audioEndMs: 40 });
  });

  it('deletes when nothing was heard: a report of 0, or speech at the first frame time', () => {
    const reported = new OutputAudioTracker();
    reported.addAudio(frame('it_u'), 10);
    reported.reportPlayback('it_u', 0);
    expect(reported.takeBargeIn(12)).to.deep.equal({ kind: 'delete', itemId: 'it_u' });
    const estimated = new OutputAudioTracker();
    estimated.addAudio(frame('it_u'), 10);
    expect(estimated.takeBargeIn(10)).to.deep.equal({ kind: 'delete', itemId: 'it_u' });
  });

  it('late frames of an ended item are not tracked; a new item is', () => {
    const tracker = new OutputAudioTracker();
    tracker.addAudio(frame('a'), 0);
    tracker.takeBargeIn(5);
    tracker.addAudio(frame('a'), 6);
    expect(tracker.currentItemId).to.equal(undefined);
    tracker.addAudio(frame('b'), 7);
    expect(tracker.currentItemId).to.equal('b');
  });

  it('a replaced item ends: its later frames are ignored, its report no longer applies', () => {
    const tracker = new OutputAudioTracker();
    tracker.addAudio(frame('a'), 0);
    tracker.addAudio(frame('b'), 10);
    tracker.addAudio(frame('a'), 11);
    tracker.reportPlayback('a', 1);
    expect([tracker.currentItemId, tracker.receivedMs]).to.deep.equal(['b', 20]);
    expect(tracker.takeBargeIn(15)).to.deep.equal({ kind: 'truncate', itemId: 'b', audioEndMs: 5 });
  });

  it('the server confirming a truncate or delete of that item ends the state; another item is unaffected', () => {
    const tracker = new OutputAudioTracker();
    tracker.addAudio(frame('a'), 0);
    tracker.confirmCut('other');
    expect(tracker.currentItemId).to.equal('a');
    tracker.confirmCut('a');
    expect(tracker.takeBargeIn(5)).to.equal(undefined);
  });

  it('G.711: one byte per sample at 8000 Hz (a 160-byte frame is 20 ms)', () => {
    const tracker = new OutputAudioTracker(1);
    const g711: AudioOutEvent = {
      type: 'audioOut',
      data: Buffer.alloc(160).toString('base64'),
      sampleRate: 8000,
      numChannels: 1,
      itemId: 'g',
    };
    for (let i = 0; i < 3; i += 1) tracker.addAudio(g711, 0);
    expect(tracker.receivedMs).to.equal(60);
    expect(tracker.takeBargeIn(50)).to.deep.equal({ kind: 'truncate', itemId: 'g', audioEndMs: 50 });
  });

  it('clear forgets the state and the last ended item', () => {
    const tracker = new OutputAudioTracker();
    tracker.addAudio(frame('a'), 0);
    tracker.takeBargeIn(1);
    tracker.clear();
    tracker.addAudio(frame('a'), 2);
    expect(tracker.currentItemId).to.equal('a');
  });
});
