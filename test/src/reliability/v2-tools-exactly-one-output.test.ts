import { expect } from 'chai';
import fc from 'fast-check';
import { ContainerModule } from 'inversify';
import { isParleyError, ParleyError, RealtimeTool, type JsonObject, type ToolCall } from '@parley/core';
import { advanceVirtualClock, settle, type VirtualClock } from '@parley/testkit';
import { attempt, createProtocolHarness, track, type ProtocolHarness } from '../support/protocol-harness.js';
import { PROPERTY_SEED } from '../support/property-seed.js';

/**
 * Spec 09's guarantees under random interleavings of tool calls (single and parallel, echoes,
 * duplicates, cut-off calls, unknown tools, bad arguments), results, throws, timeouts on the
 * virtual clock, application outputs, responses, barge-ins, handoffs, closes, a stuck socket and
 * lost connections: at most one `function_call_output` per call id per server session — exactly
 * one for every admitted call unless the conversation ended or reconnected first — and never a
 * `response.create` while a response is active.
 */

type Action =
  | {
      kind: 'calls';
      calls: { name: string; ms: number; fail: number; args: 'ok' | 'bad' | 'array' | 'empty'; complete: boolean }[];
      via: 'item' | 'output_item' | 'both';
    }
  | { kind: 'echo'; back: number; via: 'item' | 'output_item' }
  | { kind: 'duplicate'; back: number }
  | { kind: 'toolOutput'; back: number; error: boolean }
  | { kind: 'response'; event: 'response.created' | 'response.done' | 'response.cancelled'; cancelled: boolean }
  | { kind: 'speech' }
  | { kind: 'handoff' }
  | { kind: 'finishTurn' }
  | { kind: 'requestResponse' }
  | { kind: 'advance'; ms: number }
  | { kind: 'stall' }
  | { kind: 'unstall' }
  | { kind: 'close' }
  | { kind: 'serverClose' }
  | { kind: 'lost' };

const NAMES = ['quick', 'cancelable', 'background', 'thrower', 'manual', 'manual_cancel', 'nobody'];

const call = fc.record({
  name: fc.constantFrom(...NAMES),
  ms: fc.integer({ min: 0, max: 700 }),
  fail: fc.integer({ min: 0, max: 4 }),
  args: fc.constantFrom('ok' as const, 'ok' as const, 'ok' as const, 'bad' as const, 'array' as const, 'empty' as const),
});

const common: fc.MaybeWeightedArbitrary<Action>[] = [
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('calls' as const),
      calls: fc.array(
        call.chain((c) => fc.integer({ min: 0, max: 9 }).map((roll) => ({ ...c, complete: roll !== 0 }))),
        { minLength: 1, maxLength: 3 },
      ),
      via: fc.constantFrom('item' as const, 'output_item' as const, 'both' as const),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('echo' as const),
      back: fc.nat(5),
      via: fc.constantFrom('item' as const, 'output_item' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), back: fc.nat(5) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('toolOutput' as const), back: fc.nat(5), error: fc.boolean() }) },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('response' as const),
      event: fc.constantFrom('response.created' as const, 'response.done' as const, 'response.cancelled' as const),
      cancelled: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.constant({ kind: 'speech' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'handoff' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'finishTurn' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'requestResponse' as const }) },
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 400 }).map((ms) => ({ kind: 'advance' as const, ms })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'stall' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'unstall' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'close' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'serverClose' as const }) },
];
const action = fc.oneof(...common);
const actionWithLosses = fc.oneof(...common, { weight: 2, arbitrary: fc.constant({ kind: 'lost' as const }) });

