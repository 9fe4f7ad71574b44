/**
 * Conformance of Parley's own wire: every client message Parley's V2 strategy sends, in
 * conversations over real sockets against the demo simulator for each settings combination
 * (SETTINGS below), validates against the official `openai` `RealtimeClientEvent` at run time (the
 * generated schema, unknown fields forbidden) and at compile time (`tsc --strict`). What the
 * simulator answered in those conversations is checked against `RealtimeServerEvent` too.
 * The conversations drive every kind of message through the public API: session.update, user
 * text, microphone audio, response requests, a handoff with progress and final output, steering,
 * barge-in (truncate or delete).
 */
import { expect } from 'chai';
import {
  ConversationManager,
  createParleyContainer,
  HandoffDelegate,
  type ConversationEvent,
  type Delegation,
  type DelegationTurn,
} from '@parley/core';
import { parserV2Module } from '@parley/parser-v2';
import { RealtimeSimulator, silenceAudio, splitAudio, synthesizeSpeech, waitUntil } from '@parley/testkit';
import { wsTransportModule } from '@parley/transport-ws';
import { OpenAiEventValidator, withoutUntypedLiveFields } from './openai-schemas.js';
import { distinctEvents, typeCheckEvents } from './type-check.js';

/** One settings combination: a name and the `realtime` config it adds. */
interface Settings {
  name: string;
  realtime: Record<string, unknown>;
}

/**
 * The settings combinations the V2 strategy's messages are checked under.
 * (Transcription, turn detection, format and noise-reduction keys join this list with the
 * settings work of the V2 live-fidelity issue.)
 */
const SETTINGS: Settings[] = [
  { name: 'defaults', realtime: {} },
  { name: 'text output', realtime: { outputModality: 'text' } },
];

/** A delegate that reports progress, waits for the test's go, then answers. */
class SteppedDelegate implements HandoffDelegate {
  release: (() => void) | undefined;

  async delegate(_delegation: Delegation, turn: DelegationTurn): Promise<void> {
    await turn.output('Checking the weather service.');
    await new Promise<void>((resolve) => (this.release = resolve));
    await turn.output('It is sunny in Paris.');
    await turn.finish();
  }
}

describe('conformance: every client message Parley V2 sends is an official RealtimeClientEvent', function () {
  this.timeout(30000);
  const clientValidator = new OpenAiEventValidator('RealtimeClientEvent');
  const serverValidator = new OpenAiEventValidator('RealtimeServerEvent');
  const clientMessages = new Map<string, unknown[]>();
  let serverEvents: unknown[] = [];
  let simulator: RealtimeSimulator | undefined;
  let manager: ConversationManager | undefined;

  afterEach(async () => {
    await manager?.close();
    manager = undefined;
    await simulator?.close();
    simulator = undefined;
  });

  for (const settings of SETTINGS) {
    it(`${settings.name}: text, handoff with progress, steering, audio, barge-in`, async () => {
      simulator = new RealtimeSimulator({
        protocol: 'v2',
        mode: 'demo',
        speed: 10,
        transcripts: ['please ask the agent about the weather', 'stop please'],
        answer: () => 'Once upon a time there was a long story that went on and on for quite a while.',
      });
      simulator.on('sent', (_connection, event) => serverEvents.push(event));
      const { url } = await simulator.start();
      const container = createParleyContainer({
        config: { realtime: { protocol: 'v2', url, ...settings.realtime }, log: { level: 'silent' } },
        modules: [parserV2Module, wsTransportModule],
      });
      const delegate = new SteppedDelegate();
      container.bind(HandoffDelegate).toConstantValue(delegate);
      manager = container.get(ConversationManager);
      const events: ConversationEvent[] = [];
      manager.on((event) => events.push(event));
      const running = manager;
      await running.start({ instructions: 'be brief' });
      const until = (predicate: () => boolean, what: string): Promise<void> => waitUntil(predicate, what, 8000);
      const count = (type: string): number => events.filter((event) => event.type === type).length;

      // User text and a response.
      await running.sendText('hello there');
      await running.requestResponse();
      await until(() => count('responseDone') >= 1, 'the first response');
      // A handoff: progress, steering while it runs, then the final output and the spoken result.
      await running.sendText('Please ask the agent to look up the weather in Paris');
      await running.requestResponse();
      await until(() => count('delegationStarted') >= 1 && delegate.release !== undefined, 'the delegation');
      await running.sendText('And ask the agent about tomorrow too');
      await running.requestResponse();
      await until(() => count('delegationStarted') >= 2, 'the steering delegation');
      delegate.release?.();
      const wire = (): { type: string; item?: { type?: string } }[] =>
        (simulator?.connections[0]?.messages ?? []) as { type: string; item?: { type?: string } }[];
      await until(() => wire().some((m) => m.item?.type === 'function_call_output'), 'the final output');
      // Microphone audio, and (with audio output) speech while the assistant talks: barge-in.
      const spoken = settings.realtime['outputModality'] !== 'text';
      await running.sendText('tell me a story');
      await running.requestResponse();
      if (spoken) await until(() => count('audioOut') >= 5, 'the story audio');
      const responsesBefore = count('responseDone');
      for (const frame of splitAudio(Buffer.concat([synthesizeSpeech('stop please'), silenceAudio(700)]))) {
        running.sendAudio({ data: frame.toString('base64') });
      }
      const messages = wire;
      if (spoken) {
        await until(
          () => messages().some((m) => m.type === 'conversation.item.truncate' || m.type === 'conversation.item.delete'),
          'the barge-in',
        );
      } else {
        await until(() => count('responseDone') >= responsesBefore + 2, 'the answer to the audio turn');
      }
      await running.close();
      clientMessages.set(settings.name, [...messages()]);

      const problems = messages().flatMap((message) => clientValidator.validate(message).map((problem) => `${message.type}: ${problem}`));
      expect(problems).to.deep.equal([]);
      const types = new Set(messages().map((message) => message.type));
      expect([...types]).to.include.members(['session.update', 'conversation.item.create', 'response.create', 'input_audio_buffer.append']);
      // The only error allowed is the non-fatal active-response race (an automatic VAD response can
      // meet Parley's request on the wire, as live).
      const errors = events.filter((event) => event.type === 'error') as { fatal: boolean; message: string }[];
      expect(
        errors.filter((error) => error.fatal || !error.message.startsWith('Conversation already has an active response')),
      ).to.deep.equal([]);
    });
  }

  it('the simulator answered every one of these conversations with official RealtimeServerEvents', () => {
    const problems = serverEvents.flatMap((event) =>
      serverValidator.validate(withoutUntypedLiveFields(event)).map((problem) => `${(event as { type: string }).type}: ${problem}`),
    );
    expect(serverEvents.length).to.be.greaterThan(100);
    expect([...new Set(problems)]).to.deep.equal([]);
    serverEvents = [];
  });

  it('every recorded client message type-checks as RealtimeClientEvent[] under tsc --strict', function () {
    this.timeout(60000);
    const all = [...clientMessages.values()].flat();
    const distinct = distinctEvents(all);
    const kinds = new Set(all.map((message) => (message as { type: string }).type));
    console.log(
      `      ${all.length} client messages from ${clientMessages.size} settings combinations validated at run time; ${distinct.length} distinct (${kinds.size} types) type-checked`,
    );
    expect(typeCheckEvents('client-messages', 'RealtimeClientEvent', distinct)).to.deep.equal([]);
  });
});
