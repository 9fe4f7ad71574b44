import { expect } from 'chai';
import { ParleyError } from '@parley/core';
import { advanceVirtualClock } from '@parley/testkit';
import { createHarness, settle } from './support/harness.js';

function errorOf(action: () => unknown): ParleyError {
  try {
    action();
  } catch (error) {
    return error as ParleyError;
  }
  throw new Error('expected the call to throw');
}

describe('conversation inputs and queues (spec 04)', () => {
  it('every call but close() fails with ERR_NOT_RUNNING before start and after the end', async () => {
    const h = createHarness();
    const calls = async (): Promise<unknown[]> => [
      errorOf(() => h.manager.sendAudio({ data: 'AAAAAA==' })),
      await h.manager.sendText('x').catch((error: unknown) => error),
      await h.manager.sendAssistantOutput('x').catch((error: unknown) => error),
      await h.manager.finishTurn().catch((error: unknown) => error),
      await h.manager.requestResponse().catch((error: unknown) => error),
      errorOf(() => h.manager.reportPlayback('item', 10)),
    ];
    for (const error of [...(await calls())]) {
      expect(error).to.be.instanceOf(ParleyError);
      expect((error as ParleyError).code).to.equal('ERR_NOT_RUNNING');
      expect((error as ParleyError).message).to.equal('conversation is not running');
    }
    await h.manager.start();
    await h.manager.close();
    for (const error of await calls()) expect((error as ParleyError).code).to.equal('ERR_NOT_RUNNING');
  });

  it('sends audio and text in call order, each encoded by the strategy', async () => {
    const h = createHarness();
    await h.manager.start();
    h.manager.sendAudio({ data: 'AQIDBA==', sampleRate: 24000 });
    await h.manager.sendText('hello');
    h.manager.sendAudio({ data: 'BQYHCA==' });
    await h.manager.requestResponse();
    await settle();
    expect(h.wire().slice(1)).to.deep.equal([
      { type: 'audio', audio: 'AQIDBA==' },
      { type: 'text', text: 'hello' },
      { type: 'audio', audio: 'BQYHCA==' },
      { type: 'respond' },
    ]);
    const stats = h.manager.stats();
    expect(stats.framesOut).to.equal(5);
  });

  for (const [name, data, fragment] of [
    ['empty', '', 'empty'],
    ['not base64', 'ab$d', 'base64'],
    ['not a multiple of 4', 'AQI', 'base64'],
    ['an odd byte length', 'AQID', 'odd'],
  ] as const) {
    it(`rejects audio whose data is ${name} with ERR_INVALID_AUDIO, losing nothing queued`, async () => {
      const h = createHarness();
      await h.manager.start();
      h.server().stall();
      h.manager.sendAudio({ data: 'AQIDBA==' });
      const error = errorOf(() => h.manager.sendAudio({ data }));
      expect(error.code).to.equal('ERR_INVALID_AUDIO');
      expect(error.message).to.contain(fragment);
      h.server().unstall();
      await settle();
      expect(h.wire().slice(1)).to.deep.equal([{ type: 'audio', audio: 'AQIDBA==' }]);
    });
  }

  it('rejects a non-integer sampleRate naming the field', async () => {
    const h = createHarness();
    await h.manager.start();
    expect(errorOf(() => h.manager.sendAudio({ data: 'AQIDBA==', sampleRate: 1.5 })).message).to.contain('sampleRate');
  });

  it('rejects text over realtime.text.maxChars with ERR_INVALID_TEXT naming the limit', async () => {
    const h = createHarness({ config: { realtime: { text: { maxChars: 5 } } } });
    await h.manager.start();
    const error = (await h.manager.sendText('123456').catch((e: unknown) => e)) as ParleyError;
    expect(error.code).to.equal('ERR_INVALID_TEXT');
    expect(error.message).to.contain('realtime.text.maxChars');
    await h.manager.sendText('12345');
  });

  it('drops audio when the audio queue is full, counts it, and warns once per burst; never blocks', async () => {
    const h = createHarness({ config: { realtime: { queues: { audioIn: 3 } } } });
    await h.manager.start();
    h.server().stall();
    for (let i = 0; i < 10; i += 1) h.manager.sendAudio({ data: 'AQIDBA==' });
    await settle();
    // One frame is in flight (its send is pending), three are queued, six are dropped.
    expect(h.manager.stats().droppedAudioFrames).to.equal(6);
    expect(h.manager.stats().queued.audioIn).to.equal(3);
    expect(h.logger.lines.filter((line) => line.level === 'warn' && line.message.startsWith('audio queue full'))).to.have.length(1);
    h.server().unstall();
    await settle();
    expect(h.wire()).to.have.length(1 + 4);
    h.server().stall();
    for (let i = 0; i < 10; i += 1) h.manager.sendAudio({ data: 'AQIDBA==' });
    expect(h.logger.lines.filter((line) => line.message.startsWith('audio queue full'))).to.have.length(2);
  });

  it('makes text callers await space when the text queue is full, keeping their order', async () => {
    const h = createHarness({ config: { realtime: { queues: { textIn: 2 } } } });
    await h.manager.start();
    h.server().stall();
    const resolved: string[] = [];
    const sends = ['a', 'b', 'c', 'd', 'e'].map((text) => h.manager.sendText(text).then(() => resolved.push(text)));
    await settle();
    // 'a' is in flight, 'b' and 'c' fill the queue, 'd' and 'e' wait for space.
    expect(resolved).to.deep.equal(['a', 'b', 'c']);
    expect(h.manager.stats().queued.textIn).to.equal(2);
    h.server().unstall();
    await Promise.all(sends);
    await settle();
    expect(resolved).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
    expect(h.wire().slice(1)).to.deep.equal(['a', 'b', 'c', 'd', 'e'].map((text) => ({ type: 'text', text })));
  });

  it('a caller waiting for space gets ERR_NOT_RUNNING when the conversation ends; queued inputs are counted as discarded', async () => {
    const h = createHarness({ config: { realtime: { queues: { textIn: 1 } } } });
    await h.manager.start();
    h.server().stall();
    void h.manager.sendText('a');
    void h.manager.sendText('b');
    const waiting = h.manager.sendText('c').catch((error: unknown) => error);
    await settle();
    const closing = h.manager.close();
    await advanceVirtualClock(h.clock, h.clock.now() + 5000);
    await closing;
    expect(((await waiting) as ParleyError).code).to.equal('ERR_NOT_RUNNING');
    expect(h.manager.stats().discardedInputs).to.equal(2);
  });

  it('close() sends the inputs already queued, then closes', async () => {
    const h = createHarness();
    await h.manager.start();
    h.manager.sendAudio({ data: 'AQIDBA==' });
    void h.manager.sendText('last words');
    h.manager.sendAudio({ data: 'BQYHCA==' });
    await h.manager.close();
    expect(h.wire().slice(1)).to.deep.equal([
      { type: 'audio', audio: 'AQIDBA==' },
      { type: 'text', text: 'last words' },
      { type: 'audio', audio: 'BQYHCA==' },
    ]);
    expect(h.manager.stats().discardedInputs).to.equal(0);
    expect(h.of('closed')).to.deep.equal([{ type: 'closed', reason: 'requested' }]);
  });

  // Issue 15 item 13: close() used to give up on a stuck socket at once; it now waits for
  // realtime.closeDrainMs (5000 ms by default, on the clock) before it discards what is queued.
  it('close() waits realtime.closeDrainMs (5000 ms) for a stuck socket, then discards and counts what is queued', async () => {
    const h = createHarness();
    await h.manager.start();
    h.server().stall();
    await h.manager.sendText('in flight');
    await settle();
    void h.manager.sendText('queued');
    let closed = false;
    const closing = h.manager.close().then(() => (closed = true));
    await advanceVirtualClock(h.clock, h.clock.now() + 4999);
    expect(closed).to.equal(false);
    expect(h.of('closed')).to.deep.equal([]);
    await advanceVirtualClock(h.clock, h.clock.now() + 1);
    await closing;
    expect(h.manager.stats().discardedInputs).to.equal(1);
    expect(h.of('closed')).to.have.length(1);
    const warnings = h.logger.lines.filter((line) => line.level === 'warn' && line.message.startsWith('close()'));
    expect(warnings.map((line) => line.message)).to.deep.equal([
      'close(): discarded 1 queued inputs the socket did not take within realtime.closeDrainMs (5000 ms)',
    ]);
  });

  it('close() sends what is queued once a stalled socket moves again within realtime.closeDrainMs', async () => {
    const h = createHarness();
    await h.manager.start();
    h.server().stall();
    await h.manager.sendText('in flight');
    await settle();
    void h.manager.sendText('queued 1');
    void h.manager.sendText('queued 2');
    const closing = h.manager.close();
    await advanceVirtualClock(h.clock, h.clock.now() + 4000);
    h.server().unstall();
    await closing;
    expect(h.wire().slice(1)).to.deep.equal([
      { type: 'text', text: 'in flight' },
      { type: 'text', text: 'queued 1' },
      { type: 'text', text: 'queued 2' },
    ]);
    expect(h.manager.stats().discardedInputs).to.equal(0);
    expect(h.of('closed')).to.deep.equal([{ type: 'closed', reason: 'requested' }]);
  });

  it('realtime.closeDrainMs 0: close() does not wait for a stuck socket (what is queued is discarded at once)', async () => {
    const h = createHarness({ config: { realtime: { closeDrainMs: 0 } } });
    await h.manager.start();
    h.server().stall();
    await h.manager.sendText('in flight');
    await settle();
    void h.manager.sendText('queued');
    await h.manager.close();
    expect(h.manager.stats().discardedInputs).to.equal(1);
    expect(h.of('closed')).to.have.length(1);
  });

  it('inbound events keep flowing while a send is stalled', async () => {
    const h = createHarness();
    await h.manager.start();
    h.server().stall();
    await h.manager.sendText('stuck');
    h.server().serverJson({ type: 'say', text: 'still talking' });
    expect(h.of('outputTranscriptDelta')).to.deep.equal([{ type: 'outputTranscriptDelta', delta: 'still talking' }]);
  });

  it('skips undecodable frames, counting them by reason, and goes on', async () => {
    const h = createHarness();
    await h.manager.start();
    h.server().serverText('not json');
    h.server().serverText('{"no":"type"}');
    h.server().serverText('[1,2]');
    h.server().serverJson({ type: 'nope' });
    h.server().serverJson({ type: 'say' });
    h.server().serverJson({ type: 'say', text: 'ok' });
    const stats = h.manager.stats();
    expect(stats.skippedFrames).to.equal(5);
    expect(stats.skippedByReason).to.deep.equal({ invalid_json: 1, missing_type: 2, unknown_type: 1, invalid_fields: 1 });
    expect(stats.framesIn).to.equal(6);
    expect(h.events.map((event) => event.type)).to.deep.equal(['started', 'outputTranscriptDelta']);
  });

  it('does not let server JSON pollute prototypes', async () => {
    const h = createHarness();
    await h.manager.start();
    h.server().serverText('{"type":"session.updated","session":{"id":"s","__proto__":{"polluted":true}},"__proto__":{"polluted":true}}');
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    expect(h.of('sessionUpdated')).to.deep.equal([{ type: 'sessionUpdated', sessionId: 's' }]);
  });

  it('reportPlayback validates its arguments', async () => {
    const h = createHarness();
    await h.manager.start();
    expect(errorOf(() => h.manager.reportPlayback('', 1)).code).to.equal('ERR_INVALID_ARGUMENT');
    expect(errorOf(() => h.manager.reportPlayback('it', -1)).code).to.equal('ERR_INVALID_ARGUMENT');
    expect(errorOf(() => h.manager.reportPlayback('it', Number.NaN)).code).to.equal('ERR_INVALID_ARGUMENT');
  });

  it('a failed send is a fatal error that ends the conversation', async () => {
    const h = createHarness();
    await h.manager.start();
    h.server().failSendsWith(new Error('socket write failed'));
    await h.manager.sendText('x');
    await settle();
    expect(h.events.slice(1)).to.deep.equal([
      { type: 'error', message: 'failed to send a message: socket write failed', fatal: true, code: 'ERR_SEND_FAILED' },
      { type: 'closed', reason: 'error' },
    ]);
  });
});
