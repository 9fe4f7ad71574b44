import { expect } from 'chai';
import WebSocket from 'ws';
import {
  g711ToPcm24k,
  pcm24kToG711,
  RealtimeSimulator,
  silenceAudio,
  speechWords,
  synthesizeSpeech,
  wordSpeechFrames,
  type RealtimeSimulatorOptions,
} from '../simulator/index.js';
import { realtimeUrl, TestClient, type ServerEvent } from './simulator-test-client.js';

const TRANSCRIBE = { model: 'gpt-4o-mini-transcribe' };
const BACKGROUND_AGENT = { type: 'function', name: 'background_agent', parameters: { type: 'object' } };

function utterance(text: string): Buffer {
  return Buffer.concat([silenceAudio(100), synthesizeSpeech(text), silenceAudio(700)]);
}

function types(client: TestClient): string[] {
  return client.summary();
}

describe('RealtimeSimulator v2 honours the session it is given', function () {
  this.timeout(8000);
  let simulator: RealtimeSimulator | undefined;
  let clients: TestClient[] = [];

  async function connect(options: Partial<RealtimeSimulatorOptions> = {}, query = ''): Promise<TestClient> {
    simulator = new RealtimeSimulator({ protocol: 'v2', mode: 'demo', speed: 50, ...options });
    const { url } = await simulator.start();
    const client = await TestClient.connect(realtimeUrl(url, query));
    clients.push(client);
    await client.next('session.created');
    return client;
  }

  function update(client: TestClient, session: Record<string, unknown>): void {
    client.send({ type: 'session.update', session: { type: 'realtime', ...session } });
  }

  afterEach(async () => {
    for (const client of clients) client.close();
    clients = [];
    await simulator?.close();
    simulator = undefined;
  });

  it('defaults to real time: speed 1, audio 1000 ms ahead', () => {
    const options = new RealtimeSimulator({ protocol: 'v2' }).options;
    expect(options).to.include({ speed: 1, audioLeadMs: 1000, userTranscriptAfterResponse: false });
  });

  it('echoes the session: defaults without transcription or noise reduction, server VAD with its own defaults', async () => {
    const client = await connect();
    const session = (client.events[0] as ServerEvent)['session'] as Record<string, unknown>;
    expect(session['audio']).to.deep.equal({
      input: {
        format: { type: 'audio/pcm', rate: 24000 },
        turn_detection: {
          type: 'server_vad',
          threshold: 0.5,
          prefix_padding_ms: 300,
          silence_duration_ms: 500,
          idle_timeout_ms: null,
          create_response: true,
          interrupt_response: true,
        },
      },
      output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin', speed: 1 },
    });
    expect(session).not.to.have.property('include');
  });

  it('echoes what it was sent: semantic VAD without server-VAD fields, noise reduction, transcription, tracing, include; null turns off', async () => {
    const client = await connect();
    update(client, {
      tracing: 'auto',
      include: ['item.input_audio_transcription.logprobs'],
      audio: {
        input: {
          noise_reduction: { type: 'far_field' },
          transcription: { model: 'gpt-4o-transcribe', language: 'fr', prompt: 'météo' },
          turn_detection: { type: 'semantic_vad', eagerness: 'low', create_response: false },
        },
      },
    });
    const updated = (await client.next('session.updated'))['session'] as Record<string, unknown>;
    expect(updated).to.include({ tracing: 'auto' });
    expect(updated['include']).to.deep.equal(['item.input_audio_transcription.logprobs']);
    expect((updated['audio'] as { input: unknown }).input).to.deep.equal({
      format: { type: 'audio/pcm', rate: 24000 },
      noise_reduction: { type: 'far_field' },
      transcription: { model: 'gpt-4o-transcribe', language: 'fr', prompt: 'météo' },
      turn_detection: { type: 'semantic_vad', eagerness: 'low', create_response: false, interrupt_response: true },
    });
    update(client, { audio: { input: { noise_reduction: null, transcription: null } } });
    const second = (await client.next('session.updated'))['session'] as { audio: { input: Record<string, unknown> } };
    expect(second.audio.input).not.to.have.property('noise_reduction');
    expect(second.audio.input).not.to.have.property('transcription');
    expect(second.audio.input['turn_detection']).to.deep.include({ type: 'semantic_vad', eagerness: 'low' });
  });

  it('refuses a session type other than the connection’s, and unknown formats, with invalid_value', async () => {
    const client = await connect();
    client.send({ type: 'session.update', session: { type: 'transcription' } });
    expect((await client.next('error'))['error']).to.include({ code: 'invalid_value', param: 'session.type' });
    update(client, { audio: { output: { format: { type: 'audio/flac' } } } });
    expect((await client.next('error'))['error']).to.include({ code: 'invalid_value', param: 'session.audio.output.format.type' });
  });

  it('transcribes only when configured', async () => {
    const client = await connect({ transcripts: ['what time is it'] });
    client.sendAudio(utterance('what time is it'));
    await client.next('rate_limits.updated');
    expect(types(client).filter((type) => type.includes('transcription'))).to.deep.equal([]);
    // The model still "heard" the turn.
    expect(client.events.find((event) => event.type === 'response.output_audio_transcript.done')).to.include({
      transcript: 'You said: what time is it.',
    });
    update(client, { audio: { input: { transcription: TRANSCRIBE } } });
    client.sendAudio(utterance('again'));
    const completed = await client.next('conversation.item.input_audio_transcription.completed');
    expect(completed).to.include({ transcript: 'what time is it', content_index: 0 });
  });

  it('can deliver the user transcript after the response events (userTranscriptAfterResponse)', async () => {
    const client = await connect({ userTranscriptAfterResponse: true });
    update(client, { audio: { input: { transcription: TRANSCRIBE } } });
    client.sendAudio(utterance('hello'));
    await client.next('rate_limits.updated');
    const seen = types(client);
    expect(seen.indexOf('conversation.item.input_audio_transcription.completed')).to.be.greaterThan(
      seen.indexOf('response.content_part.added'),
    );
    expect(seen.indexOf('conversation.item.input_audio_transcription.completed')).to.be.lessThan(seen.indexOf('response.done'));
  });

  it('push-to-talk (turn_detection null): nothing until commit, then only response.create answers', async () => {
    const client = await connect();
    update(client, { audio: { input: { turn_detection: null, transcription: TRANSCRIBE } } });
    await client.next('session.updated');
    client.send({ type: 'input_audio_buffer.commit', event_id: 'evt_1' });
    expect((await client.next('error'))['error']).to.include({ code: 'input_audio_buffer_commit_empty', event_id: 'evt_1' });
    client.sendAudio(utterance('push to talk'));
    client.send({ type: 'input_audio_buffer.commit' });
    await client.next('conversation.item.input_audio_transcription.completed');
    client.send({ type: 'conversation.item.retrieve', item_id: 'item_1' });
    const retrieved = await client.next('conversation.item.retrieved');
    expect(retrieved['item']).to.deep.equal({
      id: 'item_1',
      object: 'realtime.item',
      type: 'message',
      status: 'completed',
      role: 'user',
      content: [{ type: 'input_audio', transcript: 'Hello, can you hear me?' }],
    });
    expect(types(client)).not.to.include('input_audio_buffer.speech_started');
    expect(types(client)).not.to.include('response.created');
    client.send({ type: 'response.create' });
    await client.next('response.done');
  });

  it('a transcription session (intent=transcription) transcribes and never responds', async () => {
    const client = await connect({}, '?intent=transcription');
    expect((client.events[0] as ServerEvent)['session']).to.include({ type: 'transcription', object: 'realtime.transcription_session' });
    client.send({ type: 'session.update', session: { type: 'transcription', audio: { input: { transcription: TRANSCRIBE } } } });
    const updated = (await client.next('session.updated'))['session'] as { audio: { input: { turn_detection: unknown } } };
    expect(updated.audio.input.turn_detection).to.deep.equal({
      type: 'server_vad',
      threshold: 0.5,
      prefix_padding_ms: 300,
      silence_duration_ms: 500,
    });
    client.sendAudio(utterance('dictation'));
    await client.next('conversation.item.input_audio_transcription.completed');
    client.send({ type: 'response.create' });
    expect((await client.next('error'))['error']).to.include({ code: 'invalid_value' });
    expect(types(client)).not.to.include('response.created');
  });

  it('calls background_agent only when declared and tool_choice allows it; tool_choice naming it forces the call', async () => {
    const client = await connect();
    const ask = (text: string, response?: Record<string, unknown>): void => {
      client.sendText(text);
      client.send(response === undefined ? { type: 'response.create' } : { type: 'response.create', response });
    };
    ask('please look up the weather');
    await client.next('rate_limits.updated');
    update(client, { tools: [BACKGROUND_AGENT], tool_choice: 'none' });
    ask('please look up the weather');
    await client.next('rate_limits.updated');
    expect(types(client)).not.to.include('response.function_call_arguments.done');
    ask('hello', { tool_choice: { type: 'function', name: 'background_agent' } });
    const call = await client.next('response.function_call_arguments.done');
    expect(call).to.include({ name: 'background_agent', arguments: '{"prompt":"hello"}' });
  });

  it('honours response.create options: out of band (conversation none), output modalities, metadata', async () => {
    const client = await connect();
    client.sendText('hi');
    client.send({ type: 'response.create', response: { conversation: 'none', output_modalities: ['text'], metadata: { topic: 'x' } } });
    const done = await client.next('response.done');
    const response = done['response'] as Record<string, unknown>;
    expect(response).not.to.have.property('conversation_id');
    expect(response).to.deep.include({ output_modalities: ['text'], metadata: { topic: 'x' } });
    expect(types(client).filter((type) => type === 'conversation.item.added')).to.have.length(1); // the user's only
  });

  it('usage in every response.done, then rate_limits.updated counting requests and tokens', async () => {
    const client = await connect();
    client.sendText('hi');
    client.send({ type: 'response.create' });
    const done = await client.next('response.done');
    const limits = await client.next('rate_limits.updated');
    const usage = (done['response'] as { usage: { total_tokens: number; input_tokens: number; output_tokens: number } }).usage;
    expect(usage.total_tokens).to.equal(usage.input_tokens + usage.output_tokens);
    expect(usage.output_tokens).to.be.greaterThan(0);
    expect(limits['rate_limits']).to.deep.equal([
      { name: 'requests', limit: 5000, remaining: 4999, reset_seconds: 60 },
      { name: 'tokens', limit: 40000, remaining: 40000 - usage.total_tokens, reset_seconds: 60 },
    ]);
  });

  it('failed and incomplete responses and a failed transcription on demand', async () => {
    const client = await connect({ responseOutcomes: ['failed', 'incomplete'], transcriptionFailures: [1] });
    update(client, { audio: { input: { transcription: TRANSCRIBE } } });
    client.sendAudio(utterance('hello'));
    const failedTranscript = await client.next('conversation.item.input_audio_transcription.failed');
    expect(failedTranscript).to.deep.include({ item_id: 'item_1', content_index: 0 });
    const failed = (await client.next('response.done'))['response'] as Record<string, unknown>;
    expect(failed).to.deep.include({ status: 'failed', output: [] });
    expect(failed['status_details']).to.deep.include({ type: 'failed' });
    client.send({ type: 'response.create' });
    const incomplete = (await client.next('response.done'))['response'] as {
      status: string;
      output: { content: { transcript: string }[] }[];
    };
    expect(incomplete.status).to.equal('incomplete');
    // "How can I help you?" is five words: three are spoken.
    expect(incomplete.output[0]?.content[0]?.transcript).to.equal('How can I');
  });

  it('G.711 μ-law in and out: the VAD hears μ-law speech, the answer is 160-byte μ-law frames of the same voice', async () => {
    const client = await connect();
    update(client, { audio: { input: { format: { type: 'audio/pcmu' } }, output: { format: { type: 'audio/pcmu' } } } });
    const mulaw = pcm24kToG711(utterance('hello there'), 'mulaw');
    for (let offset = 0; offset < mulaw.length; offset += 160) {
      client.send({ type: 'input_audio_buffer.append', audio: mulaw.subarray(offset, offset + 160).toString('base64') });
    }
    await client.next('rate_limits.updated');
    expect(types(client)).to.include('input_audio_buffer.speech_started');
    const frames = client.events
      .filter((event) => event.type === 'response.output_audio.delta')
      .map((event) => Buffer.from(String(event['delta']), 'base64'));
    const words = speechWords('You said: Hello, can you hear me?');
    const expected = words.flatMap((word) => wordSpeechFrames(word)).map((frame) => pcm24kToG711(Buffer.from(frame, 'base64'), 'mulaw'));
    expect(frames).to.deep.equal(expected);
    expect(frames[0]).to.have.length(160);
    expect(g711ToPcm24k(frames[0] as Buffer, 'mulaw')).to.have.length(960);
    const done = client.events.find((event) => event.type === 'response.done')?.['response'] as { audio: { output: { format: unknown } } };
    expect(done.audio.output.format).to.deep.equal({ type: 'audio/pcmu' });
  });

  it('paces audio at real time × speed, audioLeadMs ahead: response.done comes before the audio has played', async () => {
    const speed = 2;
    const leadMs = 1000;
    const client = await connect({
      speed,
      audioLeadMs: leadMs,
      answer: () => 'one two three four five six seven eight nine ten eleven twelve',
    });
    // Times taken where the simulator sends (the client's arrival times skew under load).
    const sent: { type: string; at: number }[] = [];
    simulator?.on('sent', (_connection, event) => sent.push({ type: (event as ServerEvent).type, at: performance.now() }));
    client.sendText('count');
    client.send({ type: 'response.create' });
    await client.next('response.done', 6000);
    const at = (type: string, index = 0): number => sent.filter((event) => event.type === type)[index]?.at as number;
    const createdAt = at('response.created');
    const frames = sent.filter((event) => event.type === 'response.output_audio.delta').length;
    const audioMs = frames * 20;
    expect(audioMs).to.be.greaterThan(leadMs + 1000);
    // The lead's frames (playback 0 to 980 ms) go out at once (paced, the last would wait 490 ms);
    // frame k later, never before (k·20 − lead) / speed.
    expect(at('response.output_audio.delta', leadMs / 20 - 1) - createdAt).to.be.below(200);
    expect(at('response.output_audio.delta', (leadMs + 1000) / 20) - createdAt).to.be.within(1000 / speed - 2, 1000 / speed + 400);
    // response.done when generation ends: lead before the end of playback (scaled by speed).
    const expected = (audioMs - leadMs) / speed;
    expect(at('response.done') - createdAt).to.be.within(expected - 22, expected + 400);
  });

  it('serves TLS with a generated self-signed certificate (tls: true)', async () => {
    simulator = new RealtimeSimulator({ protocol: 'v2', tls: true, speed: 50 });
    const { url } = await simulator.start();
    expect(url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(simulator.certificate).to.match(/^-----BEGIN CERTIFICATE-----/);
    const wss = `${url.replace(/^https/, 'wss')}/v1/realtime`;
    const untrusted = new WebSocket(wss);
    const refusal = await new Promise<Error>((resolve) => untrusted.once('error', resolve));
    expect(refusal.message).to.match(/self[- ]signed|certificate/i);
    const socket = new WebSocket(wss, { ca: simulator.certificate });
    const first = await new Promise<string>((resolve, reject) => {
      socket.once('message', (data) => resolve(String(data)));
      socket.once('error', reject);
    });
    socket.terminate();
    expect(JSON.parse(first)).to.include({ type: 'session.created' });
  });
});
