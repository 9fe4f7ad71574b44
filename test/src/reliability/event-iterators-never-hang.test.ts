import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect } from 'chai';
import type { ConversationEvent, ConversationManager } from '@parley/core';
import { createHarness, settle } from '../support/harness.js';

function deltas(events: readonly ConversationEvent[]): string[] {
  return events.map((event) => (event.type === 'outputTranscriptDelta' ? event.delta : event.type));
}

/** Reads one event from a new iterator and forgets it (no reference is kept). */
async function readOneAndForget(manager: ConversationManager): Promise<ConversationEvent | undefined> {
  return (await manager.events().next()).value as ConversationEvent | undefined;
}

/** A full garbage collection (mocha runs without --expose-gc). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('reliability: event iterators never hang a conversation', () => {
  describe('concurrent next() calls settle in order (the async-iterator protocol)', () => {
    it('events(): three next() before any event settle with the next three events, in call order', async () => {
      const h = createHarness();
      const iterator = h.manager.events();
      const order: string[] = [];
      const calls = [1, 2, 3].map((call) =>
        iterator.next().then((result) => {
          order.push(`#${call} ${result.done === true ? 'done' : deltas([result.value])[0]}`);
          return result;
        }),
      );
      await h.manager.start();
      h.server().serverJson({ type: 'say', text: 'a' });
      h.server().serverJson({ type: 'say', text: 'b' });
      await Promise.all(calls);
      expect(order).to.deep.equal(['#1 started', '#2 a', '#3 b']);
      await h.manager.close();
    });

    it('events(): return() settles every pending call with done: true, in order; later calls are done too', async () => {
      const h = createHarness();
      await h.manager.start();
      const iterator = h.manager.events();
      const order: string[] = [];
      const pending = [1, 2].map((call) => iterator.next().then((result) => order.push(`#${call} ${String(result.done)}`)));
      expect(await iterator.return?.()).to.deep.equal({ value: undefined, done: true });
      await Promise.all(pending);
      expect(order).to.deep.equal(['#1 true', '#2 true']);
      expect(await iterator.next()).to.deep.equal({ value: undefined, done: true });
      await h.manager.close();
    });

    it('events(): calls pending when the conversation closes get closed, then done: true', async () => {
      const h = createHarness();
      await h.manager.start();
      const iterator = h.manager.events();
      const results = Promise.all([iterator.next(), iterator.next(), iterator.next()]);
      h.server().serverJson({ type: 'say', text: 'a' });
      await h.manager.close();
      expect(await results).to.deep.equal([
        { value: { type: 'outputTranscriptDelta', delta: 'a' }, done: false },
        { value: { type: 'closed', reason: 'requested' }, done: false },
        { value: undefined, done: true },
      ]);
    });

    it('eventBatches(): two pending next() get one burst each, in order; return() settles the pending ones with done: true', async () => {
      const h = createHarness();
      await h.manager.start();
      const iterator = h.manager.eventBatches();
      const first = iterator.next();
      const second = iterator.next();
      h.server().serverJson({ type: 'say', text: 'a' });
      h.server().serverJson({ type: 'say', text: 'b' });
      expect(deltas((await first).value as ConversationEvent[])).to.deep.equal(['a', 'b']);
      h.server().serverJson({ type: 'say', text: 'c' });
      expect(deltas((await second).value as ConversationEvent[])).to.deep.equal(['c']);
      const third = iterator.next();
      const fourth = iterator.next();
      await iterator.return?.();
      expect(await Promise.all([third, fourth])).to.deep.equal([
        { value: undefined, done: true },
        { value: undefined, done: true },
      ]);
      await h.manager.close();
    });
  });

  describe('an abandoned iterator (rule: iterators belong to one conversation; a dropped one is released when collected)', () => {
    it('read once and forgotten while the conversation ends: the next conversation starts unpaused and receives everything', async () => {
      const h = createHarness({ config: { realtime: { queues: { events: 4 } } } });
      await h.manager.start();
      const read = readOneAndForget(h.manager);
      for (let i = 0; i < 10; i += 1) h.server().serverJson({ type: 'say', text: String(i) });
      expect(deltas([(await read) as ConversationEvent])).to.deep.equal(['0']);
      expect(h.server().isPaused, 'the abandoned iterator paused the first conversation').to.equal(true);
      await h.manager.close();
      await h.manager.start();
      const second = h.server();
      for (let i = 0; i < 20; i += 1) second.serverJson({ type: 'say', text: `n${i}` });
      expect(second.isPaused).to.equal(false);
      expect(h.manager.stats().paused).to.equal(false);
      expect(h.events.slice(-21).map((event) => event.type)).to.deep.equal(['started', ...Array(20).fill('outputTranscriptDelta')]);
      await h.manager.close();
    });

    it('read once and forgotten, then a second start() replaces the conversation: the new one is not paused, the old iterator ends after what it holds', async () => {
      const h = createHarness({ config: { realtime: { queues: { events: 4 } } } });
      await h.manager.start();
      const old = h.manager.events();
      const first = old.next();
      for (let i = 0; i < 10; i += 1) h.server().serverJson({ type: 'say', text: String(i) });
      expect(deltas([(await first).value as ConversationEvent])).to.deep.equal(['0']);
      expect(h.server().isPaused).to.equal(true);
      await h.manager.start();
      const second = h.server();
      for (let i = 0; i < 20; i += 1) second.serverJson({ type: 'say', text: `n${i}` });
      expect(second.isPaused).to.equal(false);
      expect(h.of('started')).to.have.length(2);
      // The old iterator still yields what it held (the first conversation's events), then ends.
      const rest: ConversationEvent[] = [];
      for await (const event of old) rest.push(event);
      expect(deltas(rest)).to.deep.equal(['1', '2', '3', '4']);
      await h.manager.close();
    });

    it('an iterator made while idle belongs to the next conversation and sees it from started to closed', async () => {
      const h = createHarness();
      const iterator = h.manager.events();
      await h.manager.start();
      h.server().serverJson({ type: 'say', text: 'x' });
      await h.manager.close();
      const seen: ConversationEvent[] = [];
      for await (const event of iterator) seen.push(event);
      expect(deltas(seen)).to.deep.equal(['started', 'x', 'closed']);
    });

    it('dropped by the application in a running conversation: once garbage-collected it is released and the socket resumes', async () => {
      const h = createHarness({ config: { realtime: { queues: { events: 4 } } } });
      await h.manager.start();
      const read = readOneAndForget(h.manager);
      for (let i = 0; i < 10; i += 1) h.server().serverJson({ type: 'say', text: String(i) });
      expect(deltas([(await read) as ConversationEvent])).to.deep.equal(['0']);
      expect(h.server().isPaused).to.equal(true);
      for (let round = 0; round < 20 && h.server().isPaused; round += 1) {
        collectGarbage();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(h.server().isPaused, 'released after collection').to.equal(false);
      expect(h.manager.stats().paused).to.equal(false);
      expect(deltas(h.events.slice(-10))).to.deep.equal(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      await h.manager.close();
    });
  });

  describe('the byte bound (realtime.queues.eventBytes)', () => {
    it('pauses when an iterator holds eventBytes of frames, whatever the event count; resumes below half; nothing is dropped', async () => {
      const h = createHarness({ config: { realtime: { queues: { events: 256, eventBytes: 10_000 } } } });
      await h.manager.start();
      const iterator = h.manager.events();
      const big = 'x'.repeat(4_000);
      for (let i = 0; i < 6; i += 1) h.server().serverJson({ type: 'say', text: `${i}${big}` });
      // Frames of ~4 KB: the third one reaches 10,000 bytes, so the transport holds the other three.
      expect(h.server().isPaused).to.equal(true);
      expect(h.server().heldInbound).to.equal(3);
      expect(h.manager.stats().bufferedEvents).to.equal(3);
      await iterator.next();
      expect(h.server().isPaused, 'two frames (> 5,000 bytes) still buffered').to.equal(true);
      await iterator.next();
      // Below half of the bound (4 KB left): resumed; two held frames reach 12 KB again, so it pauses again.
      expect(h.server().heldInbound).to.equal(1);
      expect(h.manager.stats().pauses).to.equal(2);
      const rest: string[] = [];
      for (let i = 0; i < 4; i += 1) rest.push(((await iterator.next()).value as { delta: string }).delta.slice(0, 1));
      expect(rest).to.deep.equal(['2', '3', '4', '5']);
      expect(h.server().isPaused).to.equal(false);
      await settle();
      await h.manager.close();
    });
  });
});