/** The tools, on the harness's virtual clock; each call's arguments say how long it takes and how it ends. */
function toolsModule(clock: VirtualClock): ContainerModule {
  const after = (args: JsonObject, call: ToolCall, value: () => unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      // Some tools honour their signal, some ignore it (their results are then late).
      if (Number(args.fail) === 4) call.signal.addEventListener('abort', () => reject(call.signal.reason));
      clock.setTimer(Number(args.ms ?? 0), () => {
        try {
          resolve(value());
        } catch (error) {
          reject(error);
        }
      });
    });
  const outcome = (args: JsonObject): unknown => {
    switch (Number(args.fail)) {
      case 1:
        throw new Error('it broke');
      case 2:
        throw Object.create(null);
      case 3:
        return 10n;
      default:
        return { ok: true, ms: args.ms };
    }
  };
  const tools: RealtimeTool[] = [
    { name: 'quick', description: '', parameters: { type: 'object' }, execute: (args, call) => after(args, call, () => outcome(args)) },
    {
      name: 'cancelable',
      description: '',
      parameters: { type: 'object' },
      onInterrupt: 'cancel',
      timeoutMs: 300,
      execute: (args, call) => after(args, call, () => outcome(args)),
    },
    {
      name: 'background',
      description: '',
      parameters: { type: 'object' },
      behavior: 'background',
      timeoutMs: 500,
      execute: (args, call) => after(args, call, () => outcome(args)),
    },
    {
      name: 'thrower',
      description: '',
      parameters: { type: 'object' },
      execute: (args) => {
        if (Number(args.fail) % 2 === 0) throw new Error('sync throw');
        return Promise.reject(Number(args.fail));
      },
    },
  ];
  return new ContainerModule(({ bind }) => {
    for (const tool of tools) bind(RealtimeTool).toConstantValue(tool);
  });
}

interface Sent {
  callId: string;
  connection: number;
}

interface Model {
  active: boolean;
  violations: string[];
  nextCall: number;
  /** Call ids and item ids reported so far (for echoes and duplicates), newest last. */
  reported: { callId: string; itemId: string; name: string; args: string }[];
}

const coverage = {
  calls: 0,
  outputs: 0,
  timeouts: 0,
  cancelled: 0,
  duplicates: 0,
  late: 0,
  background: 0,
  lost: 0,
  manual: 0,
  deferred: 0,
};

function argsText(c: { ms: number; fail: number; args: string }): string {
  switch (c.args) {
    case 'bad':
      return '{"ms":';
    case 'array':
      return '[1]';
    case 'empty':
      return '';
    default:
      return JSON.stringify({ ms: c.ms, fail: c.fail });
  }
}

function frame(via: 'item' | 'output_item', item: Record<string, unknown>): Record<string, unknown> {
  return via === 'item'
    ? { type: 'conversation.item.done', item }
    : { type: 'response.output_item.done', response_id: 'resp_x', output_index: 0, item };
}

