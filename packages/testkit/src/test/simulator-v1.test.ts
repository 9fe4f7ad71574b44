import { expect } from 'chai';
import {
  RealtimeSimulator,
  silenceAudio,
  speechWords,
  synthesizeSpeech,
  wordSpeechFrames,
  type RealtimeSimulatorOptions,
} from '../simulator/index.js';
import { realtimeUrl, TestClient, type ServerEvent } from './simulator-test-client.js';

/** Parley's v1 session.update (spec 02). */
const SESSION_UPDATE = {
  type: 'session.update',
  session: {
    type: 'quicksilver',
    instructions: 'backend prompt',
    audio: { input: { format: { type: 'audio/pcm', rate: 24000 } }, output: { voice: 'breeze' } },
  },
};

/** The v1 events an assistant item speaking `text` produces: item added, per word delta + frames, item done. */
function expectedAnswer(itemId: string, text: string): ServerEvent[] {
  const events: ServerEvent[] = [
    { type: 'conversation.item.added', item: { id: itemId, type: 'message', role: 'assistant', content: [] } },
  ];
  speechWords(text).forEach((word, index) => {
    events.push({ type: 'conversation.output_transcript.delta', delta: index === 0 ? word : ` ${word}` });
    for (const frame of wordSpeechFrames(word)) {
      events.push({ type: 'conversation.output_audio.delta', delta: frame, sample_rate: 24000, channels: 1, samples_per_channel: 480 });
    }
  });
  events.push({
    type: 'conversation.item.done',
    item: { id: itemId, type: 'message', role: 'assistant', content: [{ type: 'output_audio', transcript: text }] },
  });
  return events;
}

function inputDeltas(...deltas: string[]): ServerEvent[] {
  return deltas.map((delta) => ({ type: 'conversation.input_transcript.delta', delta }));
}

function userText(text: string): Record<string, unknown> {
  return { type: 'message', role: 'user', content: [{ type: 'input_text', text }] };
}

