/**
 * Tools end to end (issue 13): Parley (parser-v2 + the ws transport) against the simulator in V2
 * demo mode over real WebSockets on 127.0.0.1. The simulator calls the tools the user's text names
 * (spec 09 §13.1), Parley runs the bound one and the application answers the declared one, one
 * `response.create` follows, and the simulator speaks the outputs. Also the server VAD's idle
 * timeout (`inputAudioTimeoutTriggered`).
 */
import { expect } from 'chai';
import { ConversationManager, createParleyContainer, RealtimeTool, type ConversationEvent } from '@parley/core';
import { parserV2Module } from '@parley/parser-v2';
import { RealtimeSimulator, waitUntil } from '@parley/testkit';
import { wsTransportModule } from '@parley/transport-ws';

type Message = Record<string, unknown> & { type: string };

describe('tools end to end: Parley and the simulator over real WebSockets', function () {
  this.timeout(15000);
  let simulator: RealtimeSimulator | undefined;
  const managers: ConversationManager[] = [];

  afterEach(async () => {
    for (const manager of managers.splice(0)) await manager.close();
    await simulator?.close();
    simulator = undefined;
  });

  async function start(
    config: Record<string, unknown>,
    tools: RealtimeTool[],
  ): Promise<{ manager: ConversationManager; events: ConversationEvent[] }> {
    simulator = new RealtimeSimulator({ protocol: 'v2', mode: 'demo', speed: 50, host: '127.0.0.1', port: 0 });
    const { url } = await simulator.start();
    const container = createParleyContainer({
      config: { realtime: { protocol: 'v2', url, ...config }, log: { level: 'silent' } },
      modules: [parserV2Module, wsTransportModule],
    });
    for (const tool of tools) container.bind(RealtimeTool).toConstantValue(tool);
    const manager = container.get(ConversationManager);
    managers.push(manager);
    const events: ConversationEvent[] = [];
    manager.on((event) => events.push(event));
    return { manager, events };
  }

  function clientMessages(): Message[] {
    return (simulator?.connections[0]?.messages ?? []) as Message[];
  }

  it('a bound tool and a declared tool named by the user: called in one response, answered, one response.create, spoken', async () => {
    const executed: { args: unknown; callId: string }[] = [];
    const { manager, events } = await start({}, [
      {
        name: 'current_time',
        description: 'The current local time, HH:MM.',
        parameters: { type: 'object', properties: {} },
        execute: (args, call) => {
          executed.push({ args, callId: call.callId });
          return '10:15';
        },
      },
    ]);
    manager.on((event) => {
      if (event.type === 'toolCall' && event.name === 'lookup_order') {
        void manager.sendToolOutput(event.callId, { order_id: 'A-17', status: 'shipped' });
      }
    });
    await manager.start({
      tools: [
        {
          type: 'function',
          name: 'lookup_order',
          description: 'Order status.',
          parameters: {
            type: 'object',
            properties: { order_id: { type: 'string', examples: ['A-17'] } },
            required: ['order_id'],
          },
          timeoutMs: 5000,
        },
      ],
    });
    await manager.sendText('What is the current time, and can you lookup order A-17?');
    await manager.requestResponse();
    await waitUntil(() => events.some((event) => event.type === 'outputTranscriptDone'), 'the spoken outputs', 5000);

    const toolEvents = events.filter((event) => event.type === 'toolCall' || event.type === 'toolResult');
    const calls = toolEvents.filter((event) => event.type === 'toolCall');
    expect(calls).to.deep.equal([
      { type: 'toolCall', callId: 'call_1', name: 'current_time', arguments: '{}', itemId: 'item_2', responseId: 'resp_1' },
      {
        type: 'toolCall',
        callId: 'call_2',
        name: 'lookup_order',
        arguments: '{"order_id":"A-17"}',
        itemId: 'item_3',
        responseId: 'resp_1',
      },
    ]);
    const results = toolEvents.filter((event) => event.type === 'toolResult');
    const expectedResults = {
      call_1: { type: 'toolResult', callId: 'call_1', name: 'current_time', output: '10:15', error: false },
      call_2: {
        type: 'toolResult',
        callId: 'call_2',
        name: 'lookup_order',
        output: '{"order_id":"A-17","status":"shipped"}',
        error: false,
      },
    };
    expect(results).to.have.length(2);
    expect(
      [...results].sort((a, b) => (a.type === 'toolResult' && b.type === 'toolResult' ? a.callId.localeCompare(b.callId) : 0)),
    ).to.deep.equal(Object.values(expectedResults));
    // Both calls were admitted before either was answered; the bound tool ran once with {}.
    expect(toolEvents.slice(0, 2).map((event) => event.type)).to.deep.equal(['toolCall', 'toolCall']);
    expect(executed).to.deep.equal([{ args: {}, callId: 'call_1' }]);

    // The wire, client side: the user text, the request, one output per call (in the order of the
    // toolResult events), then exactly one response.create.
    const order = results.map((event) => (event.type === 'toolResult' ? event.callId : ''));
    const outputs = order.map((callId) => expectedResults[callId as keyof typeof expectedResults].output);
    expect(clientMessages().slice(1)).to.deep.equal([
      {
        type: 'conversation.item.create',
        item: {
          type: 'message',
          role: 'user',
          content: [{ type: 'input_text', text: 'What is the current time, and can you lookup order A-17?' }],
        },
      },
      { type: 'response.create' },
      ...order.map((callId, index) => ({
        type: 'conversation.item.create',
        item: { type: 'function_call_output', call_id: callId, output: outputs[index] },
      })),
      { type: 'response.create' },
    ]);
    expect(clientMessages()[0]).to.include({ type: 'session.update' });

    // The simulator speaks both outputs, in arrival order, at the response Parley asked for.
    const spoken = events.filter((event) => event.type === 'outputTranscriptDone');
    expect(spoken).to.have.length(1);
    expect(spoken[0]).to.include({ text: outputs.join(' ') });
    const stats = manager.stats();
    expect(stats).to.deep.include({ toolCalls: 2, toolErrors: 0, pendingToolCalls: 0, duplicateToolCalls: 0, lateToolResults: 0 });
  });

  it('a bound tool that throws: its error output is sent, one response.create, and the simulator apologises', async () => {
    const { manager, events } = await start({}, [
      {
        name: 'current_time',
        description: 'The current local time, HH:MM.',
        parameters: { type: 'object', properties: {} },
        execute: () => {
          throw new Error('clock down');
        },
      },
    ]);
    await manager.start();
    await manager.sendText('current time please');
    await manager.requestResponse();
    await waitUntil(() => events.some((event) => event.type === 'outputTranscriptDone'), 'the spoken error', 5000);
    expect(events.find((event) => event.type === 'toolResult')).to.deep.equal({
      type: 'toolResult',
      callId: 'call_1',
      name: 'current_time',
      output: '{"error":"tool `current_time` failed: clock down"}',
      error: true,
      reason: 'failed',
    });
    expect(events.find((event) => event.type === 'outputTranscriptDone')).to.include({
      text: 'Sorry, that did not work: tool `current_time` failed: clock down',
    });
    expect(clientMessages().filter((message) => message.type === 'response.create')).to.have.length(2);
  });

  it('the idle timeout: inputAudioTimeoutTriggered is delivered (not skipped) and the server prompts the user', async () => {
    const { manager, events } = await start({ v2: { turnDetection: { type: 'server_vad', idleTimeoutMs: 500 } } }, []);
    await manager.start();
    await manager.sendText('hi');
    await manager.requestResponse();
    await waitUntil(() => events.filter((event) => event.type === 'outputTranscriptDone').length === 2, 'the prompt', 5000);
    const update = clientMessages()[0]?.['session'] as { audio: { input: { turn_detection: unknown } } };
    expect(update.audio.input.turn_detection).to.deep.include({ type: 'server_vad', idle_timeout_ms: 500 });
    const timeout = events.find((event) => event.type === 'inputAudioTimeoutTriggered');
    expect(timeout).to.deep.equal({ type: 'inputAudioTimeoutTriggered', audioStartMs: 0, audioEndMs: 0, itemId: 'item_3' });
    const after = events.slice(events.indexOf(timeout as ConversationEvent));
    expect(after.find((event) => event.type === 'inputAudioCommitted')).to.include({ itemId: 'item_3' });
    expect(after.find((event) => event.type === 'outputTranscriptDone')).to.include({ text: 'Are you still there?' });
    // The prompt was the server's own response: Parley asked for one response only.
    expect(clientMessages().filter((message) => message.type === 'response.create')).to.have.length(1);
  });
});
