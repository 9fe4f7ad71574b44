import { expect } from 'chai';
import {
  EnergyVad,
  RealtimeSimulator,
  silenceAudio,
  speechWords,
  synthesizeSpeech,
  wordSpeechFrames,
  type RealtimeSimulatorOptions,
} from '../simulator/index.js';
import { realtimeUrl, TestClient, type ServerEvent } from './simulator-test-client.js';

/** Parley's v2 session.update (spec 03), shortened tool description. */
const SESSION_UPDATE = {
  type: 'session.update',
  session: {
    type: 'realtime',
    instructions: 'backend prompt',
    output_modalities: ['audio'],
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: 24000 },
        noise_reduction: { type: 'near_field' },
        transcription: { model: 'gpt-4o-mini-transcribe' },
        turn_detection: { type: 'server_vad', interrupt_response: true, create_response: true },
      },
      output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'cedar' },
    },
    tools: [
      {
        type: 'function',
        name: 'background_agent',
        description: 'Send a user request to the background agent.',
        parameters: { type: 'object', properties: { prompt: { type: 'string' } }, required: ['prompt'], additionalProperties: false },
      },
    ],
    tool_choice: 'auto',
  },
};

/** The transcript deltas and audio frames a spoken text produces, in wire order (audio as its base64). */
function expectedSpeech(text: string): string[] {
  const sequence: string[] = [];
  speechWords(text).forEach((word, index) => {
    sequence.push(`delta:${index === 0 ? word : ` ${word}`}`);
    for (const frame of wordSpeechFrames(word)) sequence.push(`audio:${frame}`);
  });
  return sequence;
}

function spokenSequence(events: ServerEvent[], responseId: string): string[] {
  return events
    .filter((event) => event['response_id'] === responseId)
    .filter((event) => event.type === 'response.output_audio_transcript.delta' || event.type === 'response.output_audio.delta')
    .map((event) => `${event.type === 'response.output_audio.delta' ? 'audio' : 'delta'}:${String(event['delta'])}`);
}

