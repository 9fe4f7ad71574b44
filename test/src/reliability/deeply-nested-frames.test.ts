import { expect } from 'chai';
import { safeJsonStringify, SAFE_JSON_MAX_DEPTH, TOO_DEEP } from '@parley/core';
import { waitUntil, WsFixtures } from '../support/ws-fixtures.js';

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

describe('reliability: deeply nested frames never escape decoding (real ws)', () => {
  const fixtures = new WsFixtures();
  afterEach(() => fixtures.closeAll());

  for (const protocol of ['v1', 'v2'] as const) {
    it(`${protocol}: an error frame whose error is 5,000 levels deep (10 KB) is delivered, fatal, its value cut at ${SAFE_JSON_MAX_DEPTH} levels, then closed "error"`, async () => {
      const server = await fixtures.server();
      const c = fixtures.conversation(server.url, { protocol });
      await c.manager.start({ apiKey: 'k' });
      const peer = await server.peer(0);
      peer.socket.send(`{"type":"error","error":${nested(5000)}}`);
      await waitUntil(() => c.of('closed').length === 1, 'closed');
      const [error] = c.of('error');
      expect(error?.fatal).to.equal(true);
      expect(error?.message).to.equal(`${'['.repeat(SAFE_JSON_MAX_DEPTH)}"${TOO_DEEP}"${']'.repeat(SAFE_JSON_MAX_DEPTH)}`);
      expect(c.of('closed')).to.deep.equal([{ type: 'closed', reason: 'error' }]);
      expect(c.manager.stats().framesIn).to.equal(1);
    });

    it(`${protocol}: a conversation.item.added whose item holds a 20,000-deep value is delivered and can be written as JSON; the conversation goes on`, async () => {
      const server = await fixtures.server();
      const c = fixtures.conversation(server.url, { protocol });
      await c.manager.start({ apiKey: 'k' });
      const peer = await server.peer(0);
      peer.socket.send(`{"type":"conversation.item.added","item":{"id":"i1","type":"message","role":"user","content":${nested(20000)}}}`);
      peer.send({ type: 'session.updated', session: { id: 'after' } });
      await waitUntil(() => c.of('sessionUpdated').length === 1, 'the next frame');
      const [added] = c.of('conversationItemAdded');
      expect(added).to.not.equal(undefined);
      expect(() => JSON.stringify(added), 'the plain JSON.stringify of such an event throws').to.throw(RangeError);
      const text = safeJsonStringify(added) as string;
      expect(text).to.contain('"id":"i1"').and.contain(TOO_DEEP);
      expect(c.of('error')).to.deep.equal([]);
      expect(c.manager.running).to.equal(true);
    });
  }
});
