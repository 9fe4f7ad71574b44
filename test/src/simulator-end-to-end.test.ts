import { expect } from 'chai';
import {
  ConversationManager,
  createParleyContainer,
  HandoffDelegate,
  type ConversationEvent,
  type HandoffDelegate as Delegate,
} from '@parley/core';
import { parserV1Module } from '@parley/parser-v1';
import { parserV2Module } from '@parley/parser-v2';
import { RealtimeSimulator, splitAudio, synthesizeSpeech, type RealtimeSimulatorOptions } from '@parley/testkit';
import { wsTransportModule } from '@parley/transport-ws';
import { waitUntil } from '@parley/testkit';

function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  return waitUntil(predicate, 'the condition', timeoutMs);
}

describe('Parley against the simulator, end to end on real sockets', function () {
  this.timeout(15000);
  let simulator: RealtimeSimulator | undefined;
  const managers: ConversationManager[] = [];

  afterEach(async () => {
    for (const manager of managers.splice(0)) await manager.close();
    await simulator?.close();
    simulator = undefined;
  });

  async function connect(
    options: RealtimeSimulatorOptions,
    config: Record<string, unknown> = {},
    delegate?: Delegate,
  ): Promise<{ manager: ConversationManager; events: ConversationEvent[] }> {
    simulator = new RealtimeSimulator(options);
    const { url } = await simulator.start();
    const container = createParleyContainer({
      config: { realtime: { protocol: options.protocol, url, ...config }, log: { level: 'silent' } },
      modules: [parserV1Module, parserV2Module, wsTransportModule],
    });
    if (delegate !== undefined) container.bind(HandoffDelegate).toConstantValue(delegate);
    const manager = container.get(ConversationManager);
    managers.push(manager);
    const events: ConversationEvent[] = [];
    manager.on((event) => events.push(event));
    await manager.start({ instructions: 'test' });
    return { manager, events };
  }

  it('v1: the late deltas the simulator sends after the handoff are delegated with it (grace)', async () => {
    const { manager, events } = await connect(
      { protocol: 'v1', mode: 'demo', speed: 50, handoffLateMs: 60 },
      { v1: { handoffGraceMs: 400 } },
    );
    await manager.sendText('please look up the weather in Paris');
    await until(() => events.some((event) => event.type === 'delegationStarted'));
    const handoff = events.find((event) => event.type === 'handoffRequested');
    const delegation = events.find((event) => event.type === 'delegationStarted');
    expect(handoff).to.include({ inputTranscript: 'please look up the weather in Paris' });
    // The handoff event came before the tail of the user's words and the assistant's "On it."...
    const handoffIndex = events.indexOf(handoff as ConversationEvent);
    expect(events.slice(handoffIndex).some((event) => event.type === 'outputTranscriptDelta')).to.equal(true);
    // ...and the delegation, after the grace, carries them.
    expect(delegation).to.deep.include({
      steering: false,
      text: 'user: please look up the weather in Paris\nassistant: On it.',
    });
  });

  it('v1 scripted: batch i after the (i+1)-th client message, through the real transport, in order', async () => {
    const { manager, events } = await connect({
      protocol: 'v1',
      mode: 'scripted',
      replies: [
        [{ type: 'session.updated', session: { id: 'sess_scripted' } }],
        [
          { type: 'conversation.output_transcript.delta', delta: 'hi ' },
          { type: 'conversation.output_transcript.delta', delta: 'there' },
        ],
      ],
    });
    await manager.sendText('hello');
    await until(() => events.filter((event) => event.type === 'outputTranscriptDelta').length === 2);
    expect(events.map((event) => event.type)).to.deep.equal([
      'started',
      'sessionUpdated',
      'outputTranscriptDelta',
      'outputTranscriptDelta',
    ]);
    expect(simulator?.handshakes[0]?.query.intent).to.equal('quicksilver');
  });

  it("v2: the simulator's real active-response rejection is a race: non-fatal, and the request is retried after done", async () => {
    const rejection = {
      type: 'error',
      event_id: 'event_9',
      error: {
        type: 'invalid_request_error',
        code: 'conversation_already_has_active_response',
        message:
          'Conversation already has an active response in progress: resp_1. Wait until the response is finished before creating a new one.',
        param: null,
        event_id: null,
      },
    };
    const { manager, events } = await connect({
      protocol: 'v2',
      mode: 'scripted',
      replies: [[], [rejection, { type: 'response.done', response: { id: 'resp_1', status: 'completed' } }]],
    });
    await manager.requestResponse();
    await until(() => events.some((event) => event.type === 'responseDone'));
    await until(() => (simulator?.connections[0]?.messages.length ?? 0) >= 3);
    expect(events.find((event) => event.type === 'error')).to.deep.equal({
      type: 'error',
      message: rejection.error.message,
      code: 'conversation_already_has_active_response',
      fatal: false,
    });
    expect(manager.running).to.equal(true);
    expect(simulator?.connections[0]?.messages.map((message) => (message as { type: string }).type)).to.deep.equal([
      'session.update',
      'response.create',
      'response.create',
    ]);
    expect(manager.stats().raceErrors).to.equal(1);
  });

  it('v2: speech while the assistant talks truncates the assistant item at what was received and played', async () => {
    const { manager, events } = await connect({
      protocol: 'v2',
      mode: 'demo',
      speed: 2,
      answer: () => 'Once upon a time there was a very long story that goes on and on and on for quite a while.',
      transcripts: ['stop please'],
    });
    await manager.sendText('tell me a story');
    await manager.requestResponse();
    await until(() => events.filter((event) => event.type === 'audioOut').length >= 5);
    const item = (events.find((event) => event.type === 'audioOut') as { itemId: string }).itemId;
    manager.reportPlayback(item, 30);
    for (const frame of splitAudio(synthesizeSpeech('stop please', 500))) {
      manager.sendAudio({ data: frame.toString('base64') });
    }
    await until(() => events.some((event) => event.type === 'inputAudioSpeechStarted'));
    const messages = () => (simulator?.connections[0]?.messages ?? []) as { type: string; item_id?: string; audio_end_ms?: number }[];
    await until(() => messages().some((message) => message.type === 'conversation.item.truncate'));
    const truncate = messages().find((message) => message.type === 'conversation.item.truncate');
    expect(truncate).to.deep.equal({ type: 'conversation.item.truncate', item_id: item, content_index: 0, audio_end_ms: 30 });
    expect(manager.stats().truncations).to.equal(1);
  });
});
