import { expect } from 'chai';
import { ContainerModule } from 'inversify';
import { ParleyError, RealtimeTool, type ParleyConfigInput, type ToolCall } from '@parley/core';
import { parserLiveModule } from '@parley/parser-live';
import { advanceVirtualClock, type VirtualClock } from '@parley/testkit';
import { createHarness, settle, type Harness } from './support/harness.js';

/**
 * Live and opt-in reconnection (spec 08 "Turn-taking, barge-in, reconnection"; 09 §7): a new
 * server session starts with `session.start` again and inputs held until its `session.started`;
 * pending and open delegations are lost and listed in `reconnected.lostHandoffs` (pending first,
 * then open); their grace timers never fire on the new session; open tool calls are abandoned
 * (`lostToolCalls`, signal `ERR_CONNECTION_LOST`), their results late and counted, and nothing is
 * sent for them on the new session. On the harness's virtual clock.
 */

const STARTED = (id: string): Record<string, unknown> => ({ type: 'session.started', session: { id, model: 'gpt-live-1' } });
const RECONNECT = { enabled: true, maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000 };

function liveHarness(live: Record<string, unknown>, modules: ContainerModule[] = []): Harness {
  const config: ParleyConfigInput = { realtime: { protocol: 'live', reconnect: RECONNECT, live } };
  return createHarness({ config, modules: [parserLiveModule, ...modules] });
}

/**
 * Loses the connection at the current time, runs `meanwhile` while reconnecting, and lets the
 * backoff timer fire: the new connection is open.
 */
async function loseAndReconnect(h: Harness, meanwhile: () => Promise<void> = async () => undefined): Promise<void> {
  h.server().serverFail(new ParleyError('ERR_CONNECTION_LOST', 'lost'));
  await settle();
  await meanwhile();
  const due = h.clock.nextDue();
  expect(due, 'a reconnection attempt is scheduled').to.not.equal(undefined);
  await advanceVirtualClock(h.clock, due as number);
  expect(h.transport.connections).to.have.length(2);
}

