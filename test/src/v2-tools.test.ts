import { expect } from 'chai';
import { parserV2Module } from '@parley/parser-v2';
import { runScenario, type Scenario, type ScenarioStep, type ScenarioTool, type TraceRecord } from '@parley/testkit';

/** Spec 09 §8 through the real core and V2 strategy, on the scenario runner's virtual clock. */

const created = (at: number, id: string): ScenarioStep => ({
  at,
  server: { type: 'response.created', response: { id, status: 'in_progress', output: [] } },
});
const done = (at: number, id: string, status = 'completed'): ScenarioStep => ({
  at,
  server: { type: 'response.done', response: { id, status, output: [] } },
});
const speech = (at: number): ScenarioStep => ({ at, server: { type: 'input_audio_buffer.speech_started', item_id: `item_u${at}` } });
const callItem = (callId: string, name: string, status = 'completed', args = '{}') => ({
  id: `item_${callId}`,
  type: 'function_call',
  status,
  name,
  call_id: callId,
  arguments: args,
});
const itemDone = (at: number, callId: string, name: string, status = 'completed', args = '{}'): ScenarioStep => ({
  at,
  server: { type: 'conversation.item.done', item: callItem(callId, name, status, args) },
});
const outputItemDone = (at: number, callId: string, name: string, responseId: string, status = 'completed'): ScenarioStep => ({
  at,
  server: { type: 'response.output_item.done', response_id: responseId, output_index: 0, item: callItem(callId, name, status) },
});
const reply = (afterMs: number, output: unknown): ScenarioTool['replies'] => [[{ afterMs, output }]];

async function run(tools: ScenarioTool[], steps: ScenarioStep[], endAt = 5000, session: Scenario['session'] = {}): Promise<TraceRecord[]> {
  return runScenario({ protocol: 'v2', tools, steps, endAt, session }, { modules: [parserV2Module] });
}

/** The wire after session.update, as `t type[ call_id]` lines. */
function wire(trace: TraceRecord[]): string[] {
  return trace.flatMap((record) => {
    if (!('wire' in record)) return [];
    const message = record.wire as { type: string; item?: { type: string; call_id?: string; role?: string; content?: { text: string }[] } };
    if (message.type === 'session.update') return [];
    const item = message.item;
    const detail =
      item === undefined ? '' : item.type === 'function_call_output' ? ` output(${item.call_id})` : ` ${item.role ?? item.type}`;
    return [`${record.t} ${message.type}${detail}`];
  });
}

function events(trace: TraceRecord[], type: string): Record<string, unknown>[] {
  return trace.flatMap((record) => ('event' in record && record.event.type === type ? [record.event] : []));
}

function stats(trace: TraceRecord[]): Record<string, unknown> {
  const record = trace.find((candidate) => 'stats' in candidate) as { stats: Record<string, unknown> };
  return record.stats;
}

