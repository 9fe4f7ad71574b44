import { expect } from 'chai';
import fc from 'fast-check';
import { createProtocolHarness, type ProtocolHarness } from '../support/protocol-harness.js';
import { settle } from '../support/harness.js';
import { anyJson, anyText, typedServerFrame, V1_SERVER_TYPES, V2_SERVER_TYPES } from '../support/server-frame-arbitraries.js';
import { PROPERTY_SEED } from '../support/property-seed.js';

const RACE = 'Conversation already has an active response in progress:';

/**
 * Feeds `frames` to a running conversation one by one and checks, against the strategy's own
 * decoder as the oracle, that each frame is either skipped and counted by reason, or handled
 * without ending the conversation, except a server `error` that is not the V2 race, which ends it
 * with one fatal `error` event then `closed` `error`. Nothing throws to the server side.
 */
async function feed(protocol: 'v1' | 'v2', frames: string[]): Promise<void> {
  const h: ProtocolHarness = createProtocolHarness(protocol);
  await h.manager.start({ apiKey: 'k' });
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
  for (const frame of frames) {
    const before = h.manager.stats();
    const eventsBefore = h.events.length;
    const decoded = h.strategy.decode(frame);
    expect(() => h.server().serverText(frame)).not.to.throw();
    const after = h.manager.stats();
    expect(after.framesIn, 'framesIn counts every frame').to.equal(before.framesIn + 1);
    if (typeof decoded === 'string') {
      expect(after.skippedFrames).to.equal(before.skippedFrames + 1);
      expect(after.skippedByReason[decoded]).to.equal(before.skippedByReason[decoded] + 1);
      expect(h.events.length, 'a skipped frame delivers nothing').to.equal(eventsBefore);
      expect(h.manager.running).to.equal(true);
      continue;
    }
    expect(after.skippedFrames).to.equal(before.skippedFrames);
    const fatal = decoded.type === 'error' && !(protocol === 'v2' && decoded.message.startsWith(RACE));
    if (!fatal) {
      expect(h.manager.running, `frame ${frame} must not end the conversation`).to.equal(true);
      expect(h.of('closed')).to.have.length(0);
      continue;
    }
    expect(h.manager.running).to.equal(false);
    expect(h.events.slice(eventsBefore)).to.deep.equal([
      { type: 'error', message: decoded.message, fatal: true },
      { type: 'closed', reason: 'error' },
    ]);
    break;
  }
  await settle();
  // Nothing failed inside: no policy exception turned into ERR_POLICY_FAILED, no error logged.
  expect(h.events.filter((event) => event.type === 'error' && event.code !== undefined)).to.deep.equal([]);
  expect(h.logger.lines.filter((line) => line.level === 'error')).to.deep.equal([]);
  expect(Object.getOwnPropertyNames(Object.prototype).sort(), 'no prototype pollution').to.deep.equal(prototypeKeys);
  expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  if (h.manager.running) await h.manager.close();
}

for (const protocol of ['v1', 'v2'] as const) {
  const types = protocol === 'v1' ? V1_SERVER_TYPES : V2_SERVER_TYPES;

  describe(`reliability: inbound text frames never crash a ${protocol} conversation`, () => {
    it('arbitrary strings are skipped and counted, never fatal', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(anyText, { minLength: 1, maxLength: 12 }), (frames) => feed(protocol, frames)),
        { numRuns: 120, seed: PROPERTY_SEED },
      );
    });

    it('arbitrary JSON values are skipped and counted, never fatal (unless they decode to a server error)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(anyJson, { minLength: 1, maxLength: 12 }), (frames) => feed(protocol, frames)),
        { numRuns: 120, seed: PROPERTY_SEED },
      );
    });

    it('objects with a known server type and random fields never throw; only a server error ends the conversation', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(typedServerFrame(types), { minLength: 1, maxLength: 16 }), (frames) => feed(protocol, frames)),
        { numRuns: 250, seed: PROPERTY_SEED },
      );
    });

    it('a server error frame ends the conversation: one fatal error event, then closed "error", then nothing', async () => {
      const h = createProtocolHarness(protocol);
      await h.manager.start({ apiKey: 'k' });
      h.server().serverJson({ type: 'error', error: { message: 'boom' } });
      h.server().serverJson({ type: 'session.updated', session: { id: 'late' } });
      expect(h.events.slice(1)).to.deep.equal([
        { type: 'error', message: 'boom', fatal: true },
        { type: 'closed', reason: 'error' },
      ]);
      expect(h.manager.running).to.equal(false);
    });

    it('a binary frame is fatal: ERR_BINARY_FRAME, then closed "error"; nothing is delivered after it', async () => {
      const h = createProtocolHarness(protocol);
      await h.manager.start({ apiKey: 'k' });
      h.server().serverBinary(new Uint8Array([1, 2, 3]));
      h.server().serverJson({ type: 'session.updated', session: { id: 'late' } });
      await settle();
      expect(h.events.slice(1)).to.deep.equal([
        {
          type: 'error',
          message: 'received a binary frame: realtime protocols use text frames only',
          fatal: true,
          code: 'ERR_BINARY_FRAME',
        },
        { type: 'closed', reason: 'error' },
      ]);
      expect(h.manager.running).to.equal(false);
      expect(h.manager.stats().framesIn).to.equal(1);
    });

    it('server JSON with __proto__ keys is never merged into framework objects', async () => {
      const h = createProtocolHarness(protocol);
      await h.manager.start({ apiKey: 'k' });
      h.server().serverText(
        '{"type":"session.updated","session":{"id":"s1","__proto__":{"polluted":"yes"}},"__proto__":{"polluted":"yes"}}',
      );
      h.server().serverText('{"type":"conversation.item.added","item":{"__proto__":{"polluted":"yes"}}}');
      const [updated] = h.of('sessionUpdated');
      expect(updated).to.deep.equal({ type: 'sessionUpdated', sessionId: 's1' });
      expect(Object.getPrototypeOf(updated)).to.equal(Object.prototype);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      expect(Object.getPrototypeOf(h.manager.stats())).to.equal(Object.prototype);
    });
  });
}