async function apply(h: ProtocolHarness, model: Model, step: Action, problems: unknown[], index: number): Promise<void> {
  const server = h.transport.connections.length > 0 ? h.server() : undefined;
  const live = server?.state === 'open' && h.manager.running;
  switch (step.kind) {
    case 'calls':
      for (const c of step.calls) {
        model.nextCall += 1;
        const callId = `call_${model.nextCall}`;
        const item = {
          id: `item_${model.nextCall}`,
          type: 'function_call',
          status: c.complete ? 'completed' : 'incomplete',
          name: c.name,
          call_id: callId,
          arguments: argsText(c),
        };
        model.reported.push({ callId, itemId: item.id, name: c.name, args: item.arguments });
        if (step.via !== 'item') server?.serverJson(frame('output_item', item));
        if (step.via !== 'output_item') server?.serverJson(frame('item', item));
      }
      break;
    case 'echo': {
      const seen = model.reported[model.reported.length - 1 - step.back];
      if (seen !== undefined) {
        server?.serverJson(
          frame(step.via, {
            id: seen.itemId,
            type: 'function_call',
            status: 'completed',
            name: seen.name,
            call_id: seen.callId,
            arguments: seen.args,
          }),
        );
      }
      break;
    }
    case 'duplicate': {
      const seen = model.reported[model.reported.length - 1 - step.back];
      if (seen !== undefined) {
        server?.serverJson(
          frame('item', {
            id: `dup_${index}`,
            type: 'function_call',
            status: 'completed',
            name: 'quick',
            call_id: seen.callId,
            arguments: '{"ms":1}',
          }),
        );
      }
      break;
    }
    case 'toolOutput': {
      const seen = model.reported[model.reported.length - 1 - step.back];
      if (seen !== undefined && h.manager.running) {
        h.manager.sendToolOutput(seen.callId, step.error ? 'no' : { manual: true }, { error: step.error }).then(
          () => (coverage.manual += 1),
          (error: unknown) => {
            const acceptable = ['ERR_NOT_RUNNING', 'ERR_UNKNOWN_TOOL_CALL', 'ERR_TOOL_CALL_ANSWERED'];
            if (!(isParleyError(error) && acceptable.includes(error.code))) problems.push(error);
          },
        );
      }
      break;
    }
    case 'response': {
      if (live) model.active = step.event === 'response.created';
      const status = step.event === 'response.done' && step.cancelled ? 'cancelled' : 'completed';
      server?.serverJson({ type: step.event, response: { id: `resp_${index}`, status } });
      break;
    }
    case 'speech':
      server?.serverJson({ type: 'input_audio_buffer.speech_started', item_id: `user_${index}` });
      break;
    case 'handoff':
      server?.serverJson({
        type: 'conversation.item.done',
        item: {
          id: `hitem_${index}`,
          type: 'function_call',
          name: 'background_agent',
          call_id: `handoff_${index}`,
          arguments: '{"prompt":"x"}',
        },
      });
      break;
    case 'finishTurn':
      if (h.manager.running) track(h.manager.finishTurn(), problems);
      break;
    case 'requestResponse':
      if (h.manager.running) track(h.manager.requestResponse(), problems);
      break;
    case 'advance':
      await advanceVirtualClock(h.clock, h.clock.now() + step.ms);
      break;
    case 'stall':
      server?.stall();
      break;
    case 'unstall':
      server?.unstall();
      break;
    case 'close':
      attempt(() => void h.manager.close(), problems);
      break;
    case 'serverClose':
      server?.serverClose(1000, 'bye');
      break;
    case 'lost':
      server?.serverFail(new ParleyError('ERR_CONNECTION_LOST', 'lost'));
      break;
  }
  await settle();
}

