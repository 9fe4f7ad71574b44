/**
 * Conformance: every server event the simulator sends in a set of sessions (text, audio with
 * barge-in, handoff, user tools, idle timeout, transcription session, push-to-talk, G.711, scripted
 * failures) is an official
 * `openai` `RealtimeServerEvent` — at run time (the JSON schema generated from the type, unknown
 * fields forbidden) and at compile time (the recorded events type-checked with `tsc --strict`).
 * The clients here send only official `RealtimeClientEvent`s (typed).
 */
import { expect } from 'chai';
import { pcm24kToG711, RealtimeSimulator, silenceAudio, synthesizeSpeech, type RealtimeSimulatorOptions } from '@parley/testkit';
import { ConformanceClient, type WireEvent } from './conformance-client.js';
import { OpenAiEventValidator, withoutUntypedLiveFields } from './openai-schemas.js';
import { distinctEvents, typeCheckEvents } from './type-check.js';

const BACKGROUND_AGENT = {
  type: 'function' as const,
  name: 'background_agent',
  description: 'Send a user request to the background agent.',
  parameters: { type: 'object', properties: { prompt: { type: 'string' } }, required: ['prompt'], additionalProperties: false },
};
const CURRENT_TIME = {
  type: 'function' as const,
  name: 'current_time',
  description: 'The current time in an IANA time zone.',
  parameters: {
    type: 'object',
    properties: { timezone: { type: 'string', examples: ['Europe/Paris'] } },
    required: ['timezone'],
    additionalProperties: false,
  },
};
const WEATHER = {
  type: 'function' as const,
  name: 'weather',
  description: 'The weather in a city.',
  parameters: { type: 'object', properties: { city: { type: 'string', default: 'Paris' } }, required: ['city'] },
};
const PCM_FRAME = 960;
const G711_FRAME = 160;

/** Speech the energy VAD hears as one utterance, then enough silence to end the turn. */
function utterance(text: string): Buffer {
  return Buffer.concat([silenceAudio(100), synthesizeSpeech(text), silenceAudio(700)]);
}

