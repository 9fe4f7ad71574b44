import { expect } from 'chai';
import type { ConversationEvent } from '@parley/core';
import { createHarness, settle } from './support/harness.js';

describe('conversation events: iterator, listeners and back-pressure (spec 04)', () => {
  it('the iterator yields every event in order and ends after closed', async () => {
    const h = createHarness();
    const iterator = h.manager.events();
    await h.manager.start();
    h.server().serverJson({ type: 'say', text: 'a' });
    h.server().serverJson({ type: 'hear', text: 'b' });
    await h.manager.close();
    const seen: ConversationEvent[] = [];
    for await (const event of iterator) seen.push(event);
    expect(seen).to.deep.equal([
      { type: 'started', protocol: 'echo' },
      { type: 'outputTranscriptDelta', delta: 'a' },
      { type: 'inputTranscriptDelta', delta: 'b' },
      { type: 'closed', reason: 'requested' },
    ]);
  });

  it('a slow consumer pauses the transport at capacity and resumes it below half; nothing is dropped', async () => {
    const h = createHarness({ config: { realtime: { queues: { events: 4 } } } });
    const iterator = h.manager.events();
    await h.manager.start();
    const server = h.server();
    for (let i = 0; i < 10; i += 1) server.serverJson({ type: 'say', text: String(i) });
    // started + 3 deltas fill the buffer (4): the transport is paused, 7 frames are held.
    expect(server.isPaused).to.equal(true);
    expect(server.heldInbound).to.equal(7);
    expect(h.manager.stats().paused).to.equal(true);
    expect(h.manager.stats().pauses).to.equal(1);
    const seen: string[] = [];
    for (let i = 0; i < 11; i += 1) {
      const next = await iterator.next();
      const event = next.value as ConversationEvent;
      seen.push(event.type === 'outputTranscriptDelta' ? event.delta : event.type);
    }
    expect(seen).to.deep.equal(['started', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(server.isPaused).to.equal(false);
    expect(server.heldInbound).to.equal(0);
  });

  it('eventBatches() hands over each synchronous burst as one batch, in order, and ends after closed', async () => {
    const h = createHarness();
    const batches = h.manager.eventBatches();
    await h.manager.start();
    const first = await batches.next();
    expect(first.value).to.deep.equal([{ type: 'started', protocol: 'echo' }]);
    const pending = batches.next();
    for (let i = 0; i < 3; i += 1) h.server().serverJson({ type: 'say', text: String(i) });
    expect((await pending).value).to.deep.equal(['0', '1', '2'].map((delta) => ({ type: 'outputTranscriptDelta', delta })));
    h.server().serverJson({ type: 'hear', text: 'x' });
    await h.manager.close();
    expect((await batches.next()).value).to.deep.equal([
      { type: 'inputTranscriptDelta', delta: 'x' },
      { type: 'closed', reason: 'requested' },
    ]);
    expect(await batches.next()).to.deep.equal({ value: undefined, done: true });
  });

  it('eventBatches() applies the same back-pressure: paused at capacity, resumed once read', async () => {
    const h = createHarness({ config: { realtime: { queues: { events: 4 } } } });
    const batches = h.manager.eventBatches();
    await h.manager.start();
    for (let i = 0; i < 10; i += 1) h.server().serverJson({ type: 'say', text: String(i) });
    expect(h.server().isPaused).to.equal(true);
    const seen: string[] = [];
    while (seen.length < 11) {
      for (const event of (await batches.next()).value as ConversationEvent[]) {
        seen.push(event.type === 'outputTranscriptDelta' ? event.delta : event.type);
      }
    }
    expect(seen).to.deep.equal(['started', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(h.server().isPaused).to.equal(false);
  });

  it('listeners see events synchronously; a throwing listener is logged and does not stop delivery', async () => {
    const h = createHarness();
    h.manager.on(() => {
      throw new Error('listener bug');
    });
    await h.manager.start();
    h.server().serverJson({ type: 'say', text: 'x' });
    expect(h.events.map((event) => event.type)).to.deep.equal(['started', 'outputTranscriptDelta']);
    expect(h.logger.lines.some((line) => line.level === 'error' && line.message.includes('listener threw'))).to.equal(true);
  });

  it('unsubscribing a listener stops its delivery; breaking out of the iterator releases back-pressure', async () => {
    const h = createHarness({ config: { realtime: { queues: { events: 2 } } } });
    const seen: string[] = [];
    const off = h.manager.on((event) => seen.push(event.type));
    const iterator = h.manager.events();
    await h.manager.start();
    h.server().serverJson({ type: 'say', text: 'a' });
    expect(h.server().isPaused).to.equal(true);
    await iterator.return?.();
    expect(h.server().isPaused).to.equal(false);
    off();
    h.server().serverJson({ type: 'say', text: 'b' });
    expect(seen).to.deep.equal(['started', 'outputTranscriptDelta']);
  });

  it('feeds the active transcript only from server transcript events, bounded by realtime.transcript.maxEntries', async () => {
    const h = createHarness({ config: { realtime: { transcript: { maxEntries: 2 } } } });
    await h.manager.start();
    await h.manager.sendText('app text never enters the transcript');
    for (const [type, text] of [
      ['hear', 'u1'],
      ['say', 'a1'],
      ['hear', 'u2'],
    ]) {
      h.server().serverJson({ type, text });
    }
    await settle();
    expect(h.manager.stats().transcriptEntries).to.equal(2);
    expect(h.manager.stats().droppedTranscriptEntries).to.equal(1);
    h.server().serverJson({ type: 'handoff', id: 'h1', prompt: 'p' });
    expect(h.of('handoffRequested')[0]?.activeTranscript).to.deep.equal([
      { role: 'assistant', text: 'a1' },
      { role: 'user', text: 'u2' },
    ]);
    expect(h.manager.stats().transcriptEntries).to.equal(0);
  });
});
