import { expect } from 'chai';
import { RealtimeSimulator } from '../simulator/realtime-simulator.js';
import { TestClient, type ServerEvent } from './simulator-test-client.js';

function liveUrl(base: string, path = '/v1/live/sessions', query = ''): string {
  return `${base.replace(/^http/, 'ws')}${path}${query}`;
}

const START = { type: 'session.start', session: { model: 'gpt-live-1', instructions: 'be brief', delegation: { type: 'client' } } };

describe('RealtimeSimulator demo mode, live (spec 08)', function () {
  this.timeout(10000);
  let simulator: RealtimeSimulator;
  let clients: TestClient[] = [];

  async function open(options: Partial<ConstructorParameters<typeof RealtimeSimulator>[0]> = {}): Promise<TestClient> {
    simulator = new RealtimeSimulator({ protocol: 'live', mode: 'demo', speed: 50, handoffLateMs: 40, ...options });
    const { url } = await simulator.start();
    const client = await TestClient.connect(liveUrl(url), { 'openai-alpha': 'quicksilver=v3' });
    clients.push(client);
    return client;
  }

  afterEach(async () => {
    clients = [];
    await simulator?.close();
  });

  it('serves only /v1/live/sessions (404) and refuses intent (400); records openai-alpha', async () => {
    simulator = new RealtimeSimulator({ protocol: 'live' });
    const { url } = await simulator.start();
    expect((await TestClient.refused(liveUrl(url, '/v1/realtime'))).status).to.equal(404);
    expect((await TestClient.refused(liveUrl(url, '/v1/live/sessions', '?intent=quicksilver'))).status).to.equal(400);
    clients.push(await TestClient.connect(liveUrl(url), { 'openai-alpha': 'quicksilver=v3' }));
    expect(simulator.handshakes[2]!.headers['openai-alpha']).to.equal('quicksilver=v3');
  });

  it('commands before session.start, and a second session.start, get non-fatal errors', async () => {
    const client = await open();
    client.send({ type: 'session.input_audio.append', audio: 'AAAA' });
    expect(((await client.next('error')).error as { code: string }).code).to.equal('session_not_started');
    client.send(START);
    const started = await client.next('session.started');
    expect(started.session).to.deep.include({
      id: 'sess_sim_1',
      model: 'gpt-live-1',
      instructions: 'be brief',
      delegation: { type: 'client' },
    });
    expect((started.session as { expires_at: number }).expires_at).to.be.greaterThan(Date.now() / 1000 + 7000);
    expect(started.event_id).to.equal('event_2');
    client.send(START);
    expect(((await client.next('error')).error as { code: string }).code).to.equal('session_already_started');
    client.send('{not json');
    expect(((await client.next('error')).error as { code: string }).code).to.equal('invalid_json');
    expect(client.closed).to.equal(undefined);
  });

  it('output audio is continuous: one 100 ms frame (2400 samples) per 100 timeline ms; usage every 5000 ms', async () => {
    const client = await open({ speed: 200 });
    client.send(START);
    await client.next('session.started');
    const usage = await client.next('session.usage.updated', 5000);
    expect(usage.usage).to.deep.equal({ seconds: 5 });
    const frames = client.events.filter((event) => event.type === 'session.output_audio.delta');
    expect(frames).to.have.length(50);
    expect(Buffer.from(frames[0]!.delta as string, 'base64').length).to.equal(4800);
    expect(Buffer.from(frames[0]!.delta as string, 'base64').every((byte) => byte === 0)).to.equal(true);
  });

  it('a delegated typed turn shows the late-transcript problem: head fragments, the delegation, then the late words ending at its offset', async () => {
    const client = await open();
    client.send(START);
    await client.next('session.started');
    client.send({ type: 'session.thinking.append', delegation_id: null, content: 'user: please look up the weather in Lisbon' });
    const appended = await client.next('session.thinking.appended');
    expect(appended).to.include({ delegation_id: null });
    expect(appended.start_ms).to.equal(appended.end_ms);
    client.send({ type: 'session.commentary.append', delegation_id: null, content: 'Respond now.' });
    const delegation = await client.next('session.delegation.created');
    const offset = delegation.offset_ms as number;
    expect(delegation.delegation).to.deep.equal({ id: 'deleg_1', type: 'delegation', target: 'client' });
    const fragments = (from: number): ServerEvent[] =>
      client.events.slice(from).filter((event) => event.type === 'session.input_transcript.delta');
    const before = fragments(0).filter((event) => client.events.indexOf(event) < client.events.indexOf(delegation));
    expect(before.map((event) => event.delta)).to.deep.equal(['please', ' look', ' up', ' the', ' weather']);
    expect(before[before.length - 1]!.end_ms).to.equal(offset - 400);
    await client.next((event) => event.type === 'session.input_transcript.delta' && event.end_ms === offset);
    const late = fragments(client.events.indexOf(delegation));
    expect(late.map((event) => [event.delta, event.start_ms, event.end_ms])).to.deep.equal([
      [' in', offset - 400, offset - 200],
      [' Lisbon', offset - 200, offset],
    ]);
    const said = await client.next('session.output_transcript.delta');
    expect(said.delta).to.equal('On', 'then the model says "On it."');
    expect(said.end_ms as number).to.be.greaterThan(said.start_ms as number);
  });

  it('commentary for an open delegation is acknowledged and spoken back; unknown delegations and oversized appends are refused', async () => {
    const client = await open();
    client.send(START);
    await client.next('session.started');
    client.send({ type: 'session.thinking.append', delegation_id: null, content: 'user: agent please' });
    client.send({ type: 'session.commentary.append', delegation_id: null, content: 'go' });
    await client.next('session.delegation.created');
    client.send({ type: 'session.commentary.append', delegation_id: 'deleg_9', content: 'x' });
    expect(((await client.next('error')).error as { code: string }).code).to.equal('unknown_delegation');
    client.send({ type: 'session.thinking.append', delegation_id: 'deleg_1', content: 'a'.repeat(2001) });
    expect(((await client.next('error')).error as { code: string }).code).to.equal('context_append_too_long');
    client.send({ type: 'session.commentary.append', delegation_id: 'deleg_1', content: 'Sunny and warm.' });
    await client.next('session.commentary.appended');
    await client.next((event) => event.type === 'session.output_transcript.delta' && event.delta === ' warm.', 5000);
  });

  describe('Responses mode (delegation.type responses)', () => {
    const RESPONSES_START = {
      type: 'session.start',
      session: {
        model: 'gpt-live-1',
        delegation: {
          type: 'responses',
          responses: {
            model: 'gpt-5',
            tools: [
              { type: 'web_search' },
              { type: 'function', name: 'get_weather', parameters: { type: 'object' } },
              { type: 'function', name: 'other' },
            ],
          },
        },
      },
    };
    const inner = (client: TestClient): unknown[] =>
      client.events.filter((event) => event.type === 'response.event').map((event) => [event.delegation_id, event.event]);

    it('a delegated turn: target responses, then response.created, a reasoning item, a function_call to the first function tool with {"request": the words}, response.completed', async () => {
      const client = await open();
      client.send(RESPONSES_START);
      await client.next('session.started');
      client.send({ type: 'session.thinking.append', delegation_id: null, content: 'user: please look up the weather in Lisbon' });
      client.send({ type: 'session.commentary.append', delegation_id: null, content: 'Respond now.' });
      const delegation = await client.next('session.delegation.created');
      expect(delegation.delegation).to.deep.equal({ id: 'deleg_1', type: 'delegation', target: 'responses' });
      await client.next((event) => event.type === 'response.event' && (event.event as { type: string }).type === 'response.completed');
      expect(inner(client)).to.deep.equal([
        ['deleg_1', { type: 'response.created', response: { id: 'resp_1', status: 'in_progress', output: [] } }],
        ['deleg_1', { type: 'response.output_item.done', output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [] } }],
        [
          'deleg_1',
          {
            type: 'response.output_item.done',
            output_index: 1,
            item: {
              id: 'fc_1',
              type: 'function_call',
              status: 'completed',
              call_id: 'call_1',
              name: 'get_weather',
              arguments: '{"request":"please look up the weather in Lisbon"}',
            },
          },
        ],
        ['deleg_1', { type: 'response.completed', response: { id: 'resp_1', status: 'completed', output: [] } }],
      ]);
    });

    it('an early response.create gets function_call_outputs_required; after the output is queued it is spoken', async () => {
      const client = await open();
      client.send(RESPONSES_START);
      await client.next('session.started');
      client.send({ type: 'session.thinking.append', delegation_id: null, content: 'user: agent, the weather' });
      client.send({ type: 'session.commentary.append', delegation_id: null, content: 'go' });
      await client.next((event) => event.type === 'response.event' && (event.event as { type: string }).type === 'response.completed');
      client.send({ type: 'response.create' });
      const early = await client.next('error');
      expect((early.error as { code: string }).code).to.equal('function_call_outputs_required');
      client.send({ type: 'response.item.create', item: { type: 'function_call_output', call_id: 'call_9', output: 'x' } });
      expect(((await client.next('error')).error as { code: string }).code).to.equal('invalid_value');
      client.send({
        type: 'response.item.create',
        item: { type: 'function_call_output', call_id: 'call_1', output: 'Sunny, 22 degrees.' },
      });
      client.send({ type: 'response.create' });
      await client.next((event) => event.type === 'session.output_transcript.delta' && event.delta === ' degrees.', 5000);
      const continued = inner(client).slice(4);
      expect(continued).to.deep.equal([
        ['deleg_1', { type: 'response.created', response: { id: 'resp_2', status: 'in_progress', output: [] } }],
        ['deleg_1', { type: 'response.completed', response: { id: 'resp_2', status: 'completed', output: [] } }],
      ]);
    });

    it('in client mode response.create and response.item.create are unsupported', async () => {
      const client = await open();
      client.send(START);
      await client.next('session.started');
      client.send({ type: 'response.create' });
      expect(((await client.next('error')).error as { code: string }).code).to.equal('invalid_value');
    });
  });

  it('session.close: a last usage, session.closed (close_requested), close frame 1000', async () => {
    const client = await open();
    client.send(START);
    await client.next('session.started');
    client.send({ type: 'session.close' });
    await client.next('session.usage.updated');
    const closed = await client.next('session.closed');
    expect(closed.reason).to.equal('close_requested');
    expect(typeof (closed.usage as { seconds: number }).seconds).to.equal('number');
    expect((await client.whenClosed()).code).to.equal(1000);
  });
});
