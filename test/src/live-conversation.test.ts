import { expect } from 'chai';
import { ContainerModule } from 'inversify';
import { RealtimeTool } from '@parley/core';
import { parserLiveModule } from '@parley/parser-live';
import { advanceVirtualClock } from '@parley/testkit';
import type { Delegation, DelegationTurn, HandoffDelegate, ParleyConfigInput } from '@parley/core';
import { createHarness, settle, type Harness } from './support/harness.js';

const STARTED = { type: 'session.started', session: { id: 'sess_1', model: 'gpt-live-1' } };
const CLOSED = { type: 'session.closed', reason: 'close_requested', usage: { seconds: 1 } };

function liveHarness(config: ParleyConfigInput = {}, delegate?: HandoffDelegate): Harness {
  const realtime = { ...config.realtime, protocol: 'live' };
  return createHarness({ config: { ...config, realtime }, modules: [parserLiveModule], ...(delegate === undefined ? {} : { delegate }) });
}

async function started(h: Harness): Promise<void> {
  await h.manager.start();
  h.server().serverJson(STARTED);
  await settle();
}

function errorOf(action: () => unknown): { code?: string; message: string } {
  try {
    action();
  } catch (error) {
    return { code: (error as { code?: string }).code, message: (error as Error).message };
  }
  throw new Error('expected an error');
}

async function rejection(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { code: (error as { code?: string }).code, message: (error as Error).message };
  }
  throw new Error('expected a rejection');
}