describe('conformance: the simulator sends only official RealtimeServerEvents', function () {
  this.timeout(20000);
  const validator = new OpenAiEventValidator('RealtimeServerEvent');
  /** Every event sent, by session, in all the sessions of this file. */
  const recorded = new Map<string, unknown[]>();
  let simulator: RealtimeSimulator | undefined;
  let clients: ConformanceClient[] = [];

  async function session(name: string, options: Partial<RealtimeSimulatorOptions> = {}, query = ''): Promise<ConformanceClient> {
    simulator = new RealtimeSimulator({ protocol: 'v2', mode: 'demo', speed: 20, ...options });
    const events: unknown[] = [];
    recorded.set(name, events);
    simulator.on('sent', (_connection, event) => events.push(event));
    const { url } = await simulator.start();
    const client = await ConformanceClient.connect(url, query);
    clients.push(client);
    await client.waitFor('session.created');
    return client;
  }

  /** The run-time problems of the session's events (none expected). */
  function problems(name: string): string[] {
    const found: string[] = [];
    for (const event of recorded.get(name) ?? []) {
      for (const problem of validator.validate(withoutUntypedLiveFields(event))) {
        found.push(`${(event as WireEvent).type}: ${problem}`);
      }
    }
    return [...new Set(found)];
  }

  afterEach(async () => {
    for (const client of clients) client.close();
    clients = [];
    await simulator?.close();
    simulator = undefined;
  });

  it('text session: text output, retrieve, an out-of-band response, delete', async () => {
    const client = await session('text');
    client.send({ type: 'session.update', session: { type: 'realtime', instructions: 'be brief', output_modalities: ['text'] } });
    client.send({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] },
    });
    client.send({ type: 'response.create' });
    await client.waitFor('rate_limits.updated');
    client.send({ type: 'conversation.item.retrieve', item_id: 'item_1' });
    client.send({ type: 'conversation.item.retrieve', item_id: 'item_404' });
    client.send({
      type: 'response.create',
      response: { conversation: 'none', output_modalities: ['text'], metadata: { purpose: 'summary' } },
    });
    await client.waitFor('rate_limits.updated', 2);
    client.send({ type: 'conversation.item.delete', item_id: 'item_1' });
    await client.waitFor('conversation.item.deleted');
    expect(client.types()).to.include.members(['response.output_text.delta', 'conversation.item.retrieved', 'error']);
    expect(problems('text')).to.deep.equal([]);
  });

  it('audio session with barge-in: server VAD, transcription, noise reduction, cancel, truncate', async () => {
    const long = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen';
    const client = await session('audio barge-in', { answer: () => long, audioLeadMs: 0 });
    client.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        audio: {
          input: {
            transcription: { model: 'gpt-4o-mini-transcribe', language: 'en' },
            noise_reduction: { type: 'near_field' },
            turn_detection: { type: 'server_vad', silence_duration_ms: 500, idle_timeout_ms: 6000 },
          },
          output: { voice: 'cedar' },
        },
      },
    });
    client.sendAudio(utterance('what time is it'), PCM_FRAME);
    await client.waitFor('response.output_audio.delta');
    client.sendAudio(utterance('wait'), PCM_FRAME);
    const done = await client.waitFor('response.done');
    expect(done['response']).to.deep.include({ status: 'cancelled', status_details: { type: 'cancelled', reason: 'turn_detected' } });
    const item = (done['response'] as { output: { id: string }[] }).output[0]?.id as string;
    client.send({ type: 'conversation.item.truncate', item_id: item, content_index: 0, audio_end_ms: 20 });
    await client.waitFor('conversation.item.truncated');
    await client.waitFor('rate_limits.updated', 2);
    expect(problems('audio barge-in')).to.deep.equal([]);
  });

  it('audio session: semantic VAD, the user transcript after the response events', async () => {
    const client = await session('semantic vad', { userTranscriptAfterResponse: true });
    client.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        audio: {
          input: {
            transcription: { model: 'gpt-4o-transcribe' },
            noise_reduction: { type: 'far_field' },
            turn_detection: { type: 'semantic_vad', eagerness: 'high' },
          },
        },
      },
    });
    client.sendAudio(utterance('hello there'), PCM_FRAME);
    await client.waitFor('rate_limits.updated');
    const types = client.types();
    expect(types.indexOf('conversation.item.input_audio_transcription.completed')).to.be.greaterThan(types.indexOf('response.created'));
    expect(problems('semantic vad')).to.deep.equal([]);
  });

  it('handoff session: the declared background_agent is called, its output spoken', async () => {
    const client = await session('handoff');
    client.send({ type: 'session.update', session: { type: 'realtime', tools: [BACKGROUND_AGENT], tool_choice: 'auto' } });
    client.send({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Please look up the weather in Paris' }] },
    });
    client.send({ type: 'response.create' });
    const call = await client.waitFor('response.function_call_arguments.done');
    client.send({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: String(call['call_id']), output: 'It is sunny in Paris.' },
    });
    client.send({ type: 'response.create' });
    await client.waitFor('rate_limits.updated', 2);
    expect(problems('handoff')).to.deep.equal([]);
  });

  it('user tool session: declared tools named by the user are called (one and two in a response), answered, spoken', async () => {
    const client = await session('user tools');
    client.send({
      type: 'session.update',
      session: { type: 'realtime', tools: [BACKGROUND_AGENT, CURRENT_TIME, WEATHER], tool_choice: 'auto' },
    });
    const ask = (text: string): void => {
      client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
      client.send({ type: 'response.create' });
    };
    ask('What is the current time?');
    const call = await client.waitFor('response.function_call_arguments.done');
    expect(call).to.deep.include({ name: 'current_time', arguments: '{"timezone":"Europe/Paris"}' });
    client.send({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: String(call['call_id']), output: '10:15' },
    });
    client.send({ type: 'response.create' });
    expect(await client.waitFor('response.output_audio_transcript.done')).to.deep.include({ transcript: '10:15' });
    await client.waitFor('rate_limits.updated', 2);
    ask('the weather and the current time please');
    await client.waitFor('rate_limits.updated', 3);
    const calls = client.events.filter((event) => event.type === 'response.function_call_arguments.done');
    expect(calls.map((event) => [event['name'], event['output_index']])).to.deep.equal([
      ['current_time', 0],
      ['current_time', 0],
      ['weather', 1],
    ]);
    for (const [index, output] of ['{"error":"tool `current_time` failed: clock down"}', 'Sunny.'].entries()) {
      client.send({
        type: 'conversation.item.create',
        item: { type: 'function_call_output', call_id: String(calls[index + 1]?.['call_id']), output },
      });
    }
    client.send({ type: 'response.create' });
    expect(await client.waitFor('response.output_audio_transcript.done', 2)).to.deep.include({
      transcript: 'Sorry, that did not work: tool `current_time` failed: clock down Sunny.',
    });
    await client.waitFor('rate_limits.updated', 4);
    expect(client.types()).not.to.include('error');
    expect(problems('user tools')).to.deep.equal([]);
  });

  it('idle timeout session: server VAD idle_timeout_ms sends input_audio_buffer.timeout_triggered, commits, answers', async () => {
    const client = await session('idle timeout');
    client.send({
      type: 'session.update',
      session: { type: 'realtime', audio: { input: { turn_detection: { type: 'server_vad', idle_timeout_ms: 500 } } } },
    });
    client.sendAudio(silenceAudio(300), PCM_FRAME);
    client.send({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
    });
    client.send({ type: 'response.create' });
    const triggered = await client.waitFor('input_audio_buffer.timeout_triggered');
    expect(triggered).to.deep.include({ audio_start_ms: 300, audio_end_ms: 300 });
    await client.waitFor('input_audio_buffer.committed');
    expect(await client.waitFor('response.output_audio_transcript.done', 2)).to.deep.include({ transcript: 'Are you still there?' });
    await client.waitFor('rate_limits.updated', 2);
    expect(problems('idle timeout')).to.deep.equal([]);
  });

  it('transcription session (intent=transcription): transcripts, no responses', async () => {
    const client = await session('transcription', {}, '?intent=transcription');
    client.send({
      type: 'session.update',
      session: {
        type: 'transcription',
        audio: {
          input: {
            format: { type: 'audio/pcm', rate: 24000 },
            transcription: { model: 'gpt-4o-mini-transcribe', prompt: 'weather words' },
            noise_reduction: { type: 'near_field' },
            turn_detection: { type: 'server_vad', threshold: 0.6, prefix_padding_ms: 200, silence_duration_ms: 400 },
          },
        },
      },
    });
    client.sendAudio(utterance('is it raining'), PCM_FRAME);
    await client.waitFor('conversation.item.input_audio_transcription.completed');
    client.send({ type: 'response.create' });
    await client.waitFor('error');
    expect(client.types()).not.to.include('response.created');
    expect(problems('transcription')).to.deep.equal([]);
  });

  it('push-to-talk session: turn_detection null, commit then response.create; empty commit and clear', async () => {
    const client = await session('push-to-talk');
    client.send({
      type: 'session.update',
      session: { type: 'realtime', audio: { input: { transcription: { model: 'whisper-1' }, turn_detection: null } } },
    });
    client.send({ type: 'input_audio_buffer.commit' });
    await client.waitFor('error');
    client.sendAudio(utterance('push to talk'), PCM_FRAME);
    client.send({ type: 'input_audio_buffer.commit' });
    await client.waitFor('conversation.item.input_audio_transcription.completed');
    client.send({ type: 'response.create' });
    await client.waitFor('rate_limits.updated');
    client.sendAudio(silenceAudio(200), PCM_FRAME);
    client.send({ type: 'input_audio_buffer.clear' });
    await client.waitFor('input_audio_buffer.cleared');
    expect(client.types()).not.to.include('input_audio_buffer.speech_started');
    expect(problems('push-to-talk')).to.deep.equal([]);
  });

  for (const [format, law] of [
    ['audio/pcmu', 'mulaw'],
    ['audio/pcma', 'alaw'],
  ] as const) {
    it(`G.711 session (${format} in and out)`, async () => {
      const name = `g711 ${format}`;
      const client = await session(name);
      client.send({
        type: 'session.update',
        session: {
          type: 'realtime',
          audio: {
            input: { format: { type: format }, transcription: { model: 'gpt-4o-mini-transcribe' } },
            output: { format: { type: format } },
          },
        },
      });
      client.sendAudio(pcm24kToG711(utterance('hello in g seven eleven'), law), G711_FRAME);
      await client.waitFor('rate_limits.updated');
      const audio = client.events.find((event) => event.type === 'response.output_audio.delta');
      expect(Buffer.from(String(audio?.['delta']), 'base64')).to.have.length(G711_FRAME);
      expect(problems(name)).to.deep.equal([]);
    });
  }

  it('scripted failures: a failed and an incomplete response, a failed transcription', async () => {
    const client = await session('failures', { responseOutcomes: ['failed', 'incomplete'], transcriptionFailures: [1] });
    client.send({
      type: 'session.update',
      session: { type: 'realtime', audio: { input: { transcription: { model: 'gpt-4o-mini-transcribe' } } } },
    });
    client.sendAudio(utterance('this will fail'), PCM_FRAME);
    await client.waitFor('conversation.item.input_audio_transcription.failed');
    const failed = await client.waitFor('response.done');
    expect(failed['response']).to.deep.include({ status: 'failed', output: [] });
    client.send({ type: 'response.create' });
    const incomplete = await client.waitFor('response.done', 2);
    expect(incomplete['response']).to.deep.include({
      status: 'incomplete',
      status_details: { type: 'incomplete', reason: 'max_output_tokens' },
    });
    expect(problems('failures')).to.deep.equal([]);
  });

  it('every recorded event type-checks as RealtimeServerEvent[] under tsc --strict', function () {
    this.timeout(60000);
    const all = [...recorded.values()].flat();
    expect(all.length).to.be.greaterThan(500);
    const distinct = distinctEvents(all.map(withoutUntypedLiveFields));
    const types = new Set(distinct.map((event) => (event as WireEvent).type));
    console.log(
      `      ${all.length} server events from ${recorded.size} sessions validated at run time; ${distinct.length} distinct (${types.size} types) type-checked`,
    );
    expect(typeCheckEvents('server-events', 'RealtimeServerEvent', distinct)).to.deep.equal([]);
  });
});
