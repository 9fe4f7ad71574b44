/**
 * Clients nobody here wrote, against the simulator: the `openai` package's `OpenAIRealtimeWS`
 * (which requires `wss:`, so the simulator serves TLS on loopback with a generated self-signed
 * certificate) runs a text turn and an audio turn; an `@openai/agents-realtime` `RealtimeSession`
 * with one function tool runs a voice turn, a tool call and a barge-in with no error event.
 */
import { RealtimeAgent, RealtimeSession, tool } from '@openai/agents-realtime';
import { expect } from 'chai';
import { OpenAI } from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import type { RealtimeServerEvent } from 'openai/resources/realtime/realtime';
import { z } from 'zod';
import { RealtimeSimulator, silenceAudio, synthesizeSpeech, type RealtimeSimulatorOptions } from '@parley/testkit';
import { OpenAiEventValidator, withoutUntypedLiveFields } from './openai-schemas.js';

/** Resolves when `predicate` holds, polling every 10 ms; rejects after `timeoutMs` with `what`. */
async function until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function utterance(text: string): Buffer {
  return Buffer.concat([silenceAudio(100), synthesizeSpeech(text), silenceAudio(700)]);
}

describe('conformance: official clients against the simulator', function () {
  this.timeout(20000);
  const validator = new OpenAiEventValidator('RealtimeServerEvent');
  let simulator: RealtimeSimulator | undefined;
  let sent: unknown[] = [];
  const closers: (() => void)[] = [];

  async function start(options: Partial<RealtimeSimulatorOptions>): Promise<string> {
    simulator = new RealtimeSimulator({ protocol: 'v2', mode: 'demo', speed: 20, ...options });
    sent = [];
    simulator.on('sent', (_connection, event) => sent.push(event));
    return (await simulator.start()).url;
  }

  function invalidSent(): string[] {
    return sent.flatMap((event) =>
      validator.validate(withoutUntypedLiveFields(event)).map((problem) => `${(event as { type: string }).type}: ${problem}`),
    );
  }

  afterEach(async () => {
    for (const close of closers.splice(0)) close();
    await simulator?.close();
    simulator = undefined;
  });

  describe('openai OpenAIRealtimeWS over wss on 127.0.0.1', () => {
    async function connect(): Promise<{ rt: OpenAIRealtimeWS; events: RealtimeServerEvent[]; errors: string[] }> {
      const url = await start({ tls: true });
      expect(url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
      const client = new OpenAI({ apiKey: 'sk-simulator', baseURL: `${url}/v1` });
      const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime', options: { ca: simulator?.certificate } }, client);
      closers.push(() => rt.close());
      const events: RealtimeServerEvent[] = [];
      const errors: string[] = [];
      rt.on('event', (event) => events.push(event));
      rt.on('error', (error) => errors.push(error.message));
      await new Promise<void>((resolve, reject) => {
        rt.socket.once('open', () => resolve());
        rt.socket.once('error', reject);
      });
      expect(rt.url.protocol).to.equal('wss:');
      return { rt, events, errors };
    }

    it('a text turn: session.update, a user message, response.create → the text answer, response.done completed with usage', async () => {
      const { rt, events, errors } = await connect();
      rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'], instructions: 'be brief' } });
      rt.send({
        type: 'conversation.item.create',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi there' }] },
      });
      rt.send({ type: 'response.create' });
      await until(() => events.some((event) => event.type === 'rate_limits.updated'), 'rate_limits.updated');
      const text = events.find((event) => event.type === 'response.output_text.done');
      expect(text?.type === 'response.output_text.done' && text.text).to.equal('You said: hi there.');
      const done = events.find((event) => event.type === 'response.done');
      expect(done?.type === 'response.done' && done.response.status).to.equal('completed');
      expect(done?.type === 'response.done' && done.response.usage?.total_tokens).to.be.greaterThan(0);
      expect(errors).to.deep.equal([]);
      expect(invalidSent()).to.deep.equal([]);
    });

    it('an audio turn: microphone audio → VAD turn, transcript (configured), spoken answer with audio', async () => {
      const { rt, events, errors } = await connect();
      rt.send({
        type: 'session.update',
        session: { type: 'realtime', audio: { input: { transcription: { model: 'gpt-4o-mini-transcribe' } } } },
      });
      const audio = utterance('what time is it');
      for (let offset = 0; offset < audio.length; offset += 960) {
        rt.send({ type: 'input_audio_buffer.append', audio: audio.subarray(offset, offset + 960).toString('base64') });
      }
      await until(() => events.some((event) => event.type === 'rate_limits.updated'), 'rate_limits.updated');
      const types = events.map((event) => event.type);
      expect(types).to.include.members([
        'input_audio_buffer.speech_started',
        'input_audio_buffer.speech_stopped',
        'input_audio_buffer.committed',
        'conversation.item.input_audio_transcription.completed',
        'response.output_audio.delta',
        'response.output_audio_transcript.done',
      ]);
      const transcript = events.find((event) => event.type === 'conversation.item.input_audio_transcription.completed');
      expect(transcript?.type === 'conversation.item.input_audio_transcription.completed' && transcript.transcript).to.equal(
        'Hello, can you hear me?',
      );
      expect(errors).to.deep.equal([]);
      expect(invalidSent()).to.deep.equal([]);
    });
  });

  describe('@openai/agents-realtime RealtimeSession (websocket transport)', () => {
    it('one function tool: a voice turn, a tool call answered by the tool, a barge-in — no error event', async () => {
      const story =
        'Once upon a time a small boat left the harbour at dawn and sailed far across the calm silver sea until the evening came';
      const url = await start({ speed: 4, answer: (text) => (/story/i.test(text) ? story : `You said: ${text}`) });
      // A user tool only (no background_agent): the simulator calls it when the user names it.
      const getWeather = tool({
        name: 'get_weather',
        description: 'The weather in a city.',
        parameters: z.object({ city: z.string() }),
        execute: async ({ city }) => `Sunny in ${city === '' ? 'Paris' : city}.`,
      });
      const agent = new RealtimeAgent({ name: 'assistant', instructions: 'be brief', tools: [getWeather] });
      const session = new RealtimeSession(agent, {
        transport: 'websocket',
        model: 'gpt-realtime',
        config: { audio: { input: { transcription: { model: 'gpt-4o-mini-transcribe' } } } },
      });
      closers.push(() => session.close());
      const errors: string[] = [];
      const seen: string[] = [];
      const toolResults: string[] = [];
      session.on('error', (error) => errors.push(JSON.stringify(error.error)));
      session.on('audio_interrupted', () => seen.push('audio_interrupted'));
      session.on('agent_tool_end', (_context, _agent, called, result) => toolResults.push(`${called.name}: ${result}`));
      session.transport.on('*', (event) => seen.push(event.type));
      await session.connect({ apiKey: 'sk-simulator', url: `${url.replace(/^http/, 'ws')}/v1/realtime?model=gpt-realtime` });
      const sendAudio = (pcm: Buffer): void => {
        for (let offset = 0; offset < pcm.length; offset += 960) {
          const chunk = pcm.subarray(offset, offset + 960);
          session.sendAudio(chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.length) as ArrayBuffer);
        }
      };
      const responses = (): number => seen.filter((type) => type === 'response.done').length;

      // 1. A voice turn.
      sendAudio(utterance('hello there'));
      await until(() => responses() === 1, 'the voice turn');
      expect(seen).to.include.members(['conversation.item.input_audio_transcription.completed', 'response.output_audio.delta']);

      // 2. A tool call: the user names the declared function, the model calls it (placeholder
      // arguments from its schema), the session runs it and answers, the model speaks the output.
      session.sendMessage('Please get weather for Paris');
      await until(() => toolResults.length === 1 && responses() === 3, 'the tool call and the answer');
      expect(toolResults).to.deep.equal(['get_weather: Sunny in Paris.']);
      const call = sent.find((event) => (event as { type: string }).type === 'response.function_call_arguments.done');
      expect(call).to.deep.include({ name: 'get_weather', arguments: '{"city":""}' });
      const messages = simulator?.connections[0]?.messages as {
        type: string;
        item?: { type?: string; call_id?: string; output?: string };
      }[];
      const outputs = messages.filter((m) => m.type === 'conversation.item.create' && m.item?.type === 'function_call_output');
      expect(outputs.map((m) => m.item)).to.deep.equal([
        { type: 'function_call_output', call_id: (call as { call_id: string }).call_id, output: 'Sunny in Paris.' },
      ]);
      const spoken = sent.filter((event) => (event as { type: string }).type === 'response.output_audio_transcript.done');
      expect(spoken.map((event) => (event as { transcript: string }).transcript).at(-1)).to.equal('Sunny in Paris.');

      // 3. A barge-in: the user speaks while the story is being spoken.
      session.sendMessage('Tell me a long story');
      await until(() => seen.filter((type) => type === 'response.output_audio.delta').length > 40, 'the story audio');
      sendAudio(utterance('wait stop'));
      await until(() => seen.includes('audio_interrupted'), 'audio_interrupted');
      await until(() => messages.some((m) => m.type === 'conversation.item.truncate'), 'the truncate');
      await until(() => seen.includes('conversation.item.truncated'), 'conversation.item.truncated');
      const cancelled = sent.find(
        (event) =>
          (event as { type: string }).type === 'response.done' &&
          (event as { response: { status: string } }).response.status === 'cancelled',
      );
      expect(cancelled, 'the story response was cancelled by the speech').not.to.equal(undefined);
      expect(errors).to.deep.equal([]);
      expect(seen).not.to.include('error');
      expect(invalidSent()).to.deep.equal([]);
    });
  });
});