describe('live conversations through the core (spec 08 A1-A9, Start, Close)', () => {
  it('A1: the transport gets endpoint live/sessions and no model query', async () => {
    const h = liveHarness();
    await h.manager.start();
    expect(h.transport.requests[0]).to.include({ endpointPath: 'live/sessions', modelQuery: false, model: 'gpt-live-1' });
    expect(h.wire()[0]).to.deep.include({ type: 'session.start' });
  });

  it('A3 Start: inputs before session.started are held (started is already emitted), then go out in arrival order', async () => {
    const h = liveHarness();
    await h.manager.start();
    expect(h.events).to.deep.equal([{ type: 'started', protocol: 'live' }]);
    h.manager.sendAudio({ data: 'AAAAAA==' });
    await h.manager.sendText('hello');
    await h.manager.requestResponse();
    await settle();
    expect(h.wire()).to.have.length(1);
    h.server().serverJson(STARTED);
    await settle();
    expect(h.wire().slice(1)).to.deep.equal([
      { type: 'session.input_audio.append', audio: 'AAAAAA==' },
      { type: 'session.thinking.append', delegation_id: null, content: 'user: hello' },
      { type: 'session.commentary.append', delegation_id: null, content: "Respond to the user's latest message now." },
    ]);
  });

  it('A3: while held, audio beyond the lane capacity is dropped and counted', async () => {
    const h = liveHarness({ realtime: { queues: { audioIn: 2 } } });
    await h.manager.start();
    for (let i = 0; i < 5; i += 1) h.manager.sendAudio({ data: 'AAAAAA==' });
    expect(h.manager.stats().droppedAudioFrames).to.equal(3);
    h.server().serverJson(STARTED);
    await settle();
    expect(h.wire()).to.have.length(3);
  });

  it('A2: a long user text is chunked into several appends sent in order as one input', async () => {
    const h = liveHarness({ realtime: { live: { appendTokenBudget: 4 } } });
    await started(h);
    await h.manager.sendText('Book it. Then call me.');
    await h.manager.sendText('   ');
    await settle();
    expect(h.wire().slice(1)).to.deep.equal([
      { type: 'session.thinking.append', delegation_id: null, content: 'user: Book it.' },
      { type: 'session.thinking.append', delegation_id: null, content: 'Then call me.' },
    ]);
  });

  it('Start: no session.started within startTimeoutMs → fatal ERR_START_TIMEOUT, then closed (error)', async () => {
    const h = liveHarness({ realtime: { live: { startTimeoutMs: 3000 } } });
    await h.manager.start();
    await advanceVirtualClock(h.clock, 3000);
    expect(h.events.slice(1)).to.deep.equal([
      {
        type: 'error',
        message: 'the live session did not start: no session.started within 3000 ms',
        fatal: true,
        code: 'ERR_START_TIMEOUT',
      },
      { type: 'closed', reason: 'error' },
    ]);
  });

  it('Close before session.started: held inputs discarded and counted, no session.close, closed (requested) at once', async () => {
    const h = liveHarness();
    await h.manager.start();
    await h.manager.sendText('early');
    h.manager.sendAudio({ data: 'AAAAAA==' });
    await h.manager.close();
    expect(h.wire()).to.have.length(1);
    expect(h.events.slice(-1)).to.deep.equal([{ type: 'closed', reason: 'requested' }]);
    expect(h.manager.stats().discardedInputs).to.equal(2);
    expect(h.server().state).to.equal('closed');
  });

  it('A5 Close after start: queued inputs flushed, session.close, closing (inputs refused), closed at session.closed; a second close waits for it', async () => {
    const h = liveHarness();
    await started(h);
    await h.manager.sendText('last words');
    let firstDone = false;
    let secondDone = false;
    void h.manager.close().then(() => (firstDone = true));
    await settle();
    expect(h.wire().slice(1)).to.deep.equal([
      { type: 'session.thinking.append', delegation_id: null, content: 'user: last words' },
      { type: 'session.close' },
    ]);
    expect(h.manager.stats().state).to.equal('closing');
    expect(h.manager.running).to.equal(false);
    expect(errorOf(() => h.manager.sendAudio({ data: 'AAAAAA==' }))).to.deep.equal({
      code: 'ERR_NOT_RUNNING',
      message: 'conversation is not running',
    });
    expect(await rejection(h.manager.sendText('x'))).to.deep.equal({ code: 'ERR_NOT_RUNNING', message: 'conversation is not running' });
    expect(await rejection(h.manager.finishTurn())).to.deep.equal({ code: 'ERR_NOT_RUNNING', message: 'conversation is not running' });
    void h.manager.close().then(() => (secondDone = true));
    // events are still delivered while closing
    h.server().serverJson({ type: 'session.output_transcript.delta', delta: 'Bye', start_ms: 0, end_ms: 100 });
    await settle();
    expect(firstDone || secondDone).to.equal(false);
    h.server().serverJson(CLOSED);
    await settle();
    expect(firstDone && secondDone).to.equal(true);
    expect(h.events.slice(-3)).to.deep.equal([
      { type: 'outputTranscriptDelta', delta: 'Bye', startMs: 0, endMs: 100 },
      { type: 'sessionClosed', reason: 'close_requested', seconds: 1 },
      { type: 'closed', reason: 'requested' },
    ]);
    expect(h.server().state).to.equal('closed');
    expect(h.wire().filter((message) => (message as { type: string }).type === 'session.close')).to.have.length(1);
  });

  it('Close: no session.closed → closed (requested) closeTimeoutMs after session.close, warned', async () => {
    const h = liveHarness({ realtime: { live: { closeTimeoutMs: 4000 } } });
    await started(h);
    await advanceVirtualClock(h.clock, 100);
    const closing = h.manager.close();
    await settle();
    await advanceVirtualClock(h.clock, 4099);
    expect(h.events.some((event) => event.type === 'closed')).to.equal(false);
    await advanceVirtualClock(h.clock, 4100);
    await closing;
    expect(h.events.slice(-1)).to.deep.equal([{ type: 'closed', reason: 'requested' }]);
    expect(h.logger.lines.some((record) => record.level === 'warn' && record.message.includes('no session.closed'))).to.equal(true);
  });

  it('Close: a close frame while closing ends with requested, no code, no error event', async () => {
    const h = liveHarness();
    await started(h);
    const closing = h.manager.close();
    await settle();
    h.server().serverClose(1006, 'gone');
    await closing;
    expect(h.events.slice(-1)).to.deep.equal([{ type: 'closed', reason: 'requested' }]);
    expect(h.events.some((event) => event.type === 'error')).to.equal(false);
  });

  it('A4: a session.closed while not closing → sessionClosed, then closed (transport_closed, no code), normal close frame', async () => {
    const h = liveHarness();
    await started(h);
    h.server().serverJson({ type: 'session.closed', reason: 'expired', usage: { seconds: 7200 } });
    await settle();
    expect(h.events.slice(-2)).to.deep.equal([
      { type: 'sessionClosed', reason: 'expired', seconds: 7200 },
      { type: 'closed', reason: 'transport_closed' },
    ]);
    expect(h.server().state).to.equal('closed');
  });

  it('A6: the application answers several delegations by id; an empty handoffId is ERR_INVALID_ARGUMENT', async () => {
    const h = liveHarness();
    await started(h);
    const server = h.server();
    server.serverJson({ type: 'session.input_transcript.delta', delta: 'Check my flight', start_ms: 0, end_ms: 500 });
    server.serverJson({ type: 'session.delegation.created', offset_ms: 500, delegation: { id: 'da', target: 'client' } });
    server.serverJson({ type: 'session.input_transcript.delta', delta: 'and Porto weather', start_ms: 600, end_ms: 900 });
    server.serverJson({ type: 'session.delegation.created', offset_ms: 900, delegation: { id: 'db', target: 'client' } });
    await settle();
    expect(h.of('delegationStarted').map((event) => event.handoffId)).to.deep.equal(['da', 'db']);
    expect(await rejection(h.manager.sendAssistantOutput('x', { handoffId: '' }))).to.deep.equal({
      code: 'ERR_INVALID_ARGUMENT',
      message: 'sendAssistantOutput: handoffId must be a non-empty string (the id of a delegation)',
    });
    expect((await rejection(h.manager.finishTurn({ handoffId: '' }))).code).to.equal('ERR_INVALID_ARGUMENT');
    await h.manager.sendAssistantOutput('Rain in Porto.', { handoffId: 'db' });
    await h.manager.finishTurn({ handoffId: 'db' });
    await h.manager.sendAssistantOutput('On time.');
    await h.manager.finishTurn();
    await h.manager.sendAssistantOutput('nobody');
    await settle();
    expect(h.wire().slice(1)).to.deep.equal([
      { type: 'session.thinking.append', delegation_id: 'db', content: 'Rain in Porto.' },
      { type: 'session.commentary.append', delegation_id: 'db', content: 'Rain in Porto.' },
      { type: 'session.thinking.append', delegation_id: 'da', content: 'On time.' },
      { type: 'session.commentary.append', delegation_id: 'da', content: 'On time.' },
    ]);
    expect(h.manager.stats().droppedAssistantOutputs).to.equal(1);
  });

  it('A6: a bound delegate runs delegations concurrently; each output is tagged with its own turn', async () => {
    const turns: DelegationTurn[] = [];
    const delegate: HandoffDelegate = {
      delegate: (_delegation: Delegation, turn: DelegationTurn) => {
        turns.push(turn);
        return new Promise(() => undefined);
      },
    };
    const h = liveHarness({}, delegate);
    await started(h);
    const server = h.server();
    server.serverJson({ type: 'session.input_transcript.delta', delta: 'one', start_ms: 0, end_ms: 100 });
    server.serverJson({ type: 'session.delegation.created', offset_ms: 100, delegation: { id: 'd1' } });
    server.serverJson({ type: 'session.input_transcript.delta', delta: 'two', start_ms: 200, end_ms: 300 });
    server.serverJson({ type: 'session.delegation.created', offset_ms: 300, delegation: { id: 'd2' } });
    await settle();
    await turns[1]!.output('second answer');
    await turns[0]!.output('first answer');
    await turns[1]!.finish();
    await settle();
    expect(h.wire().slice(1)).to.deep.equal([
      { type: 'session.thinking.append', delegation_id: 'd2', content: 'second answer' },
      { type: 'session.thinking.append', delegation_id: 'd1', content: 'first answer' },
      { type: 'session.commentary.append', delegation_id: 'd2', content: 'second answer' },
    ]);
    // Close aborts the running delegation: its later output is ignored.
    const closing = h.manager.close();
    await settle();
    expect(turns[0]!.signal.aborted).to.equal(true);
    await turns[0]!.output('too late');
    await turns[0]!.finish();
    server.serverJson(CLOSED);
    await closing;
    expect(h.wire().slice(4)).to.deep.equal([{ type: 'session.close' }]);
  });

  it('A7: ignoredEvents and unroutedDelegations appear in stats()', async () => {
    const h = liveHarness();
    await started(h);
    const server = h.server();
    server.serverJson({ type: 'session.delegation.created', offset_ms: 0, delegation: { id: 'd1' } });
    server.serverJson({ type: 'session.delegation.created', offset_ms: 0, delegation: { id: 'd1' } });
    server.serverJson({ type: 'response.event', event: { type: 'response.created', response: { id: 'r' } } });
    await settle();
    await advanceVirtualClock(h.clock, 1000);
    expect(h.manager.stats()).to.include({ ignoredEvents: 2, unroutedDelegations: 1 });
  });

  it("reportPlayback is validated, then does nothing (barge-in is the server's)", async () => {
    const h = liveHarness();
    await started(h);
    expect(errorOf(() => h.manager.reportPlayback('', 1)).code).to.equal('ERR_INVALID_ARGUMENT');
    h.manager.reportPlayback('item', 10);
    await settle();
    expect(h.wire()).to.have.length(1);
  });
  it('tools in client mode fail the start with the live message, bound tools first (after 09 §1.3)', async () => {
    const toolModule = new ContainerModule(({ bind }) => {
      bind(RealtimeTool).toConstantValue({
        name: 'get_weather',
        description: 'weather',
        parameters: { type: 'object', properties: {} },
        execute: () => 'sunny',
      });
    });
    const h = createHarness({ config: { realtime: { protocol: 'live' } }, modules: [parserLiveModule, toolModule] });
    const failure = await rejection(
      h.manager.start({ tools: [{ type: 'function', name: 'lookup_order', parameters: { type: 'object' } }] }),
    );
    expect(failure).to.deep.equal({
      code: 'ERR_INVALID_SESSION',
      message:
        'protocol `live` runs tools only with Responses delegation; set realtime.live.delegation to "responses" or remove the tools (get_weather, lookup_order)',
    });
    expect(h.transport.requests).to.have.length(0);
  });
  it('commitInput and clearInput are rejected at call time with ERR_UNSUPPORTED, nothing queued (the server takes turns)', async () => {
    const h = liveHarness();
    await started(h);
    expect(await rejection(h.manager.commitInput())).to.deep.equal({
      code: 'ERR_UNSUPPORTED',
      message: 'commitInput is not supported by protocol live',
    });
    expect(await rejection(h.manager.clearInput())).to.deep.equal({
      code: 'ERR_UNSUPPORTED',
      message: 'clearInput is not supported by protocol live',
    });
    await settle();
    expect(h.wire()).to.have.length(1);
    expect(h.manager.stats().queued).to.deep.include({ textIn: 0 });
  });

  it('an audio format other than pcm16 fails the start with ERR_INVALID_SESSION; nothing is connected', async () => {
    const h = liveHarness({ realtime: { audio: { format: 'pcmu' } } });
    expect(await rejection(h.manager.start())).to.deep.equal({
      code: 'ERR_INVALID_SESSION',
      message: 'audio format `pcmu` is not supported for live; use pcm16',
    });
    expect(h.transport.requests).to.have.length(0);
  });
});
