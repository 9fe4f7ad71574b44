import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConversationManager, createParleyContainer, ParleyError } from '@parley/core';
import { checkTrace, InMemoryTransport, runScenario, testkitModule, VirtualClock, type Scenario } from '@parley/testkit';
import { RelayProtocol, relayProtocolModule } from '../index.js';

const scenarioFile = join(import.meta.dirname, '..', '..', 'scenarios', 'relay-conversation.json');

// The relay protocol is registered from this package, which depends on @parley/core by version
// (^0.1.0), exactly as a user's own protocol package would: no change to core.
describe('A custom protocol from its own package: relay', () => {
  it('plays its scenario through the real core: exact wire, events and delegation (checkTrace finds no mismatch)', async () => {
    const scenario = JSON.parse(readFileSync(scenarioFile, 'utf8')) as Scenario;
    const trace = await runScenario(scenario, { modules: [relayProtocolModule] });
    expect(checkTrace(trace, scenario.expect)).to.deep.equal([]);
    const wire = trace.flatMap((record) => ('wire' in record ? [{ t: record.t, wire: record.wire }] : []));
    expect(wire).to.deep.equal([
      { t: 0, wire: { type: 'setup', instructions: 'be brief', voice: 'plain' } },
      { t: 10, wire: { type: 'user.text', text: 'What is the weather in Paris?' } },
      { t: 10, wire: { type: 'respond' } },
      { t: 80, wire: { type: 'respond' } }, // the two asked for during reply a1: one, after reply.done
      { t: 170, wire: { type: 'agent.output', id: 'h1', text: 'Sunny, 21 degrees.' } },
      { t: 170, wire: { type: 'agent.done', id: 'h1' } },
    ]);
  });

  it('counts what it skips and defers in stats(), and refuses a voice it does not have', async () => {
    const container = createParleyContainer({
      config: { realtime: { protocol: 'relay' }, log: { level: 'silent' } },
      before: [testkitModule],
      modules: [relayProtocolModule],
    });
    const transport = container.get(InMemoryTransport);
    const clock = container.get(VirtualClock);
    const conversation = container.get(ConversationManager);
    await conversation.start({ apiKey: 'test-key', voice: 'bright' });
    const server = transport.current;
    expect(transport.requests[0]?.protocolQuery).to.deep.equal({ dialect: 'relay' });
    server.serverJson({ type: 'reply.started', id: 'a1' });
    await conversation.requestResponse();
    server.serverText('{');
    server.serverJson({ type: 'audio' });
    server.serverJson({ type: 'agent.request', id: '' });
    server.serverJson({ type: 'unheard.of' });
    clock.advanceTo(10);
    const stats = conversation.stats();
    expect(stats.skippedByReason).to.deep.equal({ invalid_json: 1, missing_type: 0, unknown_type: 1, invalid_fields: 2 });
    expect(stats.deferredResponseRequests).to.equal(1);
    expect(server.sentJson()).to.deep.equal([{ type: 'setup', instructions: '', voice: 'bright' }]);
    await conversation.close();

    const other = container.get(ConversationManager);
    const failure = await other.start({ apiKey: 'test-key', voice: 'loud' }).catch((error: unknown) => error);
    expect(failure).to.be.instanceOf(ParleyError);
    expect((failure as ParleyError).code).to.equal('ERR_INVALID_SESSION');
    expect((failure as ParleyError).message).to.equal('relay has no voice "loud"; use one of plain, bright');
  });

  it('decodes each server message to the event the core expects', () => {
    const relay = new RelayProtocol();
    expect(relay.decode('{"type":"heard","text":"hel"}')).to.deep.equal({ type: 'inputTranscriptDelta', delta: 'hel' });
    expect(relay.decode('{"type":"heard","text":"hello","final":true}')).to.deep.equal({ type: 'inputTranscriptDone', text: 'hello' });
    expect(relay.decode('{"type":"audio","pcm":"AAA=","rate":16000}')).to.deep.equal({
      type: 'audioOut',
      data: 'AAA=',
      sampleRate: 16000,
      numChannels: 1,
    });
    expect(relay.decode('{"type":"error","message":"busy"}')).to.deep.equal({ type: 'error', message: 'busy', fatal: true });
    expect(relay.decode('{"type":"said","text":3}')).to.equal('invalid_fields');
  });
});
