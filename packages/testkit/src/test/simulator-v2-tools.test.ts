import { expect } from 'chai';
import { RealtimeSimulator, silenceAudio, synthesizeSpeech, type RealtimeSimulatorOptions } from '../simulator/index.js';
import {
  candidateTools,
  chooseToolCalls,
  matchesTool,
  normalizedText,
  outputSpeech,
  systemItemSpeech,
  toolArguments,
  toolPhrase,
} from '../simulator/v2-tools.js';
import { realtimeUrl, TestClient, type ServerEvent } from './simulator-test-client.js';

const HANDOFF = {
  type: 'function',
  name: 'background_agent',
  description: 'Send a user request to the background agent.',
  parameters: { type: 'object', properties: { prompt: { type: 'string' } }, required: ['prompt'], additionalProperties: false },
};
const CURRENT_TIME = {
  type: 'function',
  name: 'current_time',
  description: 'The current time in an IANA time zone, ISO 8601.',
  parameters: {
    type: 'object',
    properties: { timezone: { type: 'string', examples: ['Europe/Paris'] } },
    required: ['timezone'],
  },
};
const WEATHER = {
  type: 'function',
  name: 'weather',
  description: 'The weather.',
  parameters: { type: 'object', properties: { city: { type: 'string', default: 'Paris' } }, required: ['city'] },
};

function sessionUpdate(tools: unknown[], toolChoice: unknown = 'auto'): Record<string, unknown> {
  return {
    type: 'session.update',
    session: { type: 'realtime', output_modalities: ['audio'], tools, tool_choice: toolChoice },
  };
}

/** Events without their `event_id` (checked separately: consecutive). */
function withoutEventIds(events: ServerEvent[]): Record<string, unknown>[] {
  return events.map((event) => {
    const copy: Record<string, unknown> = { ...event };
    delete copy['event_id'];
    return copy;
  });
}

