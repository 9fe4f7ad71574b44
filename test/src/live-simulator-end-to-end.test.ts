import { expect } from 'chai';
import {
  ConversationManager,
  createParleyContainer,
  HandoffDelegate,
  RealtimeTool,
  type ConversationEvent,
  type HandoffDelegate as Delegate,
} from '@parley/core';
import { parserLiveModule } from '@parley/parser-live';
import { RealtimeSimulator, splitAudio, synthesizeSpeech, waitUntil } from '@parley/testkit';
import { wsTransportModule } from '@parley/transport-ws';

function until(predicate: () => boolean, timeoutMs = 8000): Promise<void> {
  return waitUntil(predicate, 'the condition', timeoutMs);
}

/** A delegate that answers each request once and finishes. */
function answering(answer: (text: string) => string): Delegate {
  return {
    delegate: async (delegation, turn) => {
      await turn.output(answer(delegation.text));
      await turn.finish();
    },
  };
}

describe('live: Parley against the simulator, end to end on real sockets', function () {
  this.timeout(20000);
  let simulator: RealtimeSimulator | undefined;
  const managers: ConversationManager[] = [];

  afterEach(async () => {
    for (const manager of managers.splice(0)) await manager.close();
    await simulator?.close();
    simulator = undefined;
  });

  async function connect(
    delegate: Delegate | undefined,
    live: Record<string, unknown> = {},
    transcripts?: string[],
    speed = 20,
    tools: RealtimeTool[] = [],
  ): Promise<{ manager: ConversationManager; events: ConversationEvent[] }> {
    simulator = new RealtimeSimulator({
      protocol: 'live',
      mode: 'demo',
      speed,
      handoffLateMs: 80,
      ...(transcripts ? { transcripts } : {}),
    });
    const { url } = await simulator.start();
    const container = createParleyContainer({
      config: { realtime: { protocol: 'live', url, live: { delegationGraceMs: 5000, ...live } }, log: { level: 'silent' } },
      modules: [parserLiveModule, wsTransportModule],
    });
    if (delegate !== undefined) container.bind(HandoffDelegate).toConstantValue(delegate);
    for (const tool of tools) container.bind(RealtimeTool).toConstantValue(tool);
    const manager = container.get(ConversationManager);
    managers.push(manager);
    const events: ConversationEvent[] = [];
    manager.on((event) => events.push(event));
    await manager.start({ instructions: 'test' });
    return { manager, events };
  }

  it('the late words of a delegation are caught: routed when the transcript reaches its offset, the answer spoken back, then the close handshake', async () => {
    const { manager, events } = await connect(answering(() => 'Sunny in Lisbon.'));
    const handshake = simulator!.handshakes[0]!;
    expect(handshake).to.include({ path: '/v1/live/sessions', accepted: true });
    expect(handshake.query).to.deep.equal({});
    expect(handshake.headers['openai-alpha']).to.equal(undefined);
    await until(() => events.some((event) => event.type === 'sessionUpdated'));

    await manager.sendText('please look up the weather in Lisbon today');
    await manager.requestResponse();
    await until(() => events.some((event) => event.type === 'outputTranscriptDelta' && event.delta.includes('Lisbon.')));

    const handoff = events.find((event) => event.type === 'handoffRequested');
    expect(handoff).to.include({ handoffId: 'deleg_1', target: 'client' });
    // The instant take would have had only the words before the late ones.
    expect((handoff as { activeTranscript: unknown }).activeTranscript).to.deep.equal([
      { role: 'user', text: 'please look up the weather in' },
    ]);
    const routedAt = events.findIndex((event) => event.type === 'delegationStarted');
    expect(events[routedAt]).to.deep.include({ handoffId: 'deleg_1', text: 'user: please look up the weather in Lisbon today' });
    // Routed right after the fragment that reached the offset: the transcript caught up (the grace is 5 s).
    const fragment = events[routedAt - 1] as { type: string; endMs?: number };
    expect(fragment.type).to.equal('inputTranscriptDelta');
    expect(fragment.endMs).to.equal((handoff as { offsetMs?: number }).offsetMs);
    // The answer went as thinking then commentary, acknowledged, and was spoken back.
    const channels = events.flatMap((event) => (event.type === 'contextAppended' ? [event.channel] : []));
    expect(channels).to.include.members(['thinking', 'commentary']);
    expect(events.some((event) => event.type === 'audioOut' && event.sampleRate === 24000 && event.numChannels === 1)).to.equal(true);
    expect(events.some((event) => event.type === 'error')).to.equal(false);

    await manager.close();
    expect(events.slice(-2).map((event) => event.type)).to.deep.equal(['sessionClosed', 'closed']);
    expect(events[events.length - 1]).to.deep.equal({ type: 'closed', reason: 'requested' });
    await until(() => simulator!.connections[0]!.open === false);
  });

  it('a long delegate answer is chunked within the server limit: no context_append_too_long', async () => {
    const sentence = 'The forecast for Lisbon says sunshine in the morning and light wind from the north in the afternoon. ';
    const { manager, events } = await connect(answering(() => sentence.repeat(40)));
    await until(() => events.some((event) => event.type === 'sessionUpdated'));
    await manager.sendText('agent, the long forecast please');
    await manager.requestResponse();
    await until(() => events.filter((event) => event.type === 'contextAppended' && event.channel === 'commentary').length >= 2);
    expect(events.filter((event) => event.type === 'error')).to.deep.equal([]);
    const thinking = simulator!.connections[0]!.messages.filter(
      (message) => (message as { type?: string }).type === 'session.thinking.append',
    );
    expect(thinking.length).to.be.greaterThan(2);
  });

  it('microphone speech is a user turn; speech while the model talks stops it (server-side barge-in)', async () => {
    const { manager, events } = await connect(undefined, {}, ['Tell me a long story about the sea and the ships', 'Stop please'], 4);
    await until(() => events.some((event) => event.type === 'sessionUpdated'));
    for (const chunk of splitAudio(synthesizeSpeech('tell me a long story about the sea', 600)))
      manager.sendAudio({ data: chunk.toString('base64') });
    await until(() => events.some((event) => event.type === 'outputTranscriptDelta'));
    const inputs = events.filter((event) => event.type === 'inputTranscriptDelta');
    expect(inputs.map((event) => (event as { delta: string }).delta).join('')).to.equal('Tell me a long story about the sea and the ships');
    for (const chunk of splitAudio(synthesizeSpeech('stop please', 600))) manager.sendAudio({ data: chunk.toString('base64') });
    await until(() => events.filter((event) => event.type === 'inputTranscriptDelta').length > inputs.length);
    // The second answer is spoken to its end...
    await until(() => events.some((event) => event.type === 'outputTranscriptDelta' && event.delta.includes('please.')));
    const spoken = events
      .filter((event) => event.type === 'outputTranscriptDelta')
      .map((event) => (event as { delta: string }).delta)
      .join('');
    // ...while the first was cut: only a beginning of it was sent, never its last words.
    expect(spoken.endsWith('You said: Stop please.'), spoken).to.equal(true);
    const first = spoken.slice(0, spoken.length - 'You said: Stop please.'.length);
    expect('You said: Tell me a long story about the sea and the ships.'.startsWith(first), spoken).to.equal(true);
    expect(first, spoken).to.not.contain('ships');
  });
  it('Responses mode: the backend calls the bound tool, Parley runs it, answers with response.item.create, then one response.create, and the model speaks the output', async () => {
    const requests: unknown[] = [];
    const weather: RealtimeTool = {
      name: 'get_weather',
      description: 'The weather for a request.',
      parameters: { type: 'object', properties: { request: { type: 'string' } }, required: ['request'] },
      execute: async (args) => {
        requests.push(args);
        return 'Sunny and 22 degrees in Lisbon.';
      },
    };
    const { manager, events } = await connect(undefined, { delegation: 'responses', responses: { model: 'gpt-5' } }, undefined, 20, [
      weather,
    ]);
    await until(() => events.some((event) => event.type === 'sessionUpdated'));
    const start = simulator!.connections[0]!.messages[0] as { session: { delegation: unknown } };
    expect(start.session.delegation).to.deep.equal({
      type: 'responses',
      responses: {
        model: 'gpt-5',
        tools: [
          {
            type: 'function',
            name: 'get_weather',
            description: 'The weather for a request.',
            parameters: { type: 'object', properties: { request: { type: 'string' } }, required: ['request'] },
          },
        ],
      },
    });
    await manager.sendText('please look up the weather in Lisbon today');
    await manager.requestResponse();
    await until(() => events.some((event) => event.type === 'outputTranscriptDelta' && event.delta.includes('Lisbon.')));

    expect(events.find((event) => event.type === 'handoffRequested')).to.include({ handoffId: 'deleg_1', target: 'responses' });
    expect(events.some((event) => event.type === 'delegationStarted')).to.equal(false);
    expect(requests).to.deep.equal([{ request: 'please look up the weather in Lisbon today' }]);
    const tools = events.filter((event) => event.type === 'toolCall' || event.type === 'toolResult');
    expect(tools).to.deep.equal([
      {
        type: 'toolCall',
        callId: 'call_1',
        name: 'get_weather',
        arguments: '{"request":"please look up the weather in Lisbon today"}',
        itemId: 'fc_1',
        responseId: 'resp_1',
      },
      { type: 'toolResult', callId: 'call_1', name: 'get_weather', output: 'Sunny and 22 degrees in Lisbon.', error: false },
    ]);
    const sent = simulator!.connections[0]!.messages.filter((message) => /^response\./.test((message as { type: string }).type));
    expect(sent).to.deep.equal([
      {
        type: 'response.item.create',
        item: { type: 'function_call_output', call_id: 'call_1', output: 'Sunny and 22 degrees in Lisbon.' },
      },
      { type: 'response.create' },
    ]);
    expect(events.filter((event) => event.type === 'responseDone')).to.deep.equal([
      { type: 'responseDone', responseId: 'resp_1', status: 'completed' },
      { type: 'responseDone', responseId: 'resp_2', status: 'completed' },
    ]);
    expect(events.some((event) => event.type === 'error')).to.equal(false);
    expect(manager.stats()).to.include({ toolCalls: 1, pendingToolCalls: 0 });
    await manager.close();
    expect(events[events.length - 1]).to.deep.equal({ type: 'closed', reason: 'requested' });
  });
});
