import { expect } from 'chai';
import type { ClientMessage, JsonObject, ParleyConfigInput, RealtimeTool, ToolCall } from '@parley/core';
import { LiveProtocolStrategy } from '../live-protocol-strategy.js';
import type { LiveSessionPolicy } from '../live-session-policy.js';
import { FakeLiveHandle, co, live, type LiveRecord } from './fake-live-handle.js';

const SETTINGS = {
  instructions: '',
  voice: 'marin',
  model: 'gpt-live-1',
  outputModality: 'audio' as const,
  mode: 'conversational' as const,
  sessionId: undefined,
  tools: [],
};

const RESPONSES: ParleyConfigInput = { realtime: { live: { delegation: 'responses', responses: { model: 'gpt-5' } } } };

const STARTED_TEXT =
  'Started in the background. The result will arrive later in a system message; until then, tell the user it is under way and do not call this tool again for the same request.';

/** A response.event envelope (`delegationId` null: a response the application started). */
function rev(delegationId: string | null, event: Record<string, unknown>): Record<string, unknown> {
  return { type: 'response.event', delegation_id: delegationId, event };
}
const created = (key: string | null, id: string): Record<string, unknown> =>
  rev(key, { type: 'response.created', response: { id, status: 'in_progress', output: [] } });
const done = (key: string | null, id: string, status: 'completed' | 'failed' | 'incomplete' = 'completed'): Record<string, unknown> =>
  rev(key, { type: `response.${status}`, response: { id, status, output: [] } });
const reasoning = (key: string | null): Record<string, unknown> =>
  rev(key, { type: 'response.output_item.done', item: { id: 'rs_1', type: 'reasoning', summary: [] } });
function fc(key: string | null, callId: string, name: string, args = '{}', status = 'completed'): Record<string, unknown> {
  return rev(key, {
    type: 'response.output_item.done',
    item: { id: `fc_${callId}`, type: 'function_call', status, call_id: callId, name, arguments: args },
  });
}

const itemCreate = (callId: string, output: string): ClientMessage => ({
  type: 'response.item.create',
  item: { type: 'function_call_output', call_id: callId, output },
});
const RESPONSE_CREATE: ClientMessage = { type: 'response.create' };

/**
 * A tool whose `execute` resolves (or rejects) at an absolute time on the handle's clock, read
 * from its arguments (`at`, `fail`), else at `defaultAt`; it records the signals it got.
 */
function timedTool(handle: FakeLiveHandle, name: string, extra: Partial<RealtimeTool> = {}, output: unknown = { temp: 22 }): RealtimeTool {
  return {
    name,
    description: '',
    parameters: { type: 'object', properties: {} },
    ...extra,
    execute: (args: JsonObject, call: ToolCall) => {
      signals.set(call.callId, call.signal);
      const at = typeof args.at === 'number' ? args.at : 300;
      return new Promise((resolve, reject) =>
        handle.clock.setTimer(at - handle.now(), () => (args.fail === true ? reject(new Error('down')) : resolve(output))),
      );
    },
  };
}
const signals = new Map<string, AbortSignal>();

function setup(tools: (handle: FakeLiveHandle) => RealtimeTool[], config: ParleyConfigInput = RESPONSES, declared: unknown[] = []) {
  const handle = new FakeLiveHandle(config);
  handle.withTools(tools(handle), declared);
  const policy = new LiveProtocolStrategy(handle.config, handle.logger).createPolicy(handle, SETTINGS) as LiveSessionPolicy;
  handle.policy = policy;
  handle.frame(0, live.started());
  return { handle, policy };
}

/** The records after `session.started`, without `hold`s: what the application and the server see, in order. */
function timeline(handle: FakeLiveHandle): Omit<LiveRecord, never>[] {
  return handle.records.filter((record) => record.kind !== 'hold').slice(1);
}

/**
 * A server frame at `t`, then the input loop as the core runs it: tools invoked (in a microtask,
 * at `t` on the clock) and queued answers handed to the policy.
 */
async function step(handle: FakeLiveHandle, t: number, frame: Record<string, unknown>): Promise<void> {
  handle.frame(t, frame);
  await handle.settle();
}

/** Runs the handle's clock to `t`, timer by timer, letting the tools settle and the input loop hand their answers to the policy. */
async function at(handle: FakeLiveHandle, t: number): Promise<void> {
  await handle.settle();
  for (let due = handle.clock.nextDue(); due !== undefined && due <= t; due = handle.clock.nextDue()) {
    handle.clock.advanceTo(due);
    await handle.settle();
  }
  handle.clock.advanceTo(t);
  await handle.settle();
}