describe('RealtimeSimulator demo mode, v2: user function tools (spec 09 §13.1)', function () {
  this.timeout(8000);

  describe('match', () => {
    it('normalises the user text and the tool name: lowercase, non-alphanumerics as spaces, collapsed, padded', () => {
      expect(normalizedText('What is the  Current-Time?')).to.equal(' what is the current time ');
      expect(normalizedText('')).to.equal('  ');
      expect(toolPhrase('Current_Time')).to.equal(' current time ');
      expect(toolPhrase('get-the__weather')).to.equal(' get the weather ');
    });

    it('matches the spec examples and whole words only', () => {
      expect(matchesTool('What is the current time?', 'current_time')).to.equal(true);
      expect(matchesTool('CURRENT TIME', 'current_time')).to.equal(true);
      expect(matchesTool('current_time', 'current_time')).to.equal(true);
      expect(matchesTool('the current timezone', 'current_time')).to.equal(false);
      expect(matchesTool('recurrent time', 'current_time')).to.equal(false);
      expect(matchesTool('currenttime', 'current_time')).to.equal(false);
      expect(matchesTool('time current', 'current_time')).to.equal(false);
      expect(matchesTool('anything', '_')).to.equal(false);
    });

    it('calls every matching tool once, in declaration order, before the handoff words', () => {
      const tools = [HANDOFF, WEATHER, CURRENT_TIME, { ...WEATHER }, { type: 'mcp', server_label: 'current_time' }];
      expect(candidateTools(tools).map((tool) => tool['name'])).to.deep.equal(['weather', 'current_time']);
      expect(chooseToolCalls({ text: 'current time and weather please', wantsHandoff: false }, tools, 'auto')).to.deep.equal([
        { name: 'weather', arguments: '{"city":"Paris"}' },
        { name: 'current_time', arguments: '{"timezone":"Europe/Paris"}' },
      ]);
      expect(chooseToolCalls({ text: 'What is the current time?', wantsHandoff: false }, tools, 'auto')).to.deep.equal([
        { name: 'current_time', arguments: '{"timezone":"Europe/Paris"}' },
      ]);
      // "look up" is a handoff word, but a named tool wins.
      expect(chooseToolCalls({ text: 'look up the weather', wantsHandoff: true }, tools, 'auto')).to.deep.equal([
        { name: 'weather', arguments: '{"city":"Paris"}' },
      ]);
      expect(chooseToolCalls({ text: 'look up the news', wantsHandoff: true }, tools, 'auto')).to.deep.equal([
        { name: 'background_agent', arguments: '{"prompt":"look up the news"}' },
      ]);
      expect(chooseToolCalls({ text: 'hello', wantsHandoff: false }, tools, 'auto')).to.deep.equal([]);
    });

    it('honours tool_choice: none calls nothing, a named function only that one, required forces a call', () => {
      const tools = [HANDOFF, WEATHER, CURRENT_TIME];
      const both = { text: 'current time and weather', wantsHandoff: false };
      expect(chooseToolCalls(both, tools, 'none')).to.deep.equal([]);
      expect(chooseToolCalls(both, tools, { type: 'function', name: 'current_time' })).to.deep.equal([
        { name: 'current_time', arguments: '{"timezone":"Europe/Paris"}' },
      ]);
      // Forced, nothing named: the named function is called anyway.
      expect(chooseToolCalls({ text: 'hello', wantsHandoff: false }, tools, { type: 'function', name: 'weather' })).to.deep.equal([
        { name: 'weather', arguments: '{"city":"Paris"}' },
      ]);
      // required, nothing named: the handoff tool when declared (as before), else the first user tool.
      expect(chooseToolCalls({ text: 'hello', wantsHandoff: false }, tools, 'required')).to.deep.equal([
        { name: 'background_agent', arguments: '{"prompt":"hello"}' },
      ]);
      expect(chooseToolCalls({ text: 'hello', wantsHandoff: false }, [WEATHER, CURRENT_TIME], 'required')).to.deep.equal([
        { name: 'weather', arguments: '{"city":"Paris"}' },
      ]);
      // A named handoff tool forbids the user tools.
      expect(chooseToolCalls(both, tools, { type: 'function', name: 'background_agent' })).to.deep.equal([
        { name: 'background_agent', arguments: '{"prompt":"current time and weather"}' },
      ]);
    });
  });

  describe('arguments', () => {
    it('the spec example: examples[0] of a required property', () => {
      expect(
        toolArguments({
          type: 'object',
          properties: { timezone: { type: 'string', examples: ['Europe/Paris'] } },
          required: ['timezone'],
        }),
      ).to.deep.equal({ timezone: 'Europe/Paris' });
    });

    it('examples[0], else default, else enum[0], else by type; required order; others left out', () => {
      const parameters = {
        type: 'object',
        properties: {
          a: { type: 'string', examples: ['x', 'y'], default: 'd', enum: ['e'] },
          b: { type: 'integer', default: 7, enum: [1] },
          c: { type: 'string', enum: ['metric', 'imperial'] },
          d: { type: 'string', examples: [] },
          n: { type: 'number' },
          i: { type: 'integer' },
          t: { type: 'boolean' },
          l: { type: 'array' },
          o: { type: 'object' },
          z: { type: 'null' },
          u: { type: ['string', 'null'] },
          w: {},
          optional: { type: 'string', examples: ['never'] },
          f: { default: false },
        },
        required: ['t', 'a', 'b', 'c', 'd', 'n', 'i', 'l', 'o', 'z', 'u', 'w', 'missing', 42, 'f'],
      };
      expect(JSON.stringify(toolArguments(parameters))).to.equal(
        '{"t":false,"a":"x","b":7,"c":"metric","d":"","n":0,"i":0,"l":[],"o":{},"z":null,"u":"","w":"","f":false}',
      );
    });

    it('no usable schema gives {}', () => {
      expect(toolArguments(undefined)).to.deep.equal({});
      expect(toolArguments({ type: 'object', properties: {} })).to.deep.equal({});
      expect(toolArguments({ type: 'object', required: ['a'] })).to.deep.equal({});
      expect(toolArguments({ type: 'object', properties: { a: 'string' }, required: ['a'] })).to.deep.equal({});
      expect(toolArguments([1])).to.deep.equal({});
    });
  });

  describe('speaking', () => {
    it('outputs: handoff ones without the prefix, error-only objects as an apology, anything else as is', () => {
      expect(outputSpeech('"Agent Final Message":\n\nIt is sunny.')).to.equal('It is sunny.');
      expect(outputSpeech('{"error":"tool `current_time` failed: clock down"}')).to.equal(
        'Sorry, that did not work: tool `current_time` failed: clock down',
      );
      expect(outputSpeech('{"error":"x","code":1}')).to.equal('{"error":"x","code":1}');
      expect(outputSpeech('{"error":1}')).to.equal('{"error":1}');
      expect(outputSpeech('["error"]')).to.equal('["error"]');
      expect(outputSpeech('10:15')).to.equal('10:15');
      expect(outputSpeech('')).to.equal('');
    });

    it('system items: the text after the first blank line, else all of it', () => {
      expect(systemItemSpeech('Result of background tool call call_bk (book_table):\n\nBooked: Chez Marie, 20:00')).to.equal(
        'Booked: Chez Marie, 20:00',
      );
      expect(systemItemSpeech('a\n\nb\n\nc')).to.equal('b\n\nc');
      expect(systemItemSpeech('no blank line')).to.equal('no blank line');
    });
  });

  describe('over the wire', () => {
    let simulator: RealtimeSimulator | undefined;
    let clients: TestClient[] = [];

    async function connect(options: Partial<RealtimeSimulatorOptions> = {}): Promise<TestClient> {
      simulator = new RealtimeSimulator({ protocol: 'v2', mode: 'demo', speed: Infinity, ...options });
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

    it('calls two matching tools in one response with the exact GA frames (parallel calls)', async () => {
      const client = await connect();
      client.send(sessionUpdate([HANDOFF, CURRENT_TIME, WEATHER]));
      await client.next('session.updated');
      client.sendText('current time and weather please');
      client.send({ type: 'response.create' });
      await client.next('rate_limits.updated');
      const from = 4; // session.created, session.updated, the user item added and done
      const frames = client.events.slice(from);
      expect(frames.map((event) => event['event_id'])).to.deep.equal(frames.map((_event, index) => `event_${from + 1 + index}`));
      const call = (name: string, itemId: string, callId: string, args: string, status: string) => ({
        id: itemId,
        object: 'realtime.item',
        type: 'function_call',
        status,
        name,
        call_id: callId,
        arguments: args,
      });
      const timeArgs = '{"timezone":"Europe/Paris"}';
      const weatherArgs = '{"city":"Paris"}';
      const time = call('current_time', 'item_2', 'call_1', timeArgs, 'completed');
      const weather = call('weather', 'item_3', 'call_2', weatherArgs, 'completed');
      const response = (status: string, output: unknown[]) => ({
        object: 'realtime.response',
        id: 'resp_1',
        status,
        output,
        conversation_id: 'conv_sim_1',
        output_modalities: ['audio'],
        max_output_tokens: 'inf',
        audio: { output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin' } },
        metadata: null,
      });
      const events = withoutEventIds(frames);
      const done = events.at(-2) as { response: Record<string, unknown> };
      const { usage, ...doneResponse } = done.response;
      expect(events).to.deep.equal([
        { type: 'response.created', response: response('in_progress', []) },
        {
          type: 'response.output_item.added',
          response_id: 'resp_1',
          output_index: 0,
          item: call('current_time', 'item_2', 'call_1', '', 'in_progress'),
        },
        { type: 'conversation.item.added', previous_item_id: 'item_1', item: call('current_time', 'item_2', 'call_1', '', 'in_progress') },
        {
          type: 'response.function_call_arguments.delta',
          response_id: 'resp_1',
          item_id: 'item_2',
          output_index: 0,
          call_id: 'call_1',
          delta: timeArgs,
        },
        {
          type: 'response.function_call_arguments.done',
          response_id: 'resp_1',
          item_id: 'item_2',
          output_index: 0,
          call_id: 'call_1',
          name: 'current_time',
          arguments: timeArgs,
        },
        { type: 'response.output_item.done', response_id: 'resp_1', output_index: 0, item: time },
        { type: 'conversation.item.done', previous_item_id: 'item_1', item: time },
        {
          type: 'response.output_item.added',
          response_id: 'resp_1',
          output_index: 1,
          item: call('weather', 'item_3', 'call_2', '', 'in_progress'),
        },
        { type: 'conversation.item.added', previous_item_id: 'item_2', item: call('weather', 'item_3', 'call_2', '', 'in_progress') },
        {
          type: 'response.function_call_arguments.delta',
          response_id: 'resp_1',
          item_id: 'item_3',
          output_index: 1,
          call_id: 'call_2',
          delta: weatherArgs,
        },
        {
          type: 'response.function_call_arguments.done',
          response_id: 'resp_1',
          item_id: 'item_3',
          output_index: 1,
          call_id: 'call_2',
          name: 'weather',
          arguments: weatherArgs,
        },
        { type: 'response.output_item.done', response_id: 'resp_1', output_index: 1, item: weather },
        { type: 'conversation.item.done', previous_item_id: 'item_2', item: weather },
        { type: 'response.done', response: { ...response('completed', [time, weather]), usage } },
        { type: 'rate_limits.updated', rate_limits: events.at(-1)?.['rate_limits'] },
      ]);
      expect(doneResponse).to.deep.equal(response('completed', [time, weather]));
      // Output tokens: the names and arguments (≈ 4 characters a token).
      expect(usage).to.deep.include({
        output_tokens: Math.ceil(`current_time${timeArgs}`.length / 4) + Math.ceil(`weather${weatherArgs}`.length / 4),
      });
    });

    it('speaks outputs and system items at the next response, first, in arrival order joined by one space', async () => {
      const client = await connect();
      client.send(sessionUpdate([HANDOFF, CURRENT_TIME, WEATHER]));
      client.sendText('What is the current time?');
      client.send({ type: 'response.create' });
      await client.next('response.done');
      client.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_1', output: '10:15' } });
      client.send({
        type: 'conversation.item.create',
        item: { type: 'function_call_output', call_id: 'call_x', output: '{"error":"tool `weather` failed: no data"}' },
      });
      client.send({
        type: 'conversation.item.create',
        item: {
          type: 'message',
          role: 'system',
          content: [{ type: 'input_text', text: 'Result of background tool call call_bk (book_table):\n\nBooked: Chez Marie, 20:00' }],
        },
      });
      client.send({
        type: 'conversation.item.create',
        item: { type: 'function_call_output', call_id: 'call_h', output: '"Agent Final Message":\n\nIt is sunny.' },
      });
      client.send({ type: 'response.create' });
      const transcript = await client.next('response.output_audio_transcript.done');
      expect(transcript).to.include({
        response_id: 'resp_2',
        transcript: '10:15 Sorry, that did not work: tool `weather` failed: no data Booked: Chez Marie, 20:00 It is sunny.',
      });
      // Spoken once: the next response has nothing pending.
      client.send({ type: 'response.create' });
      await client.next('response.created');
      expect(await client.next('response.output_audio_transcript.done')).to.include({
        response_id: 'resp_3',
        transcript: 'How can I help you?',
      });
    });

    it('speaks pending outputs before the answer to a user request that arrived with them', async () => {
      const client = await connect();
      client.send(sessionUpdate([CURRENT_TIME]));
      client.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_9', output: '10:15' } });
      client.sendText('thanks');
      client.send({ type: 'response.create' });
      expect(await client.next('response.output_audio_transcript.done')).to.include({ transcript: '10:15 You said: thanks.' });
    });

    it('calls a tool the VAD turn names in the automatic response, then speaks its output after response.create', async () => {
      const client = await connect({ transcripts: ['what is the current time'] });
      client.send(sessionUpdate([HANDOFF, CURRENT_TIME]));
      await client.next('session.updated');
      client.sendAudio(Buffer.concat([silenceAudio(200), synthesizeSpeech('what is the current time'), silenceAudio(700)]));
      const called = await client.next('response.function_call_arguments.done');
      expect(called).to.include({
        response_id: 'resp_1',
        call_id: 'call_1',
        name: 'current_time',
        arguments: '{"timezone":"Europe/Paris"}',
      });
      await client.next('response.done');
      client.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_1', output: '10:15' } });
      client.send({ type: 'response.create' });
      expect(await client.next('response.output_audio_transcript.done')).to.include({ response_id: 'resp_2', transcript: '10:15' });
    });

    it('with tool_choice none it answers in speech; a response.create naming a tool forces it', async () => {
      const client = await connect();
      client.send(sessionUpdate([CURRENT_TIME, WEATHER], 'none'));
      client.sendText('What is the current time?');
      client.send({ type: 'response.create' });
      expect(await client.next('response.output_audio_transcript.done')).to.include({ transcript: 'You said: What is the current time?' });
      await client.next('response.done');
      client.sendText('hello');
      client.send({ type: 'response.create', response: { tool_choice: { type: 'function', name: 'weather' } } });
      expect(await client.next('response.function_call_arguments.done')).to.include({ name: 'weather', arguments: '{"city":"Paris"}' });
    });
  });
});