describe('RealtimeSimulator demo mode, v1 (quicksilver)', function () {
  this.timeout(8000);
  let simulator: RealtimeSimulator | undefined;
  let clients: TestClient[] = [];

  async function connect(options: Partial<RealtimeSimulatorOptions> = {}): Promise<TestClient> {
    simulator = new RealtimeSimulator({ protocol: 'v1', mode: 'demo', speed: 50, ...options });
    const { url } = await simulator.start();
    const client = await TestClient.connect(realtimeUrl(url, '?intent=quicksilver'));
    clients.push(client);
    return client;
  }

  afterEach(async () => {
    for (const client of clients) client.close();
    clients = [];
    await simulator?.close();
    simulator = undefined;
  });

  it('answers session.update with session.updated (session id, instructions); sends nothing before', async () => {
    const client = await connect();
    client.send(SESSION_UPDATE);
    await client.next('session.updated');
    expect(client.events).to.deep.equal([
      {
        type: 'session.updated',
        session: {
          id: 'sess_sim_1',
          type: 'quicksilver',
          instructions: 'backend prompt',
          audio: { input: { format: { type: 'audio/pcm', rate: 24000 } }, output: { voice: 'breeze' } },
        },
      },
    ]);
  });

  it('answers user text by itself: input transcript, then the spoken answer (24 kHz mono frames of 480 samples)', async () => {
    const client = await connect();
    client.sendText('hello there');
    await client.next((event) => event.type === 'conversation.item.done' && (event['item'] as { role: string }).role === 'assistant');
    const item = { ...userText('hello there'), id: 'item_1' };
    expect(client.events).to.deep.equal([
      { type: 'conversation.item.added', item },
      { type: 'conversation.item.done', item },
      ...inputDeltas('hello', ' there'),
      ...expectedAnswer('item_2', 'You said: hello there.'),
    ]);
  });

  it('hands off "look up": handoff.requested, then the late tail of the user words and "On it." inside the grace', async () => {
    const client = await connect({ handoffLateMs: 60 });
    client.sendText('please look up the weather in Paris');
    await client.next((event) => event.type === 'conversation.item.done' && (event['item'] as { role: string }).role === 'assistant');
    const item = { ...userText('please look up the weather in Paris'), id: 'item_1' };
    const handoff = {
      type: 'conversation.handoff.requested',
      handoff_id: 'handoff_1',
      item_id: 'item_1',
      input_transcript: 'please look up the weather in Paris',
    };
    expect(client.events).to.deep.equal([
      { type: 'conversation.item.added', item },
      { type: 'conversation.item.done', item },
      ...inputDeltas('please', ' look', ' up', ' the', ' weather'),
      handoff,
      ...inputDeltas(' in', ' Paris'),
      ...expectedAnswer('item_2', 'On it.'),
    ]);
    const handoffAt = client.times[7] as number;
    const tailAt = client.times[8] as number;
    const ackAt = client.times[10] as number;
    expect(tailAt - handoffAt).to.be.within(55, 900);
    expect(ackAt - handoffAt).to.be.within(115, 950);
  });

  it('speaks conversation.handoff.append output without the prefix; an unknown handoff id is an error', async () => {
    const client = await connect({ handoffLateMs: 5 });
    client.sendText('ask the agent');
    await client.next('conversation.handoff.requested');
    await client.next((event) => event.type === 'conversation.item.done' && (event['item'] as { role: string }).role === 'assistant');
    const from = client.events.length;
    client.send({
      type: 'conversation.handoff.append',
      handoff_id: 'handoff_1',
      output_text: '"Agent Final Message":\n\nThe weather is sunny.',
    });
    await client.next((event) => event.type === 'conversation.item.done' && (event['item'] as { id: string }).id === 'item_3');
    expect(client.events.slice(from)).to.deep.equal(expectedAnswer('item_3', 'The weather is sunny.'));
    client.send({ type: 'conversation.handoff.append', handoff_id: 'handoff_9', output_text: 'x' });
    expect(await client.next('error')).to.deep.equal({
      type: 'error',
      error: { type: 'invalid_request_error', code: 'invalid_value', message: "Unknown handoff_id: 'handoff_9'." },
    });
  });

  it('hears microphone speech as a user turn (transcript from `transcripts`) and answers it', async () => {
    const client = await connect({ transcripts: ['good morning'] });
    client.sendAudio(Buffer.concat([silenceAudio(100), synthesizeSpeech('good morning'), silenceAudio(500)]));
    await client.next((event) => event.type === 'conversation.item.done' && (event['item'] as { role: string }).role === 'assistant');
    const item = { id: 'item_1', type: 'message', role: 'user', content: [{ type: 'input_audio', transcript: 'good morning' }] };
    expect(client.events).to.deep.equal([
      { type: 'conversation.item.added', item },
      { type: 'conversation.item.done', item },
      ...inputDeltas('good', ' morning'),
      ...expectedAnswer('item_2', 'You said: good morning.'),
    ]);
  });

  it('stops talking when the user speaks', async () => {
    const long = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen';
    const client = await connect({ speed: 10, answer: () => long });
    client.sendText('talk');
    await client.next('conversation.output_audio.delta');
    client.sendAudio(Buffer.concat([synthesizeSpeech('stop'), silenceAudio(500)]));
    const done = await client.next((event) => event.type === 'conversation.item.done' && (event['item'] as { id: string }).id === 'item_2');
    const interruptedAt = client.position;
    const transcript = (done['item'] as { content: { transcript: string }[] }).content[0]?.transcript ?? '';
    expect(transcript.length).to.be.greaterThan(0);
    expect(long.startsWith(transcript) && transcript !== long).to.equal(true);
    // The next events are the user's new turn (item_3) and its answer (item_4), no more of item_2.
    const next = await client.next('conversation.item.added');
    expect(next['item']).to.deep.include({ id: 'item_3', role: 'user' });
    expect(client.events.slice(interruptedAt, client.position - 1)).to.deep.equal([]);
  });

  it('answers bad JSON and events v1 does not have with an error event', async () => {
    const client = await connect();
    client.send('nope');
    expect((await client.next('error'))['error']).to.include({ type: 'invalid_request_error', code: 'invalid_json' });
    client.send({ type: 'response.create' });
    expect(await client.next('error')).to.deep.equal({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        code: 'invalid_value',
        message: "Unsupported event type for quicksilver: 'response.create'.",
      },
    });
    client.send(SESSION_UPDATE);
    await client.next('session.updated');
  });
});