describe('V2 tools: batches and response requests (spec 09 §8.3, the examples)', () => {
  it('one call: output when ready, then one response.create (its response is done)', async () => {
    const trace = await run(
      [{ name: 'get_weather', replies: reply(120, 'sunny') }],
      [created(20, 'resp_1'), itemDone(40, 'call_1', 'get_weather'), done(50, 'resp_1')],
    );
    expect(wire(trace)).to.deep.equal(['160 conversation.item.create output(call_1)', '160 response.create']);
  });

  it('parallel: outputs in ready order, one response.create after both', async () => {
    const trace = await run(
      [
        { name: 'a', replies: reply(50, 'A') },
        { name: 'b', replies: reply(200, 'B') },
      ],
      [created(10, 'resp_1'), itemDone(20, 'call_a', 'a'), itemDone(21, 'call_b', 'b'), done(30, 'resp_1')],
    );
    expect(wire(trace)).to.deep.equal([
      '70 conversation.item.create output(call_a)',
      '221 conversation.item.create output(call_b)',
      '221 response.create',
    ]);
  });

  it('ready before the end: one response.create at response.done', async () => {
    const trace = await run(
      [
        { name: 'a', replies: reply(2, 'A') },
        { name: 'b', replies: reply(1, 'B') },
      ],
      [created(10, 'resp_1'), itemDone(20, 'call_a', 'a'), itemDone(21, 'call_b', 'b'), done(30, 'resp_1')],
    );
    expect(wire(trace)).to.deep.equal([
      '22 conversation.item.create output(call_a)',
      '22 conversation.item.create output(call_b)',
      '30 response.create',
    ]);
  });

  it('gated: a request while a response is active waits for its response.done', async () => {
    const trace = await run(
      [{ name: 't', replies: reply(80, 'x') }],
      [
        created(10, 'resp_1'),
        itemDone(40, 'call_1', 't'),
        done(30, 'resp_1'),
        { at: 41, client: 'requestResponse' },
        created(50, 'resp_2'),
        done(400, 'resp_2'),
      ],
    );
    // call at t=40 after resp_1 ended: a batch of its own; ready at 120 while resp_2 is active
    expect(wire(trace)).to.deep.equal(['41 response.create', '120 conversation.item.create output(call_1)', '400 response.create']);
    expect(stats(trace).deferredResponseRequests).to.equal(1);
  });

  it('barge-in: a cancel call is answered as cancelled at once, a keep call when ready, and the batch asks nothing', async () => {
    const trace = await run(
      [
        { name: 'search_flights', onInterrupt: 'cancel', replies: reply(5000, 'flights') },
        { name: 'get_weather', replies: reply(1501, 'sunny') },
      ],
      [
        created(10, 'resp_1'),
        itemDone(20, 'call_s', 'search_flights'),
        itemDone(20, 'call_w', 'get_weather'),
        done(30, 'resp_1'),
        speech(500),
      ],
      6000,
    );
    expect(wire(trace)).to.deep.equal(['500 conversation.item.create output(call_s)', '1521 conversation.item.create output(call_w)']);
    const outputs = trace.flatMap((record) => ('wire' in record ? [record.wire as { item?: { output?: string } }] : []));
    expect(outputs[1]?.item?.output).to.equal('{"error":"tool `search_flights` was cancelled because the user interrupted"}');
    expect(stats(trace)).to.include({ cancelledToolCalls: 1, lateToolResults: 1 });
  });

  it('owing: a response created while an interrupted call is unanswered; the late keep output asks once after it', async () => {
    const trace = await run(
      [{ name: 'get_weather', replies: reply(3000, 'sunny') }],
      [
        created(10, 'resp_1'),
        itemDone(20, 'call_w', 'get_weather'),
        speech(40),
        done(45, 'resp_1', 'cancelled'),
        created(1000, 'resp_2'),
        done(3500, 'resp_2'),
      ],
      6000,
    );
    expect(wire(trace)).to.deep.equal(['3020 conversation.item.create output(call_w)', '3500 response.create']);
  });

  it('cut off: an incomplete call is answered "was not run" and a cancelled response asks nothing', async () => {
    const trace = await run(
      [{ name: 'get_weather', replies: reply(0, 'never used') }],
      [
        created(10, 'resp_1'),
        speech(18),
        outputItemDone(20, 'call_c', 'get_weather', 'resp_1', 'incomplete'),
        { at: 25, server: { type: 'response.cancelled', response: { id: 'resp_1' } } },
      ],
    );
    expect(wire(trace)).to.deep.equal(['20 conversation.item.create output(call_c)']);
    expect(events(trace, 'toolResult')).to.deep.equal([
      {
        type: 'toolResult',
        callId: 'call_c',
        name: 'get_weather',
        output: '{"error":"tool `get_weather` was not run: the call was cut off before it was complete"}',
        error: true,
        reason: 'cancelled',
      },
    ]);
  });

  it('cut off, the GA way: response.done with status cancelled closes the batch as interrupted; nothing is requested', async () => {
    const trace = await run(
      [{ name: 'get_weather', replies: reply(0, 'never used') }],
      [
        created(10, 'resp_1'),
        speech(18),
        outputItemDone(20, 'call_c', 'get_weather', 'resp_1', 'incomplete'),
        done(25, 'resp_1', 'cancelled'),
      ],
    );
    expect(wire(trace)).to.deep.equal(['20 conversation.item.create output(call_c)']);
  });

  it('outside a response: the call is its own batch, answered and followed by one response.create', async () => {
    const trace = await run([{ name: 't', replies: reply(10, 'x') }], [itemDone(20, 'call_1', 't')]);
    expect(wire(trace)).to.deep.equal(['30 conversation.item.create output(call_1)', '30 response.create']);
  });

  it('an unknown tool (Codex remain_silent) is answered at once and its complete batch asks once', async () => {
    const trace = await run([], [created(10, 'resp_1'), itemDone(20, 'call_r', 'remain_silent'), done(30, 'resp_1')]);
    expect(wire(trace)).to.deep.equal(['20 conversation.item.create output(call_r)', '30 response.create']);
  });
});