describe('live Responses mode (spec 08 "Responses mode", 09 §9)', () => {
  beforeEach(() => signals.clear());

  it('the spec\'s example timeline on the virtual clock: get_weather answers {"temp":22} at t=300', async () => {
    const { handle } = setup((h) => [timedTool(h, 'get_weather')]);
    await step(handle, 100, created('d1', 'resp_1'));
    await step(handle, 110, reasoning('d1'));
    await step(handle, 120, fc('d1', 'call_1', 'get_weather', '{"city":"Lisbon"}'));
    await step(handle, 130, done('d1', 'resp_1'));
    await handle.settle();
    expect(handle.sent()).to.deep.equal([]);
    await at(handle, 300);
    expect(timeline(handle)).to.deep.equal([
      { t: 100, kind: 'deliver', event: { type: 'responseCreated', responseId: 'resp_1' } },
      {
        t: 120,
        kind: 'tool',
        event: {
          type: 'toolCall',
          callId: 'call_1',
          name: 'get_weather',
          arguments: '{"city":"Lisbon"}',
          itemId: 'fc_call_1',
          responseId: 'resp_1',
        },
      },
      { t: 130, kind: 'deliver', event: { type: 'responseDone', responseId: 'resp_1', status: 'completed' } },
      { t: 300, kind: 'send', message: itemCreate('call_1', '{"temp":22}') },
      { t: 300, kind: 'send', message: RESPONSE_CREATE },
      { t: 300, kind: 'tool', event: { type: 'toolResult', callId: 'call_1', name: 'get_weather', output: '{"temp":22}', error: false } },
    ]);
    expect(handle.counters.ignoredEvents).to.equal(1);
    expect(handle.interrupts).to.deep.equal([]);
  });

  it('parallel calls: outputs in the order they become ready, one response.create after the last', async () => {
    const { handle } = setup((h) => [timedTool(h, 'a'), timedTool(h, 'b')]);
    await step(handle, 10, created('d1', 'resp_1'));
    await step(handle, 20, fc('d1', 'call_a', 'a', '{"at":221}'));
    await step(handle, 21, fc('d1', 'call_b', 'b', '{"at":70}'));
    await step(handle, 30, done('d1', 'resp_1'));
    await at(handle, 70);
    expect(handle.sent()).to.deep.equal([itemCreate('call_b', '{"temp":22}')]);
    await at(handle, 221);
    expect(handle.sent()).to.deep.equal([itemCreate('call_b', '{"temp":22}'), itemCreate('call_a', '{"temp":22}'), RESPONSE_CREATE]);
  });

  it('outputs ready before response.completed: the one response.create goes out at response.completed, never before', async () => {
    const { handle } = setup((h) => [timedTool(h, 'a')]);
    await step(handle, 10, created('d1', 'resp_1'));
    await step(handle, 20, fc('d1', 'call_a', 'a', '{"at":22}'));
    await at(handle, 22);
    expect(handle.sent()).to.deep.equal([itemCreate('call_a', '{"temp":22}')]);
    await step(handle, 30, done('d1', 'resp_1'));
    expect(handle.records.filter((record) => record.kind === 'send').map((record) => record.t)).to.deep.equal([22, 30]);
    expect(handle.sent()).to.deep.equal([itemCreate('call_a', '{"temp":22}'), RESPONSE_CREATE]);
  });

  it('a batch ended failed or incomplete sends its outputs but no response.create', async () => {
    for (const status of ['failed', 'incomplete'] as const) {
      const { handle } = setup((h) => [timedTool(h, 'a')]);
      await step(handle, 10, created('d1', 'resp_1'));
      await step(handle, 20, fc('d1', 'call_a', 'a'));
      await step(handle, 30, done('d1', 'resp_1', status));
      await at(handle, 300);
      expect(handle.sent(), status).to.deep.equal([itemCreate('call_a', '{"temp":22}')]);
      expect(handle.delivered().slice(-1), status).to.deep.equal([{ type: 'responseDone', responseId: 'resp_1', status }]);
    }
  });

  it('a response with no calls sends nothing', async () => {
    const { handle } = setup((h) => [timedTool(h, 'a')]);
    await step(handle, 10, created('d1', 'resp_1'));
    await step(handle, 20, reasoning('d1'));
    await step(handle, 30, done('d1', 'resp_1'));
    await at(handle, 1000);
    expect(handle.sent()).to.deep.equal([]);
  });

  it('a call outside a response is its own batch: its output, then one response.create; no responseId', async () => {
    const { handle } = setup((h) => [timedTool(h, 'a')]);
    await step(handle, 20, fc('d1', 'call_a', 'a', '{"at":50}'));
    expect(handle.toolEvents()).to.deep.equal([
      { type: 'toolCall', callId: 'call_a', name: 'a', arguments: '{"at":50}', itemId: 'fc_call_a' },
    ]);
    await at(handle, 50);
    expect(handle.sent()).to.deep.equal([itemCreate('call_a', '{"temp":22}'), RESPONSE_CREATE]);
  });

  it('an unknown tool is answered at once with the error output; in a completed batch one response.create follows', async () => {
    const { handle } = setup((h) => [timedTool(h, 'a')]);
    await step(handle, 10, created(null, 'resp_1'));
    await step(handle, 20, fc(null, 'call_x', 'remain_silent'));
    await handle.settle();
    await step(handle, 30, done(null, 'resp_1'));
    expect(handle.sent()).to.deep.equal([itemCreate('call_x', '{"error":"unknown tool `remain_silent`"}'), RESPONSE_CREATE]);
  });

  it('a cut-off call (status incomplete) is answered as cancelled, never run', async () => {
    const { handle } = setup((h) => [timedTool(h, 'a')]);
    await step(handle, 10, created('d1', 'resp_1'));
    await step(handle, 20, fc('d1', 'call_a', 'a', '{}', 'incomplete'));
    await step(handle, 30, done('d1', 'resp_1', 'incomplete'));
    await at(handle, 1000);
    expect(signals.size).to.equal(0);
    expect(handle.sent()).to.deep.equal([
      itemCreate('call_a', '{"error":"tool `a` was not run: the call was cut off before it was complete"}'),
    ]);
  });

  it('an echo of a call is a no-op and a duplicate is counted: one toolCall, one output', async () => {
    const { handle } = setup((h) => [timedTool(h, 'a')]);
    await step(handle, 10, created('d1', 'resp_1'));
    await step(handle, 20, fc('d1', 'call_a', 'a'));
    await step(handle, 21, fc('d1', 'call_a', 'a'));
    await step(
      handle,
      22,
      rev('d1', { type: 'response.output_item.done', item: { id: 'other', type: 'function_call', call_id: 'call_a', name: 'a' } }),
    );
    await step(handle, 30, done('d1', 'resp_1'));
    await at(handle, 300);
    expect(handle.toolEvents().filter((event) => event.type === 'toolCall')).to.have.length(1);
    expect(handle.sent()).to.deep.equal([itemCreate('call_a', '{"temp":22}'), RESPONSE_CREATE]);
    expect(handle.runner?.stats.duplicateToolCalls).to.equal(1);
  });

  it("batches are kept per delegation key: each key asks once for its own completed batch; toolCall.responseId is the key's open response", async () => {
    const { handle } = setup((h) => [timedTool(h, 'a'), timedTool(h, 'b')]);
    await step(handle, 10, created('d1', 'resp_1'));
    await step(handle, 11, created('d2', 'resp_2'));
    await step(handle, 12, created(null, 'resp_3'));
    await step(handle, 20, fc('d1', 'call_1', 'a', '{"at":200}'));
    await step(handle, 21, fc('d2', 'call_2', 'b', '{"at":100}'));
    await step(handle, 22, fc(null, 'call_3', 'a', '{"at":150}'));
    await step(handle, 30, done('d2', 'resp_2', 'failed'));
    await step(handle, 31, done(null, 'resp_3'));
    await step(handle, 40, done('d1', 'resp_1'));
    await at(handle, 300);
    expect(handle.toolEvents().flatMap((event) => (event.type === 'toolCall' ? [[event.callId, event.responseId]] : []))).to.deep.equal([
      ['call_1', 'resp_1'],
      ['call_2', 'resp_2'],
      ['call_3', 'resp_3'],
    ]);
    expect(handle.records.flatMap((record) => (record.kind === 'send' ? [[record.t, record.message]] : []))).to.deep.equal([
      [100, itemCreate('call_2', '{"temp":22}')],
      [150, itemCreate('call_3', '{"temp":22}')],
      [150, RESPONSE_CREATE],
      [200, itemCreate('call_1', '{"temp":22}')],
      [200, RESPONSE_CREATE],
    ]);
  });

  it("response.created closes the key's open batch (it asks nothing) and opens a new one", async () => {
    const { handle } = setup((h) => [timedTool(h, 'a')]);
    await step(handle, 10, created('d1', 'resp_1'));
    await step(handle, 20, fc('d1', 'call_1', 'a', '{"at":100}'));
    await step(handle, 30, created('d1', 'resp_2'));
    await step(handle, 40, fc('d1', 'call_2', 'a', '{"at":200}'));
    await step(handle, 50, done('d1', 'resp_2'));
    await at(handle, 300);
    expect(handle.toolEvents().flatMap((event) => (event.type === 'toolCall' ? [event.responseId] : []))).to.deep.equal([
      'resp_1',
      'resp_2',
    ]);
    expect(handle.sent()).to.deep.equal([itemCreate('call_1', '{"temp":22}'), itemCreate('call_2', '{"temp":22}'), RESPONSE_CREATE]);
  });

  it('a tool that throws or times out is answered with its error output, and its batch asks once', async () => {
    const { handle } = setup((h) => [timedTool(h, 'a'), timedTool(h, 'slow', { timeoutMs: 500 })]);
    await step(handle, 10, created('d1', 'resp_1'));
    await step(handle, 20, fc('d1', 'call_1', 'a', '{"fail":true,"at":60}'));
    await step(handle, 21, fc('d1', 'call_2', 'slow', '{"at":9999}'));
    await step(handle, 30, done('d1', 'resp_1'));
    await at(handle, 521);
    expect(handle.sent()).to.deep.equal([
      itemCreate('call_1', '{"error":"tool `a` failed: down"}'),
      itemCreate('call_2', '{"error":"tool `slow` timed out after 500 ms"}'),
      RESPONSE_CREATE,
    ]);
    expect(signals.get('call_2')?.aborted).to.equal(true);
  });

  it('a declared tool is answered by sendToolOutput (the runner), then its batch asks once', async () => {
    const { handle } = setup(() => [], RESPONSES, [{ type: 'function', name: 'lookup_order', parameters: { type: 'object' } }]);
    await step(handle, 10, created('d1', 'resp_1'));
    await step(handle, 20, fc('d1', 'call_o', 'lookup_order', '{"order_id":"7"}'));
    await step(handle, 30, done('d1', 'resp_1'));
    await handle.runner!.sendToolOutput('call_o', { status: 'shipped' });
    await at(handle, 40);
    expect(handle.sent()).to.deep.equal([itemCreate('call_o', '{"status":"shipped"}'), RESPONSE_CREATE]);
  });

  describe('background tools (09 §5; 08: a commentary append, no response.create)', () => {
    it("the started output is a normal output of its batch; the result is commentary with the call's delegation_id and the exact content", async () => {
      const { handle } = setup((h) => [timedTool(h, 'book_table', { behavior: 'background' }, 'Booked: Chez Marie, 20:00')]);
      await step(handle, 10, created('d1', 'resp_1'));
      await step(handle, 20, fc('d1', 'call_bk', 'book_table', '{"at":3020}'));
      await handle.settle();
      await step(handle, 30, done('d1', 'resp_1'));
      await at(handle, 3020);
      expect(handle.records.flatMap((record) => (record.kind === 'send' ? [[record.t, record.message]] : []))).to.deep.equal([
        [20, itemCreate('call_bk', STARTED_TEXT)],
        [30, RESPONSE_CREATE],
        [3020, co('d1', 'Result of background tool call call_bk (book_table):\n\nBooked: Chez Marie, 20:00')],
      ]);
      expect(handle.toolEvents().slice(-1)).to.deep.equal([
        { type: 'toolResult', callId: 'call_bk', name: 'book_table', output: 'Booked: Chez Marie, 20:00', error: false, background: true },
      ]);
    });

    it('without a delegation id the result goes with delegation_id null; a long result is chunked', async () => {
      const config: ParleyConfigInput = { realtime: { live: { ...RESPONSES.realtime!.live, appendTokenBudget: 12 } } };
      const { handle } = setup((h) => [timedTool(h, 'bk', { behavior: 'background' }, 'Table for two. At eight.')], config);
      await step(handle, 20, fc(null, 'c1', 'bk', '{"at":100}'));
      await at(handle, 100);
      expect(handle.sent()).to.deep.equal([
        itemCreate('c1', STARTED_TEXT),
        RESPONSE_CREATE,
        co(null, 'Result of background tool call c1 (bk):'),
        co(null, 'Table for two. At eight.'),
      ]);
    });
  });

  describe('closing and the end', () => {
    it('from close() on, open calls are aborted and nothing more is sent for them: no output, no response.create', async () => {
      const { handle } = setup((h) => [timedTool(h, 'a'), timedTool(h, 'bk', { behavior: 'background' })]);
      await step(handle, 10, created('d1', 'resp_1'));
      await step(handle, 20, fc('d1', 'call_1', 'a', '{"at":500}'));
      await step(handle, 21, fc('d1', 'call_bk', 'bk', '{"at":600}'));
      await step(handle, 30, done('d1', 'resp_1'));
      await at(handle, 100);
      expect(handle.sent()).to.deep.equal([itemCreate('call_bk', STARTED_TEXT)]);
      handle.clock.advanceTo(200);
      expect(await handle.close()).to.equal(true);
      expect(signals.get('call_1')?.aborted).to.equal(true);
      expect((signals.get('call_1')?.reason as Error).message).to.equal('the conversation ended');
      expect(signals.get('call_bk')?.aborted).to.equal(true);
      await step(handle, 300, fc('d1', 'call_late', 'a'));
      await step(handle, 310, done('d1', 'resp_1'));
      await at(handle, 1000);
      expect(handle.sent()).to.deep.equal([itemCreate('call_bk', STARTED_TEXT), { type: 'session.close' }]);
      expect(
        handle
          .toolEvents()
          .filter((event) => event.type === 'toolCall')
          .map((event) => event.callId),
      ).to.deep.equal(['call_1', 'call_bk']);
      expect(handle.runner?.stats.lateToolResults).to.equal(2);
    });

    it('a hook called while closing sends nothing (the core no longer dispatches; the policy refuses too)', async () => {
      const { handle, policy } = setup((h) => [timedTool(h, 'a')]);
      await handle.close();
      policy.toolOutput({ callId: 'c', name: 'a', output: 'x', error: false, started: false });
      policy.backgroundToolResult({ callId: 'c', name: 'a', output: 'x', error: false });
      expect(handle.sent()).to.deep.equal([{ type: 'session.close' }]);
    });
  });

  describe('delegations and interruption', () => {
    it('session.delegation.created (target responses) → handoffRequested with target responses, never routed; delegate output is dropped', async () => {
      const { handle, policy } = setup(() => []);
      await step(handle, 100, live.input('What is the weather?', 0, 200));
      await step(handle, 150, live.delegation('d1', 200, 'responses'));
      await step(handle, 160, live.delegation('d2', 200, 'client'));
      handle.clock.advanceTo(5000);
      const handoffs = handle.delivered().filter((event) => event.type === 'handoffRequested');
      expect(handoffs).to.deep.equal([
        {
          type: 'handoffRequested',
          handoffId: 'd1',
          itemId: 'd1',
          inputTranscript: '',
          activeTranscript: [{ role: 'user', text: 'What is the weather?' }],
          offsetMs: 200,
          target: 'responses',
        },
        {
          type: 'handoffRequested',
          handoffId: 'd2',
          itemId: 'd2',
          inputTranscript: '',
          activeTranscript: [{ role: 'user', text: 'What is the weather?' }],
          offsetMs: 200,
          target: 'client',
        },
      ]);
      expect(handle.routes()).to.deep.equal([]);
      policy.assistantOutput('progress', 'd1');
      policy.finishTurn('d1');
      expect(handle.counters.droppedAssistantOutputs).to.equal(1);
      expect(handle.sent()).to.deep.equal([]);
      expect(policy.openHandoffs()).to.deep.equal([]);
    });

    it('no interruption: tools.interrupt is never called, so an onInterrupt "cancel" tool keeps running through speech and delegations', async () => {
      const { handle } = setup((h) => [timedTool(h, 'a', { onInterrupt: 'cancel' })]);
      await step(handle, 10, created('d1', 'resp_1'));
      await step(handle, 20, fc('d1', 'call_1', 'a'));
      await step(handle, 30, done('d1', 'resp_1'));
      await step(handle, 40, live.input('stop', 0, 200));
      await step(handle, 50, live.delegation('d2', 200, 'responses'));
      await at(handle, 300);
      expect(handle.interrupts).to.deep.equal([]);
      expect(handle.sent()).to.deep.equal([itemCreate('call_1', '{"temp":22}'), RESPONSE_CREATE]);
    });
  });

  it('client mode: response.events are ignored (ignoredEvents), no call is reported', async () => {
    const handle = new FakeLiveHandle();
    const policy = new LiveProtocolStrategy(handle.config, handle.logger).createPolicy(handle, SETTINGS);
    handle.policy = policy;
    handle.frame(0, live.started());
    await step(handle, 10, created('d1', 'resp_1'));
    await step(handle, 20, fc('d1', 'call_1', 'a'));
    await step(handle, 30, done('d1', 'resp_1'));
    expect(handle.counters.ignoredEvents).to.equal(3);
    expect(handle.delivered()).to.deep.equal([{ type: 'sessionUpdated', sessionId: 'sess_1' }]);
  });
});
