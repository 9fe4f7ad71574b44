import { expect } from 'chai';
import { ContainerModule } from 'inversify';
import { RealtimeTool, type ToolCall } from '@parley/core';
import { parserLiveModule } from '@parley/parser-live';
import { advanceVirtualClock, type VirtualClock } from '@parley/testkit';
import { createHarness, settle, type Harness } from './support/harness.js';

/**
 * Responses mode through the real core (spec 08 "Responses mode", 09 §9): the start declaration,
 * the tool runner's events, and closing, on the harness's virtual clock.
 */

const STARTED = { type: 'session.started', session: { id: 'sess_1', model: 'gpt-live-1' } };
const RESPONSES = { delegation: 'responses' as const, responses: { model: 'gpt-5', reasoning: { effort: 'low' } } };

const signals: AbortSignal[] = [];

/** `get_weather`, answering `{"temp":22}` at t=300 on the virtual clock (spec 08's example). */
function weatherTool(clockOf: () => VirtualClock): RealtimeTool {
  return {
    name: 'get_weather',
    description: 'The weather in a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    execute: (_args, call: ToolCall) => {
      signals.push(call.signal);
      const clock = clockOf();
      return new Promise((resolve) => clock.setTimer(300 - clock.now(), () => resolve({ temp: 22 })));
    },
  };
}

function responsesHarness(): Harness {
  const ref: { clock?: VirtualClock } = {};
  const tools = new ContainerModule(({ bind }) => {
    bind(RealtimeTool).toConstantValue(weatherTool(() => ref.clock as VirtualClock));
  });
  const h = createHarness({ config: { realtime: { protocol: 'live', live: RESPONSES } }, modules: [parserLiveModule, tools] });
  ref.clock = h.clock;
  return h;
}

const rev = (event: Record<string, unknown>): Record<string, unknown> => ({ type: 'response.event', delegation_id: 'd1', event });

describe('live Responses mode through the core (spec 08 "Responses mode")', () => {
  beforeEach(() => (signals.length = 0));

  it('session.start declares the backend with its own tools, then bound tools, then start-option tools (Parley fields removed)', async () => {
    const h = responsesHarness();
    await h.manager.start({
      tools: [{ type: 'function', name: 'lookup_order', description: 'Order status.', parameters: { type: 'object' }, timeoutMs: 60000 }],
    });
    expect(h.wire()[0]).to.deep.equal({
      type: 'session.start',
      session: {
        model: 'gpt-live-1',
        audio: { format: { type: 'audio/pcm', rate: 24000 }, output: { voice: 'marin' } },
        delegation: {
          type: 'responses',
          responses: {
            model: 'gpt-5',
            reasoning: { effort: 'low' },
            tools: [
              {
                type: 'function',
                name: 'get_weather',
                description: 'The weather in a city.',
                parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
              },
              { type: 'function', name: 'lookup_order', description: 'Order status.', parameters: { type: 'object' } },
            ],
          },
        },
      },
    });
  });

  it('without realtime.live.responses.model the start fails with the exact message; nothing is connected', async () => {
    const h = createHarness({ config: { realtime: { protocol: 'live', live: { delegation: 'responses' } } }, modules: [parserLiveModule] });
    let failure: { code?: string; message: string } | undefined;
    await h.manager.start().catch((error: { code?: string; message: string }) => (failure = { code: error.code, message: error.message }));
    expect(failure).to.deep.equal({
      code: 'ERR_INVALID_SESSION',
      message: 'live responses delegation needs realtime.live.responses.model',
    });
    expect(h.transport.requests).to.have.length(0);
  });

  it("the spec's example: toolCall at t=120, responseDone at t=130, at t=300 response.item.create then response.create, then toolResult", async () => {
    const h = responsesHarness();
    await h.manager.start();
    h.server().serverJson(STARTED);
    await advanceVirtualClock(h.clock, 100);
    h.server().serverJson(rev({ type: 'response.created', response: { id: 'resp_1', output: [] } }));
    await advanceVirtualClock(h.clock, 110);
    h.server().serverJson(rev({ type: 'response.output_item.done', item: { id: 'rs_1', type: 'reasoning' } }));
    await advanceVirtualClock(h.clock, 120);
    h.server().serverJson(
      rev({
        type: 'response.output_item.done',
        item: {
          id: 'fc_1',
          type: 'function_call',
          status: 'completed',
          call_id: 'call_1',
          name: 'get_weather',
          arguments: '{"city":"Lisbon"}',
        },
      }),
    );
    await advanceVirtualClock(h.clock, 130);
    h.server().serverJson(rev({ type: 'response.completed', response: { id: 'resp_1', output: [] } }));
    await advanceVirtualClock(h.clock, 299);
    expect(h.wire()).to.have.length(1);
    await advanceVirtualClock(h.clock, 300);
    expect(h.wire().slice(1)).to.deep.equal([
      { type: 'response.item.create', item: { type: 'function_call_output', call_id: 'call_1', output: '{"temp":22}' } },
      { type: 'response.create' },
    ]);
    expect(h.events.slice(2)).to.deep.equal([
      { type: 'responseCreated', responseId: 'resp_1' },
      { type: 'toolCall', callId: 'call_1', name: 'get_weather', arguments: '{"city":"Lisbon"}', itemId: 'fc_1', responseId: 'resp_1' },
      { type: 'responseDone', responseId: 'resp_1', status: 'completed' },
      { type: 'toolResult', callId: 'call_1', name: 'get_weather', output: '{"temp":22}', error: false },
    ]);
    expect(h.manager.stats()).to.include({ toolCalls: 1, pendingToolCalls: 0, ignoredEvents: 1 });
  });

  it('close() with an open call: the call is aborted (ERR_CONVERSATION_ENDED), nothing but session.close is sent, its late result is counted', async () => {
    const h = responsesHarness();
    await h.manager.start();
    h.server().serverJson(STARTED);
    h.server().serverJson(rev({ type: 'response.created', response: { id: 'resp_1' } }));
    h.server().serverJson(
      rev({
        type: 'response.output_item.done',
        item: { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{}' },
      }),
    );
    h.server().serverJson(rev({ type: 'response.completed', response: { id: 'resp_1' } }));
    await advanceVirtualClock(h.clock, 100);
    const closing = h.manager.close();
    await settle();
    expect(signals[0]?.aborted).to.equal(true);
    expect((signals[0]?.reason as { code?: string }).code).to.equal('ERR_CONVERSATION_ENDED');
    expect(h.manager.stats()).to.include({ state: 'closing', pendingToolCalls: 0 });
    await advanceVirtualClock(h.clock, 400);
    expect(h.wire().slice(1)).to.deep.equal([{ type: 'session.close' }]);
    h.server().serverJson({ type: 'session.closed', reason: 'close_requested' });
    await closing;
    expect(h.of('toolResult')).to.deep.equal([]);
    expect(h.manager.stats()).to.include({ lateToolResults: 1 });
  });
});