describe('V2 tools: sightings (spec 09 §2, §8.1, §8.2)', () => {
  it('output_item.done then item.done of one call: one toolCall, one run, one output (the echo); responseId from the frame', async () => {
    let runs = 0;
    const trace = await run(
      [{ name: 't', replies: [[{ afterMs: 5, output: 'x' }], [{ afterMs: 5, output: 'second run' }]] }],
      [created(10, 'resp_1'), outputItemDone(20, 'call_1', 't', 'resp_1'), itemDone(21, 'call_1', 't'), done(30, 'resp_1')],
    );
    runs = events(trace, 'toolResult').length;
    expect(runs).to.equal(1);
    expect(events(trace, 'toolCall')).to.deep.equal([
      { type: 'toolCall', callId: 'call_1', name: 't', arguments: '{}', itemId: 'item_call_1', responseId: 'resp_1' },
    ]);
    expect(events(trace, 'conversationItemDone')).to.deep.equal([{ type: 'conversationItemDone', itemId: 'item_call_1' }]);
    expect(wire(trace)).to.deep.equal(['25 conversation.item.create output(call_1)', '30 response.create']);
  });

  it('item.done: conversationItemDone first, then toolCall with the open response id', async () => {
    const trace = await run([], [created(10, 'resp_7'), itemDone(20, 'call_x', 'launch_rocket')]);
    const types = trace.flatMap((record) => ('event' in record ? [record.event.type] : []));
    expect(types.slice(types.indexOf('conversationItemDone'), types.indexOf('conversationItemDone') + 3)).to.deep.equal([
      'conversationItemDone',
      'toolCall',
      'toolResult',
    ]);
    expect(events(trace, 'toolCall')[0]).to.deep.include({ responseId: 'resp_7' });
  });

  it('a duplicate (another item with an admitted call id) is ignored and counted once', async () => {
    const trace = await run(
      [{ name: 't', replies: reply(5, 'x') }],
      [
        itemDone(20, 'call_1', 't'),
        { at: 21, server: { type: 'conversation.item.done', item: { ...callItem('call_1', 't'), id: 'item_other' } } },
        { at: 22, server: { type: 'conversation.item.done', item: { ...callItem('call_1', 't'), id: 'item_other' } } },
      ],
    );
    expect(events(trace, 'toolCall')).to.have.length(1);
    expect(wire(trace).filter((line) => line.includes('output('))).to.have.length(1);
    expect(stats(trace)).to.include({ duplicateToolCalls: 1, toolCalls: 1 });
  });

  it('a background tool: started output in its batch, the result as a system item with a response request (§5 example)', async () => {
    const trace = await run(
      [{ name: 'book_table', behavior: 'background', replies: reply(3000, 'Booked: Chez Marie, 20:00') }],
      [created(10, 'resp_1'), itemDone(20, 'call_bk', 'book_table'), done(30, 'resp_1'), created(40, 'resp_2'), done(100, 'resp_2')],
    );
    expect(wire(trace)).to.deep.equal([
      '20 conversation.item.create output(call_bk)',
      '30 response.create',
      '3020 conversation.item.create system',
      '3020 response.create',
    ]);
    const system = trace.flatMap((record) => ('wire' in record && record.t === 3020 ? [record.wire] : []))[0];
    expect(system).to.deep.equal({
      type: 'conversation.item.create',
      item: {
        type: 'message',
        role: 'system',
        content: [{ type: 'input_text', text: 'Result of background tool call call_bk (book_table):\n\nBooked: Chez Marie, 20:00' }],
      },
    });
    expect(events(trace, 'toolResult')).to.deep.equal([
      { type: 'toolResult', callId: 'call_bk', name: 'book_table', output: 'Booked: Chez Marie, 20:00', error: false, background: true },
    ]);
  });

  it('the handoff tool never reaches the tool runner', async () => {
    const trace = await run(
      [],
      [
        {
          at: 20,
          server: {
            type: 'conversation.item.done',
            item: { id: 'i', type: 'function_call', name: 'background_agent', call_id: 'h', arguments: '{"prompt":"x"}' },
          },
        },
      ],
    );
    expect(events(trace, 'toolCall')).to.deep.equal([]);
    expect(events(trace, 'handoffRequested')).to.have.length(1);
  });

  it("declares bound tools after the handoff tool and before the start options' tools (§1.4)", async () => {
    const trace = await run(
      [
        {
          name: 'current_time',
          description: 'The current time.',
          parameters: { type: 'object', properties: { timezone: { type: 'string' } } },
          replies: [],
        },
        { name: 'lookup_order', description: 'Order status.', timeoutMs: 60000, onInterrupt: 'cancel' },
      ],
      [],
      1000,
      { tools: [{ type: 'mcp', server_label: 'docs', server_url: 'https://mcp.example.com' }] },
    );
    const update = (
      trace.find((record) => 'wire' in record) as {
        wire: { session: { tools: { name?: string; server_label?: string }[]; tool_choice: string } };
      }
    ).wire;
    expect(update.session.tools.map((tool) => tool.name ?? tool.server_label)).to.deep.equal([
      'background_agent',
      'current_time',
      'docs',
      'lookup_order',
    ]);
    expect(update.session.tools[1]).to.deep.equal({
      type: 'function',
      name: 'current_time',
      description: 'The current time.',
      parameters: { type: 'object', properties: { timezone: { type: 'string' } } },
    });
    expect(update.session.tools[3]).to.deep.equal({
      type: 'function',
      name: 'lookup_order',
      description: 'Order status.',
      parameters: { type: 'object', properties: {} },
    });
    expect(update.session.tool_choice).to.equal('auto');
  });

  it('a bound tool named background_agent fails the V2 start', async () => {
    const trace = await run([{ name: 'background_agent', replies: [] }], []);
    expect(trace.find((record) => 'error' in record)).to.deep.equal({
      t: 0,
      error: {
        step: 'start',
        message: 'RealtimeTool `background_agent` has the name of the handoff tool Parley always declares; rename your tool',
        code: 'ERR_INVALID_SESSION',
      },
    });
  });
});
