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
import { pcm24kToG711, RealtimeSimulator, silenceAudio, synthesizeSpeech, waitUntil, type G711Law } from '@parley/testkit';
import { wsTransportModule } from '@parley/transport-ws';
import { OpenAiEventValidator, withoutUntypedLiveFields } from './openai-schemas.js';
import { distinctEvents, typeCheckEvents } from './type-check.js';

/** One settings combination: a name, the `realtime` config it adds, and how the conversation runs. */
interface Settings {
  name: string;
  realtime: Record<string, unknown>;
  /** Microphone audio in G.711 (the `realtime.audio.format`). */
  law?: G711Law;
  /** Text output: no assistant audio, so no barge-in. */
  textOutput?: boolean;
  /** Push-to-talk: the user's turn ends with commitInput(), and clearInput() is exercised. */
  pushToTalk?: boolean;
  /** The VAD turn is not answered by itself (createResponse false): Parley asks. */
  manualResponse?: boolean;
  /** No barge-in (interruptResponse false). */
  noBargeIn?: boolean;
  /** A transcription session: only audio, commits and clears. */
  transcription?: boolean;
}

/** The settings combinations the V2 strategy's messages are checked under (spec 03's session settings). */
const SETTINGS: Settings[] = [
  { name: 'defaults (transcription, server VAD, near-field noise reduction, pcm16)', realtime: {} },
  { name: 'text output', realtime: { outputModality: 'text' }, textOutput: true },
  {
    name: 'transcription off, noise reduction off',
    realtime: { v2: { transcription: { model: '' }, noiseReduction: 'off' } },
  },
  {
    name: 'transcription with language and prompt, far-field',
    realtime: {
      v2: { transcription: { model: 'gpt-4o-transcribe', language: 'en', prompt: 'weather words' }, noiseReduction: 'far_field' },
    },
  },
  {
    name: 'server VAD with every parameter, no automatic response, no interruption',
    realtime: {
      v2: {
        turnDetection: {
          type: 'server_vad',
          threshold: 0.6,
          prefixPaddingMs: 200,
          silenceDurationMs: 500,
          idleTimeoutMs: 6000,
          createResponse: false,
          interruptResponse: false,
        },
      },
    },
    manualResponse: true,
    noBargeIn: true,
  },
  { name: 'semantic VAD, high eagerness', realtime: { v2: { turnDetection: { type: 'semantic_vad', eagerness: 'high' } } } },
  { name: 'push-to-talk (turn detection none)', realtime: { v2: { turnDetection: { type: 'none' } } }, pushToTalk: true, noBargeIn: true },
  { name: 'G.711 μ-law', realtime: { audio: { format: 'pcmu' } }, law: 'mulaw' },
  {
    name: 'G.711 A-law, push-to-talk',
    realtime: { audio: { format: 'pcma' }, v2: { turnDetection: { type: 'none' } } },
    law: 'alaw',
    pushToTalk: true,
    noBargeIn: true,
  },
  { name: 'transcription session', realtime: { mode: 'transcription' }, transcription: true },
  {
    name: 'transcription session, push-to-talk, G.711 μ-law, no noise reduction',
    realtime: { mode: 'transcription', audio: { format: 'pcmu' }, v2: { turnDetection: { type: 'none' }, noiseReduction: 'off' } },
    transcription: true,
    pushToTalk: true,
    law: 'mulaw',
  },
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
    it(`${settings.name}`, async () => {
      simulator = new RealtimeSimulator({
        protocol: 'v2',
        mode: 'demo',
        speed: 10,
        transcripts: ['stop please'],
        answer: () => 'Once upon a time there was a long story that went on and on for quite a while.',
      });
      simulator.on('sent', (_connection, event) => serverEvents.push(event));
      const { url } = await simulator.start();
      const firstEvent = serverEvents.length;
      const received = (type: string): number =>
        serverEvents.slice(firstEvent).filter((event) => (event as { type: string }).type === type).length;
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
      const wire = (): { type: string; item?: { type?: string } }[] =>
        (simulator?.connections[0]?.messages ?? []) as { type: string; item?: { type?: string } }[];
      const sent = (type: string): number => wire().filter((message) => message.type === type).length;
      const speak = (text: string): void => {
        const pcm = Buffer.concat([silenceAudio(100), synthesizeSpeech(text), silenceAudio(700)]);
        const audio = settings.law === undefined ? pcm : pcm24kToG711(pcm, settings.law);
        const chunk = settings.law === undefined ? 960 : 160;
        for (let offset = 0; offset < audio.length; offset += chunk) {
          running.sendAudio({ data: audio.subarray(offset, offset + chunk).toString('base64') });
        }
      };

      if (settings.transcription) {
        // A transcription session: audio in, transcripts out; commits and clears by hand.
        speak('dictation one');
        if (settings.pushToTalk) await running.commitInput();
        await until(() => received('conversation.item.input_audio_transcription.completed') === 1, 'the transcript');
        speak('dictation two');
        await running.clearInput();
        await until(() => sent('input_audio_buffer.clear') === 1, 'the clear');
      } else {
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
        await until(() => wire().some((m) => m.item?.type === 'function_call_output'), 'the final output');
        // Microphone audio: a turn (VAD, or push-to-talk with commit), answered by itself or on request.
        const done = count('responseDone');
        speak('what time is it');
        if (settings.pushToTalk) {
          await running.commitInput();
          speak('never mind');
          await running.clearInput();
        }
        if (settings.pushToTalk || settings.manualResponse) {
          await until(() => sent(settings.pushToTalk ? 'input_audio_buffer.commit' : 'input_audio_buffer.append') > 0, 'the audio');
          await until(() => received('input_audio_buffer.committed') > 0, 'the commit');
          await running.requestResponse();
        }
        await until(() => count('responseDone') > done, 'the answer to the audio turn');
        // Speech while the assistant talks: barge-in (truncate, or delete when nothing was heard).
        if (!settings.textOutput && !settings.noBargeIn) {
          await running.sendText('tell me a story');
          await running.requestResponse();
          await until(() => count('audioOut') >= 5, 'the story audio');
          speak('stop please');
          await until(
            () => wire().some((m) => m.type === 'conversation.item.truncate' || m.type === 'conversation.item.delete'),
            'the barge-in',
          );
        }
      }
      await running.close();
      const messages = wire();
      clientMessages.set(settings.name, [...messages]);
      const problems = messages.flatMap((message) => clientValidator.validate(message).map((problem) => `${message.type}: ${problem}`));
      expect(problems).to.deep.equal([]);
      expect(messages[0]?.type).to.equal('session.update');
      expect(sent('input_audio_buffer.append')).to.be.greaterThan(0);
      if (settings.pushToTalk) expect(sent('input_audio_buffer.commit')).to.be.greaterThan(0);
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