describe('live reconnection (spec 08 "Turn-taking, barge-in, reconnection")', () => {
  it('client mode: pending and open delegations are lost (lostHandoffs, pending first); the grace never routes on the new session; inputs (sent while reconnecting or after) wait for its session.started', async () => {
    const h = liveHarness({ delegationGraceMs: 1000 });
    await h.manager.start();
    h.server().serverJson(STARTED('sess_1'));
    h.server().serverJson({ type: 'session.input_transcript.delta', delta: 'Check my flight', start_ms: 0, end_ms: 500 });
    h.server().serverJson({ type: 'session.delegation.created', offset_ms: 500, delegation: { id: 'da', target: 'client' } });
    await advanceVirtualClock(h.clock, 50);
    // db is pending: its offset is ahead of the transcript, its grace timer runs until t=1050.
    h.server().serverJson({ type: 'session.delegation.created', offset_ms: 2000, delegation: { id: 'db', target: 'client' } });
    await settle();
    expect(h.of('delegationStarted').map((event) => event.handoffId)).to.deep.equal(['da']);

    await advanceVirtualClock(h.clock, 100);
    await loseAndReconnect(h, () => h.manager.sendText('hello?'));
    await h.manager.sendText('are you there');
    await settle();
    expect(h.wire()).to.deep.equal([
      {
        type: 'session.start',
        session: {
          model: 'gpt-live-1',
          audio: { format: { type: 'audio/pcm', rate: 24000 }, output: { voice: 'marin' } },
          delegation: { type: 'client' },
        },
      },
    ]);
    expect(h.of('reconnected')).to.deep.equal([{ type: 'reconnected', attempt: 1, lostHandoffs: ['db', 'da'] }]);

    h.server().serverJson(STARTED('sess_2'));
    await settle();
    expect(h.wire().slice(1)).to.deep.equal([
      { type: 'session.thinking.append', delegation_id: null, content: 'user: hello?' },
      { type: 'session.thinking.append', delegation_id: null, content: 'user: are you there' },
    ]);

    // The old grace (t=1050) passes and the new transcript moves past db's offset: nothing is routed.
    h.server().serverJson({ type: 'session.input_transcript.delta', delta: 'hello', start_ms: 1800, end_ms: 2400 });
    await advanceVirtualClock(h.clock, 3000);
    expect(h.of('delegationStarted').map((event) => event.handoffId)).to.deep.equal(['da']);
    // The lost open delegation takes no more output.
    await h.manager.sendAssistantOutput('Flight AB123 is on time.', { handoffId: 'da' });
    await h.manager.finishTurn({ handoffId: 'da' });
    await settle();
    expect(h.wire()).to.have.length(3);
    expect(h.manager.stats()).to.include({ droppedAssistantOutputs: 1, reconnections: 1 });
  });

  it('Responses mode: an open batch is abandoned (lostToolCalls, ERR_CONNECTION_LOST); its result is late; the new session gets no output and no response.create; a reused call id is a new call', async () => {
    const ref: { clock?: VirtualClock; signals: AbortSignal[] } = { signals: [] };
    const tool: RealtimeTool = {
      name: 'get_weather',
      description: '',
      parameters: { type: 'object', properties: {} },
      execute: (_args, call: ToolCall) => {
        ref.signals.push(call.signal);
        const clock = ref.clock as VirtualClock;
        return new Promise((resolve) => clock.setTimer(300, () => resolve({ temp: 22 })));
      },
    };
    const tools = new ContainerModule(({ bind }) => {
      bind(RealtimeTool).toConstantValue(tool);
    });
    const h = liveHarness({ delegation: 'responses', responses: { model: 'gpt-5' } }, [tools]);
    ref.clock = h.clock;
    await h.manager.start();
    const rev = (event: Record<string, unknown>): Record<string, unknown> => ({ type: 'response.event', delegation_id: 'd1', event });
    const call = rev({
      type: 'response.output_item.done',
      item: { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{}' },
    });
    h.server().serverJson(STARTED('sess_1'));
    h.server().serverJson(rev({ type: 'response.created', response: { id: 'resp_1' } }));
    h.server().serverJson(call);
    h.server().serverJson(rev({ type: 'response.completed', response: { id: 'resp_1' } }));
    await advanceVirtualClock(h.clock, 150);

    await loseAndReconnect(h);
    expect(ref.signals[0]?.aborted).to.equal(true);
    expect((ref.signals[0]?.reason as ParleyError).code).to.equal('ERR_CONNECTION_LOST');
    expect(h.of('reconnected')).to.deep.equal([{ type: 'reconnected', attempt: 1, lostToolCalls: ['call_1'] }]);
    h.server().serverJson(STARTED('sess_2'));
    await advanceVirtualClock(h.clock, 1000);
    // The old call's result (t=300) is late: dropped, counted; nothing for it on the new session.
    expect(h.wire().map((message) => (message as { type: string }).type)).to.deep.equal(['session.start']);
    expect(h.of('toolResult')).to.deep.equal([]);
    expect(h.manager.stats()).to.include({ lateToolResults: 1, pendingToolCalls: 0 });

    // The new server session may reuse the id: it is a new call, run and answered once.
    h.server().serverJson(rev({ type: 'response.created', response: { id: 'resp_9' } }));
    h.server().serverJson(call);
    h.server().serverJson(rev({ type: 'response.completed', response: { id: 'resp_9' } }));
    await advanceVirtualClock(h.clock, 1400);
    expect(h.wire().slice(1)).to.deep.equal([
      { type: 'response.item.create', item: { type: 'function_call_output', call_id: 'call_1', output: '{"temp":22}' } },
      { type: 'response.create' },
    ]);
    expect(h.of('toolCall').map((event) => event.responseId)).to.deep.equal(['resp_1', 'resp_9']);
  });
});