describe('RealtimeSimulator demo mode, v2', function () {
  this.timeout(8000);
  let simulator: RealtimeSimulator | undefined;
  let clients: TestClient[] = [];

  async function connect(options: Partial<RealtimeSimulatorOptions> = {}): Promise<TestClient> {
    simulator = new RealtimeSimulator({ protocol: 'v2', mode: 'demo', speed: 50, ...options });
    const { url } = await simulator.start();
    const client = await TestClient.connect(realtimeUrl(url));
    clients.push(client);
    await client.next('session.created');
    return client;
  }

  afterEach(async () => {
    for (const client of clients) client.close();
    clients = [];
    await simulator?.close();
    simulator = undefined;
  });

  it('sends session.created on connect and answers session.update with session.updated', async () => {
    const client = await connect();
    const created = client.events[0] as ServerEvent;
    expect(created).to.include({ type: 'session.created', event_id: 'event_1' });
    expect(created['session']).to.include({
      type: 'realtime',
      object: 'realtime.session',
      id: 'sess_sim_1',
      model: 'gpt-realtime',
      instructions: '',
    });
    client.send(SESSION_UPDATE);
    const updated = await client.next('session.updated');
    expect(updated['event_id']).to.equal('event_2');
    const session = updated['session'] as Record<string, unknown>;
    expect(session).to.include({ id: 'sess_sim_1', instructions: 'backend prompt', tool_choice: 'auto' });
    expect(session['output_modalities']).to.deep.equal(['audio']);
    expect(session['tools']).to.deep.equal(SESSION_UPDATE.session.tools);
    expect((session['audio'] as { output: unknown }).output).to.deep.equal({
      format: { type: 'audio/pcm', rate: 24000 },
      voice: 'cedar',
      speed: 1,
    });
  });

  it('acknowledges user text without answering it; response.create streams the answer with ordered events and ids', async () => {
    const client = await connect();
    client.send(SESSION_UPDATE);
    await client.next('session.updated');
    client.sendText('hello there');
    client.send({ type: 'nope' }); // its error marks the end of what the text caused
    await client.next('error');
    expect(client.summary(2)).to.deep.equal(['conversation.item.added', 'conversation.item.done', 'error']);
    const userItem = {
      id: 'item_1',
      object: 'realtime.item',
      type: 'message',
      status: 'completed',
      role: 'user',
      content: [{ type: 'input_text', text: 'hello there' }],
    };
    expect(client.events[2]).to.deep.equal({
      type: 'conversation.item.added',
      event_id: 'event_3',
      previous_item_id: null,
      item: userItem,
    });
    expect(client.events[3]).to.deep.equal({ type: 'conversation.item.done', event_id: 'event_4', previous_item_id: null, item: userItem });

    client.send({ type: 'response.create' });
    const done = await client.next('response.done');
    const start = 5;
    expect(client.summary(start)).to.deep.equal([
      'response.created',
      'response.output_item.added',
      'conversation.item.added',
      'response.content_part.added',
      'response.output_audio_transcript.delta',
      'response.output_audio_transcript.delta',
      'response.output_audio_transcript.delta',
      'response.output_audio_transcript.delta',
      'response.output_audio.done',
      'response.output_audio_transcript.done',
      'response.content_part.done',
      'response.output_item.done',
      'conversation.item.done',
      'response.done',
      'rate_limits.updated',
    ]);
    const answer = client.events.slice(start);
    expect(answer.map((event) => event['event_id'])).to.deep.equal(answer.map((_event, index) => `event_${start + 1 + index}`));
    expect(spokenSequence(answer, 'resp_1')).to.deep.equal(expectedSpeech('You said: hello there.'));
    const ids = { response_id: 'resp_1', item_id: 'item_2', output_index: 0, content_index: 0 };
    for (const event of answer.filter((e) => e.type.startsWith('response.output_audio') || e.type.startsWith('response.content_part'))) {
      expect(event).to.include(ids);
    }
    expect(answer[0]).to.deep.include({ type: 'response.created' });
    expect(answer[0]?.['response']).to.include({ object: 'realtime.response', id: 'resp_1', status: 'in_progress' });
    // The official types have no `null` here: the key is absent until the response ends otherwise than completed.
    expect(answer[0]?.['response']).not.to.have.property('status_details');
    expect(answer[2]).to.deep.equal({
      type: 'conversation.item.added',
      event_id: 'event_8',
      previous_item_id: 'item_1',
      item: { id: 'item_2', object: 'realtime.item', type: 'message', status: 'in_progress', role: 'assistant', content: [] },
    });
    expect(answer.find((event) => event.type === 'response.output_audio_transcript.done')).to.include({
      ...ids,
      transcript: 'You said: hello there.',
    });
    const item = {
      id: 'item_2',
      object: 'realtime.item',
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_audio', transcript: 'You said: hello there.' }],
    };
    expect(answer.find((event) => event.type === 'conversation.item.done')).to.deep.include({ previous_item_id: 'item_1', item });
    expect(done['response']).to.deep.include({
      id: 'resp_1',
      status: 'completed',
      output: [item],
      conversation_id: 'conv_sim_1',
    });
    expect(done['response']).not.to.have.property('status_details');
    expect(Object.keys((done['response'] as { usage: object }).usage)).to.deep.equal([
      'total_tokens',
      'input_tokens',
      'output_tokens',
      'input_token_details',
      'output_token_details',
    ]);
  });

  it('rejects response.create while a response is active with the real error, then accepts one after response.done', async () => {
    const client = await connect({ speed: 10 });
    client.sendText('hello there');
    client.send({ type: 'response.create', event_id: 'evt_client_1' });
    client.send({ type: 'response.create', event_id: 'evt_client_2' });
    const error = await client.next('error');
    expect(error).to.deep.equal({
      type: 'error',
      event_id: error['event_id'],
      error: {
        type: 'invalid_request_error',
        code: 'conversation_already_has_active_response',
        message:
          'Conversation already has an active response in progress: resp_1. Wait until the response is finished before creating a new one.',
        param: null,
        event_id: 'evt_client_2',
      },
    });
    expect(error['event_id']).to.match(/^event_\d+$/);
    expect((await client.next('response.done'))['response']).to.include({ id: 'resp_1', status: 'completed' });
    client.send({ type: 'response.create' });
    expect((await client.next('response.created'))['response']).to.include({ id: 'resp_2' });
    expect(client.events.filter((event) => event.type === 'error')).to.have.length(1);
  });

  it('hands a "look up" request to the background agent with a function call (the session declares it)', async () => {
    const client = await connect();
    client.send(SESSION_UPDATE);
    await client.next('session.updated');
    client.sendText('Can you look up the weather in Paris?');
    client.send({ type: 'response.create' });
    await client.next('rate_limits.updated');
    const from = 4;
    const args = '{"prompt":"Can you look up the weather in Paris?"}';
    const started = {
      id: 'item_2',
      object: 'realtime.item',
      type: 'function_call',
      status: 'in_progress',
      name: 'background_agent',
      call_id: 'call_1',
      arguments: '',
    };
    const completed = { ...started, status: 'completed', arguments: args };
    const events = client.events.slice(from).map((event) => {
      const copy: Record<string, unknown> = { ...event };
      delete copy['event_id'];
      if (copy['response'] !== undefined) {
        const response = copy['response'] as Record<string, unknown>;
        copy['response'] = { id: response['id'], status: response['status'], output: response['output'] };
      }
      return copy;
    });
    expect(events).to.deep.equal([
      { type: 'response.created', response: { id: 'resp_1', status: 'in_progress', output: [] } },
      { type: 'response.output_item.added', response_id: 'resp_1', output_index: 0, item: started },
      { type: 'conversation.item.added', previous_item_id: 'item_1', item: started },
      {
        type: 'response.function_call_arguments.delta',
        response_id: 'resp_1',
        item_id: 'item_2',
        output_index: 0,
        call_id: 'call_1',
        delta: args,
      },
      {
        type: 'response.function_call_arguments.done',
        response_id: 'resp_1',
        item_id: 'item_2',
        output_index: 0,
        call_id: 'call_1',
        name: 'background_agent',
        arguments: args,
      },
      { type: 'response.output_item.done', response_id: 'resp_1', output_index: 0, item: completed },
      { type: 'conversation.item.done', previous_item_id: 'item_1', item: completed },
      { type: 'response.done', response: { id: 'resp_1', status: 'completed', output: [completed] } },
      { type: 'rate_limits.updated', rate_limits: events.at(-1)?.['rate_limits'] },
    ]);
  });

  it('speaks a function_call_output (without the final-message prefix) when response.create follows; progress items are not requests', async () => {
    const client = await connect();
    client.send(SESSION_UPDATE);
    client.sendText('ask the agent about Paris');
    client.send({ type: 'response.create' });
    await client.next('response.done');
    client.sendText("still checking\n\nUpdate from background agent (task hasn't finished yet):");
    client.send({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: 'call_1', output: '"Agent Final Message":\n\nIt is sunny in Paris.' },
    });
    const output = await client.next(
      (event) => event.type === 'conversation.item.done' && (event['item'] as { type: string }).type === 'function_call_output',
    );
    expect(output['item']).to.deep.equal({
      id: 'item_4',
      object: 'realtime.item',
      type: 'function_call_output',
      status: 'completed',
      call_id: 'call_1',
      output: '"Agent Final Message":\n\nIt is sunny in Paris.',
    });
    client.send({ type: 'response.create' });
    const done = await client.next('response.done');
    expect(done['response']).to.deep.include({ id: 'resp_2', status: 'completed' });
    expect(client.events.find((event) => event.type === 'response.output_audio_transcript.done')).to.include({
      transcript: 'It is sunny in Paris.',
    });
    expect(spokenSequence(client.events, 'resp_2')).to.deep.equal(expectedSpeech('It is sunny in Paris.'));
    // A progress item alone never triggers a handoff: the next response has nothing to answer.
    client.sendText("more progress\n\nUpdate from background agent (task hasn't finished yet):");
    client.send({ type: 'response.create' });
    const third = await client.next((event) => event.type === 'response.output_audio_transcript.done' && event['response_id'] === 'resp_3');
    expect(third).to.include({ transcript: 'How can I help you?' });
  });

  it('detects speech in microphone audio: speech_started, speech_stopped, committed, transcription, then answers by itself', async () => {
    const client = await connect({ transcripts: ['what time is it'] });
    client.send(SESSION_UPDATE); // with audio.input.transcription: the user's speech is transcribed
    await client.next('session.updated');
    const audio = Buffer.concat([silenceAudio(200), synthesizeSpeech('what time is it'), silenceAudio(600)]);
    client.sendAudio(audio);
    await client.next('rate_limits.updated');
    expect(client.summary(2)).to.deep.equal([
      'input_audio_buffer.speech_started',
      'input_audio_buffer.speech_stopped',
      'input_audio_buffer.committed',
      'conversation.item.added',
      'conversation.item.done',
      'conversation.item.input_audio_transcription.delta',
      'conversation.item.input_audio_transcription.delta',
      'conversation.item.input_audio_transcription.delta',
      'conversation.item.input_audio_transcription.delta',
      'conversation.item.input_audio_transcription.completed',
      'response.created',
      'response.output_item.added',
      'conversation.item.added',
      'response.content_part.added',
      ...speechWords('You said: what time is it.').map(() => 'response.output_audio_transcript.delta'),
      'response.output_audio.done',
      'response.output_audio_transcript.done',
      'response.content_part.done',
      'response.output_item.done',
      'conversation.item.done',
      'response.done',
      'rate_limits.updated',
    ]);
    const [started, stopped, committed] = client.events.slice(2, 5) as ServerEvent[];
    const [vadStart, vadStop] = new EnergyVad({ silenceMs: 500 }).feed(audio) as unknown as [
      { audioStartMs: number },
      { audioEndMs: number },
    ];
    expect(started).to.deep.equal({
      type: 'input_audio_buffer.speech_started',
      event_id: 'event_3',
      audio_start_ms: vadStart.audioStartMs,
      item_id: 'item_1',
    });
    expect(started?.['audio_start_ms']).to.be.within(200, 220);
    expect(stopped).to.deep.equal({
      type: 'input_audio_buffer.speech_stopped',
      event_id: 'event_4',
      audio_end_ms: vadStop.audioEndMs,
      item_id: 'item_1',
    });
    expect(committed).to.deep.equal({
      type: 'input_audio_buffer.committed',
      event_id: 'event_5',
      previous_item_id: null,
      item_id: 'item_1',
    });
    const deltas = client.events.filter((event) => event.type === 'conversation.item.input_audio_transcription.delta');
    expect(deltas.map((event) => event['delta'])).to.deep.equal(['what', ' time', ' is', ' it']);
    expect(deltas[0]).to.include({ item_id: 'item_1', content_index: 0 });
    const completed = client.events.find((event) => event.type === 'conversation.item.input_audio_transcription.completed');
    expect(completed).to.deep.include({ item_id: 'item_1', content_index: 0, transcript: 'what time is it' });
    expect(client.events.find((event) => event.type === 'response.output_audio_transcript.done')).to.include({
      transcript: 'You said: what time is it.',
    });
  });

  it('speech during an answer cancels it (response.done cancelled, audio stops); truncate and delete are acknowledged', async () => {
    const long =
      'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty';
    const client = await connect({ speed: 10, answer: () => long });
    client.sendText('talk to me');
    client.send({ type: 'response.create' });
    await client.next('response.output_audio.delta');
    client.sendAudio(Buffer.concat([synthesizeSpeech('wait'), silenceAudio(600)]));
    const started = await client.next('input_audio_buffer.speech_started');
    expect(started['item_id']).to.equal('item_3');
    const at = client.position;
    const done = await client.next((event) => event.type === 'response.done' && (event['response'] as { id: string }).id === 'resp_1');
    expect(client.summary(at, client.position)).to.deep.equal([
      'response.output_audio.done',
      'response.output_audio_transcript.done',
      'response.content_part.done',
      'response.output_item.done',
      'conversation.item.done',
      'response.done',
    ]);
    expect(done['response']).to.deep.include({
      id: 'resp_1',
      status: 'cancelled',
      status_details: { type: 'cancelled', reason: 'turn_detected' },
    });
    const spoken = client.events.filter(
      (event) => event.type === 'response.output_audio_transcript.delta' && event['response_id'] === 'resp_1',
    );
    const transcript = spoken.map((event) => event['delta']).join('');
    expect(transcript.length).to.be.greaterThan(0);
    expect(long.startsWith(transcript)).to.equal(true);
    expect(transcript).not.to.equal(long);
    expect(client.events.find((event) => event.type === 'response.output_audio_transcript.done')).to.include({ transcript });
    const itemDone = client.events.find((event) => event.type === 'response.output_item.done');
    expect(itemDone?.['item']).to.include({ id: 'item_2', status: 'incomplete' });
    const audioAfter = client.events
      .slice(at)
      .filter((event) => event.type === 'response.output_audio.delta' && event['response_id'] === 'resp_1');
    expect(audioAfter).to.deep.equal([]);

    client.send({ type: 'conversation.item.truncate', item_id: 'item_2', content_index: 0, audio_end_ms: 20 });
    const truncated = await client.next('conversation.item.truncated');
    expect(truncated).to.deep.equal({
      type: 'conversation.item.truncated',
      event_id: truncated['event_id'],
      item_id: 'item_2',
      content_index: 0,
      audio_end_ms: 20,
    });
    client.send({ type: 'conversation.item.truncate', item_id: 'item_2', content_index: 0, audio_end_ms: 600000 });
    expect((await client.next('error'))['error']).to.include({
      type: 'invalid_request_error',
      code: 'invalid_value',
      param: 'audio_end_ms',
    });
    client.send({ type: 'conversation.item.delete', item_id: 'item_2' });
    const deleted = await client.next('conversation.item.deleted');
    expect(deleted).to.deep.equal({ type: 'conversation.item.deleted', event_id: deleted['event_id'], item_id: 'item_2' });
    client.send({ type: 'conversation.item.delete', item_id: 'item_2' });
    expect((await client.next('error'))['error']).to.include({ code: 'invalid_value', param: 'item_id' });
  });

  it('answers bad client JSON with a non-fatal invalid_request_error and keeps the connection', async () => {
    const client = await connect();
    client.send('{"type": ');
    const error = await client.next('error');
    expect(error['error']).to.deep.include({ type: 'invalid_request_error', code: 'invalid_json', param: null, event_id: null });
    expect(String((error['error'] as { message: string }).message)).to.match(/^The client event is not valid JSON: /);
    client.send({ type: 'session.update', session: {} });
    expect((await client.next('error'))['error']).to.include({ code: 'missing_required_parameter', param: 'session.type' });
    client.send(SESSION_UPDATE);
    expect((await client.next('session.updated'))['type']).to.equal('session.updated');
  });

  it('streams text deltas and no audio for output_modalities ["text"]', async () => {
    const client = await connect();
    client.send({ type: 'session.update', session: { ...SESSION_UPDATE.session, output_modalities: ['text'] } });
    client.sendText('hi');
    client.send({ type: 'response.create' });
    await client.next('response.done');
    expect(client.events.filter((event) => event.type === 'response.output_audio.delta')).to.deep.equal([]);
    expect(client.events.filter((event) => event.type === 'response.output_text.delta').map((event) => event['delta'])).to.deep.equal([
      'You',
      ' said:',
      ' hi.',
    ]);
    expect(client.events.find((event) => event.type === 'response.output_text.done')).to.include({
      text: 'You said: hi.',
      item_id: 'item_2',
    });
  });
});