async function run(actions: Action[], reconnect: boolean): Promise<void> {
  const h = createProtocolHarness('v2', {
    config: {
      realtime: {
        queues: { toolOut: 2, textIn: 2, handoffOut: 2 },
        tools: { timeoutMs: 400, backgroundTimeoutMs: 500 },
        reconnect: { enabled: reconnect, maxAttempts: 5, initialDelayMs: 50, maxDelayMs: 200 },
      },
    },
    modules: (clock) => [toolsModule(clock)],
  });
  const model: Model = { active: false, violations: [], nextCall: 0, reported: [] };
  const outputs: Sent[] = [];
  h.onInitiated = (message) => {
    if (message.type === 'response.create') {
      if (model.active) model.violations.push(`response.create while a response is active (frame ${h.initiated.length - 1})`);
      model.active = true;
    }
    const item = message.item as Record<string, unknown> | undefined;
    if (message.type === 'conversation.item.create' && item?.type === 'function_call_output' && String(item.call_id).startsWith('call_')) {
      outputs.push({ callId: String(item.call_id), connection: h.transport.connections.length - 1 });
    }
  };
  h.manager.on((event) => {
    if (event.type === 'reconnecting') model.active = false;
  });
  const problems: unknown[] = [];
  await h.manager.start({
    apiKey: 'k',
    tools: [
      { type: 'function', name: 'manual', timeoutMs: 400 },
      { type: 'function', name: 'manual_cancel', onInterrupt: 'cancel' },
    ],
  });
  for (const [index, step] of actions.entries()) await apply(h, model, step, problems, index);
  if (h.manager.running) {
    h.server().unstall();
    await settle();
  }
  // Long enough for every tool to settle or time out (the slowest: 700 ms; timeouts: 300–500 ms).
  await advanceVirtualClock(h.clock, h.clock.now() + 5_000);
  await settle();
  const endedBeforeTheEnd = h.events.some((event) => event.type === 'closed');
  await h.manager.close();
  await settle();

  expect(problems, 'inputs fail only with the documented errors').to.deep.equal([]);
  expect(model.violations).to.deep.equal([]);

  // Which connection each toolCall was admitted on, in order of events.
  const admitted: { callId: string; connection: number; position: number }[] = [];
  const results = new Map<string, number>();
  let connection = 0;
  const lostAt = new Map<string, number>();
  let closedAt = Infinity;
  h.events.forEach((event, position) => {
    if (event.type === 'reconnected') {
      connection += 1;
      for (const id of event.lostToolCalls ?? []) lostAt.set(`${connection - 1}/${id}`, position);
    }
    if (event.type === 'toolCall') admitted.push({ callId: event.callId, connection, position });
    if (event.type === 'toolResult') results.set(`${connection}/${event.callId}`, (results.get(`${connection}/${event.callId}`) ?? 0) + 1);
    if (event.type === 'closed') closedAt = position;
  });
  // The connection index of h.transport counts attempts; map outputs to server sessions by order.
  const sessionOf = new Map<number, number>();
  let session = -1;
  for (const [index, on] of h.initiatedOn.entries()) {
    if (h.initiated[index]?.type === 'session.update') session += 1;
    sessionOf.set(on, session);
  }
  const outputCount = new Map<string, number>();
  for (const sent of outputs) {
    const key = `${sessionOf.get(sent.connection) ?? 0}/${sent.callId}`;
    outputCount.set(key, (outputCount.get(key) ?? 0) + 1);
  }
  for (const [key, count] of outputCount) expect(count, `function_call_outputs for ${key}`).to.equal(1);
  for (const call of admitted) {
    const key = `${call.connection}/${call.callId}`;
    const answered = outputCount.get(key) ?? 0;
    const resultCount = results.get(key) ?? 0;
    expect(resultCount, `toolResults for ${key}`).to.be.at.most(1);
    if (resultCount === 1) expect(answered, `a call with a toolResult was answered once: ${key}`).to.equal(1);
    else {
      // Still running after every tool settled: only a reconnection may have left it unanswered.
      const endedFirst = (endedBeforeTheEnd && closedAt > call.position) || lostAt.has(key);
      expect(endedFirst, `an unanswered call ${key} needs the end or a reconnection after it`).to.equal(true);
    }
  }
  // Every output answers an admitted call of its server session.
  const admittedKeys = new Set(admitted.map((call) => `${call.connection}/${call.callId}`));
  for (const key of outputCount.keys()) expect(admittedKeys.has(key), `output for a call that was never admitted: ${key}`).to.equal(true);

  const stats = h.manager.stats();
  expect(stats.toolCalls).to.equal(admitted.length);
  expect(stats.pendingToolCalls).to.equal(0);
  coverage.calls += admitted.length;
  coverage.outputs += outputs.length;
  coverage.timeouts += stats.toolTimeouts;
  coverage.cancelled += stats.cancelledToolCalls;
  coverage.duplicates += stats.duplicateToolCalls;
  coverage.late += stats.lateToolResults;
  coverage.background += h.of('toolResult').filter((event) => event.background === true).length;
  coverage.lost += lostAt.size;
  coverage.deferred += stats.deferredResponseRequests;
}

describe('reliability: v2 tools, exactly one output per call, under random interleavings (virtual clock)', () => {
  it('at most one function_call_output per call id, exactly one unless the conversation ended first; never a response.create while a response is active', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 50, size: 'max' }), (actions) => run(actions, false)),
      { numRuns: 120, seed: PROPERTY_SEED },
    );
    const { lost, ...exercised } = coverage;
    expect(lost).to.equal(0);
    for (const [name, count] of Object.entries(exercised)) expect(count, `the runs exercised ${name}`).to.be.greaterThan(5);
  });

  it('the same with lost connections and opt-in reconnection: open calls are reported lost and never answered on the new session', async () => {
    for (const key of Object.keys(coverage) as (keyof typeof coverage)[]) coverage[key] = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(actionWithLosses, { minLength: 5, maxLength: 50, size: 'max' }), (actions) => run(actions, true)),
      { numRuns: 80, seed: PROPERTY_SEED },
    );
    expect(coverage.lost, 'the runs lost open calls').to.be.greaterThan(5);
    expect(coverage.calls).to.be.greaterThan(50);
  });
});
