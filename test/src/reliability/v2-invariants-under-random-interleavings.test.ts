import { expect } from 'chai';
import fc from 'fast-check';
import { loadParleyConfig, ParleyError } from '@parley/core';
import { advanceVirtualClock } from '@parley/testkit';
import { FINAL_MESSAGE_PREFIX, PROGRESS_SUFFIX, STEERING_ACKNOWLEDGEMENT_TEXT } from '@parley/parser-v2';
import { settle } from '../support/harness.js';
import { attempt, createProtocolHarness, track, type ProtocolHarness } from '../support/protocol-harness.js';
import { PROPERTY_SEED } from '../support/property-seed.js';

const CAPACITY = { audioIn: 3, textIn: 2, handoffOut: 2 };
const MAX_ENTRIES = 2;
const RACE = 'Conversation already has an active response in progress: resp_other';
const STEERING_OUTPUT = FINAL_MESSAGE_PREFIX + STEERING_ACKNOWLEDGEMENT_TEXT;

/** One step of a random interleaving: an application input, a server event, or time. */
type Action =
  | { kind: 'text'; text: string }
  | { kind: 'audio'; bytes: number; count: number }
  | { kind: 'requestResponse' }
  | { kind: 'assistantOutput'; text: string }
  | { kind: 'finishTurn' }
  | { kind: 'playback'; itemId: string; ms: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'stall' }
  | { kind: 'unstall' }
  | { kind: 'close' }
  | { kind: 'serverClose' }
  | { kind: 'response'; event: 'response.created' | 'response.done' | 'response.cancelled'; id: string }
  | { kind: 'handoff'; callId: string; prompt: string }
  | { kind: 'transcript'; event: string; field: 'delta' | 'transcript' | 'text'; text: string }
  | { kind: 'audioOut'; itemId: string; bytes: number }
  | { kind: 'speechStarted' }
  | { kind: 'race' }
  | { kind: 'lost' };

const text = fc.string({ maxLength: 6 });
const itemId = fc.constantFrom('it_1', 'it_2');
const common: fc.MaybeWeightedArbitrary<Action>[] = [
  { weight: 3, arbitrary: text.map((value) => ({ kind: 'text' as const, text: value })) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 32 }), fc.integer({ min: 1, max: 6 }))
      .map(([half, count]) => ({ kind: 'audio' as const, bytes: half * 2, count })),
  },
  { weight: 4, arbitrary: fc.constant({ kind: 'requestResponse' as const }) },
  { weight: 3, arbitrary: text.map((value) => ({ kind: 'assistantOutput' as const, text: value })) },
  { weight: 3, arbitrary: fc.constant({ kind: 'finishTurn' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('playback' as const), itemId, ms: fc.nat(100) }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 500 }).map((ms) => ({ kind: 'advance' as const, ms })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'close' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'serverClose' as const }) },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('response' as const),
      event: fc.constantFrom('response.created' as const, 'response.done' as const, 'response.cancelled' as const),
      id: fc.constantFrom('resp_1', 'resp_2'),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('handoff' as const), callId: fc.string({ minLength: 1, maxLength: 4 }), prompt: text }),
  },
  {
    weight: 10,
    arbitrary: fc.oneof(
      text.map((value) => ({
        kind: 'transcript' as const,
        event: 'conversation.item.input_audio_transcription.delta',
        field: 'delta' as const,
        text: value,
      })),
      text.map((value) => ({
        kind: 'transcript' as const,
        event: 'response.output_audio_transcript.delta',
        field: 'delta' as const,
        text: value,
      })),
      text.map((value) => ({
        kind: 'transcript' as const,
        event: 'conversation.item.input_audio_transcription.completed',
        field: 'transcript' as const,
        text: value,
      })),
      text.map((value) => ({ kind: 'transcript' as const, event: 'response.output_text.done', field: 'text' as const, text: value })),
    ),
  },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('audioOut' as const), itemId, bytes: fc.constantFrom(0, 480, 960) }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'speechStarted' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'race' as const }) },
];
/** Without reconnection: a stuck socket comes and goes. */
const action: fc.Arbitrary<Action> = fc.oneof(
  ...common,
  { weight: 1, arbitrary: fc.constant({ kind: 'stall' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'unstall' as const }) },
);
/** With reconnection: the connection is lost now and then, also while a send is stalled. */
const actionWithLosses: fc.Arbitrary<Action> = fc.oneof(
  ...common,
  { weight: 1, arbitrary: fc.constant({ kind: 'stall' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'unstall' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'lost' as const }) },
);

/** What the test knows: whether a response is active on the server, by its own reckoning. */
interface Model {
  active: boolean;
  violations: string[];
  assistantTexts: Set<string>;
  assistantOutputs: number;
  handoffs: string[];
  closedAtInitiated: number | undefined;
}

async function apply(h: ProtocolHarness, model: Model, step: Action, problems: unknown[], index: number): Promise<void> {
  const server = h.transport.connections.length > 0 ? h.server() : undefined;
  // The server's state changes only when the frame reaches a live connection.
  const live = server?.state === 'open' && h.manager.running;
  switch (step.kind) {
    case 'text':
      if (h.manager.running) track(h.manager.sendText(step.text), problems);
      break;
    case 'audio':
      for (let sent = 0; sent < step.count && h.manager.running; sent += 1) {
        attempt(() => h.manager.sendAudio({ data: Buffer.alloc(step.bytes, 7).toString('base64') }), problems);
      }
      break;
    case 'requestResponse':
      if (h.manager.running) track(h.manager.requestResponse(), problems);
      break;
    case 'assistantOutput':
      model.assistantTexts.add(step.text);
      model.assistantOutputs += 1;
      if (h.manager.running) track(h.manager.sendAssistantOutput(step.text), problems);
      break;
    case 'finishTurn':
      if (h.manager.running) track(h.manager.finishTurn(), problems);
      break;
    case 'playback':
      if (h.manager.running) attempt(() => h.manager.reportPlayback(step.itemId, step.ms), problems);
      break;
    case 'advance':
      await advanceVirtualClock(h.clock, h.clock.now() + step.ms);
      break;
    case 'stall':
      server?.stall();
      break;
    case 'unstall':
      server?.unstall();
      break;
    case 'close': {
      // close() drains a stalled socket for realtime.closeDrainMs (virtual time), then gives up.
      let closed = false;
      const closing = h.manager.close().then(() => (closed = true));
      await settle();
      if (!closed) await advanceVirtualClock(h.clock, h.clock.now() + loadParleyConfig().realtime.closeDrainMs);
      await closing;
      break;
    }
    case 'serverClose':
      server?.serverClose(1000, 'bye');
      break;
    case 'response':
      if (live) model.active = step.event === 'response.created';
      server?.serverJson({ type: step.event, response: { id: step.id } });
      break;
    case 'handoff': {
      const callId = `${step.callId}#${index}`;
      model.handoffs.push(callId);
      server?.serverJson({
        type: 'conversation.item.done',
        item: {
          id: `item_${index}`,
          type: 'function_call',
          name: 'background_agent',
          call_id: callId,
          arguments: JSON.stringify({ prompt: step.prompt }),
        },
      });
      break;
    }
    case 'transcript':
      server?.serverJson({ type: step.event, [step.field]: step.text });
      break;
    case 'audioOut':
      server?.serverJson({ type: 'response.output_audio.delta', delta: Buffer.alloc(step.bytes).toString('base64'), item_id: step.itemId });
      break;
    case 'speechStarted':
      server?.serverJson({ type: 'input_audio_buffer.speech_started', item_id: `user_${index}` });
      break;
    case 'lost':
      server?.serverFail(new ParleyError('ERR_CONNECTION_LOST', 'lost'));
      break;
    case 'race':
      if (live) model.active = true;
      server?.serverJson({ type: 'error', error: { type: 'invalid_request_error', message: RACE } });
      break;
  }
  await settle();
}

/** What the runs exercised, summed over all runs (a property that exercises nothing proves nothing). */
const coverage = {
  creates: 0,
  deferred: 0,
  finals: 0,
  steering: 0,
  droppedAudio: 0,
  races: 0,
  truncations: 0,
  fullTextQueue: 0,
  droppedEntries: 0,
  reconnections: 0,
  lost: 0,
};

async function run(actions: Action[], reconnectEnabled: boolean): Promise<void> {
  const h = createProtocolHarness('v2', {
    config: {
      realtime: {
        queues: { ...CAPACITY, events: 256 },
        transcript: { maxEntries: MAX_ENTRIES },
        reconnect: { enabled: reconnectEnabled, maxAttempts: 5, initialDelayMs: 50, maxDelayMs: 200 },
      },
    },
  });
  const model: Model = {
    active: false,
    violations: [],
    assistantTexts: new Set(),
    assistantOutputs: 0,
    handoffs: [],
    closedAtInitiated: undefined,
  };
  h.onInitiated = (message) => {
    if (message.type !== 'response.create') return;
    if (model.active) model.violations.push(`response.create while a response is active (frame ${h.initiated.length - 1})`);
    model.active = true;
  };
  h.manager.on((event) => {
    if (event.type === 'closed') model.closedAtInitiated = h.initiated.length;
    // A new server session after a reconnection has no response in progress.
    if (event.type === 'reconnecting') model.active = false;
  });
  const problems: unknown[] = [];
  await h.manager.start({ apiKey: 'k' });
  for (const [index, step] of actions.entries()) {
    await apply(h, model, step, problems, index);
    const stats = h.manager.stats();
    expect(stats.queued.audioIn).to.be.at.most(CAPACITY.audioIn);
    expect(stats.queued.textIn).to.be.at.most(CAPACITY.textIn);
    expect(stats.queued.handoffOut).to.be.at.most(CAPACITY.handoffOut);
    expect(stats.transcriptEntries).to.be.at.most(MAX_ENTRIES);
    if (stats.queued.textIn === CAPACITY.textIn) coverage.fullTextQueue += 1;
  }
  if (h.manager.running) {
    h.server().unstall();
    await settle();
    track(h.manager.finishTurn(), problems);
    await settle();
  }
  const stillRunning = h.manager.running;
  await advanceVirtualClock(h.clock, h.clock.now() + 10_000);
  await h.manager.close();
  await settle();

  expect(problems, 'inputs fail only with ERR_NOT_RUNNING').to.deep.equal([]);
  expect(model.violations).to.deep.equal([]);

  // Lifecycle: one closed at most, nothing after it, nothing sent after it.
  const closedAt = h.events.findIndex((event) => event.type === 'closed');
  expect(closedAt, 'the conversation ends exactly once').to.be.at.least(0);
  expect(h.events.slice(closedAt + 1)).to.deep.equal([]);
  expect(h.initiated.length).to.equal(model.closedAtInitiated);

  // Every handoff is delivered once and routed once, in order, with the same transcript entries —
  // except handoffs that arrived after the delegate had finished while its finish was still queued:
  // they wait for that finish (then start the next delegation), so the end of the conversation (or a
  // lost connection) can come first. Those are the newest ones, after the last new delegation.
  const requested = h.of('handoffRequested');
  const started = h.of('delegationStarted');
  const routedIds = started.map((event) => event.handoffId);
  const requestedIds = requested.map((event) => event.handoffId);
  expect(routedIds).to.deep.equal(requestedIds.filter((id) => routedIds.includes(id)));
  // An empty handoff (no prompt after trimming, no entries taken) is never routed (spec 03).
  const emptyIds = requested
    .filter((event) => event.inputTranscript.trim() === '' && event.activeTranscript.length === 0)
    .map((event) => event.handoffId);
  expect(
    routedIds.filter((id) => emptyIds.includes(id)),
    'empty handoffs are not routed',
  ).to.deep.equal([]);
  const lastNew = Math.max(-1, ...started.filter((event) => !event.steering).map((event) => requestedIds.indexOf(event.handoffId)));
  for (const [position, id] of requestedIds.entries()) {
    if (!routedIds.includes(id) && !emptyIds.includes(id)) {
      expect(position, `unrouted handoff ${id} came before the last new delegation`).to.be.greaterThan(lastNew);
    }
  }
  const requestedById = new Map(requested.map((event) => [event.handoffId, event.activeTranscript]));
  expect(started.map((event) => event.transcript)).to.deep.equal(started.map((event) => requestedById.get(event.handoffId)));
  expect(h.manager.stats().delegations).to.equal(started.length);
  const originals = started.filter((event) => !event.steering).map((event) => event.handoffId);
  const steering = started.filter((event) => event.steering).map((event) => event.handoffId);

  const outputs = h.initiated.flatMap((message) => {
    const item = message.item as Record<string, unknown> | undefined;
    return message.type === 'conversation.item.create' && item?.type === 'function_call_output'
      ? [{ callId: item.call_id as string, output: item.output as string }]
      : [];
  });
  // One steering acknowledgement per steering handoff, for its own (new) call id.
  expect(outputs.filter((output) => output.output === STEERING_OUTPUT).map((output) => output.callId)).to.deep.equal(steering);
  // An empty handoff is answered at once with exactly one empty final output (and no response request).
  const emptyAnswers = outputs.filter((output) => emptyIds.includes(output.callId));
  expect(emptyAnswers.map((output) => output.output)).to.deep.equal(emptyAnswers.map(() => FINAL_MESSAGE_PREFIX));
  expect(emptyAnswers.map((output) => output.callId)).to.deep.equal([...new Set(emptyAnswers.map((output) => output.callId))]);
  // Exactly one final output per original handoff that was finished, answering that call.
  const finals = outputs.filter((output) => output.output !== STEERING_OUTPUT && !emptyIds.includes(output.callId));
  for (const final of finals) {
    expect(final.output.startsWith(FINAL_MESSAGE_PREFIX)).to.equal(true);
    const body = final.output.slice(FINAL_MESSAGE_PREFIX.length);
    expect(body === '' || model.assistantTexts.has(body), `final text ${JSON.stringify(body)} came from the application`).to.equal(true);
  }
  const answered = finals.map((final) => final.callId);
  // A handoff open when the connection was lost is reported in `reconnected`, never answered.
  const lost = h.of('reconnected').flatMap((event) => event.lostHandoffs ?? []);
  expect(
    lost.filter((id) => !originals.includes(id) && routedIds.includes(id)),
    'only delegated handoffs (or ones still waiting for the previous finish, never routed) are reported lost',
  ).to.deep.equal([]);
  expect(
    lost.filter((id) => !requestedIds.includes(id)),
    'only handoffs the application saw are reported lost',
  ).to.deep.equal([]);
  expect(
    answered.filter((id) => lost.includes(id)),
    'a lost handoff is never answered',
  ).to.deep.equal([]);
  expect(answered, 'answers come once each, in handoff order').to.deep.equal(originals.filter((id) => answered.includes(id)));
  // Every delegated handoff but the last is answered or lost; the last too if the conversation ran on.
  const mustSettle = stillRunning ? originals : originals.slice(0, -1);
  expect(
    mustSettle.filter((id) => !answered.includes(id) && !lost.includes(id)),
    'handoffs never answered',
  ).to.deep.equal([]);

  // Every connection starts with the same session.update; one reconnected event per new connection.
  const connections = [...new Set(h.initiatedOn)];
  for (const connection of connections) {
    expect(h.initiated[h.initiatedOn.indexOf(connection)], `connection ${connection} starts with session.update`).to.deep.equal(
      h.initiated[0],
    );
  }
  expect(h.of('reconnected')).to.have.length(h.transport.connections.length - 1);
  coverage.reconnections += h.of('reconnected').length;
  coverage.lost += lost.length;

  // Progress items carry the progress suffix; user text never triggers a response by itself.
  for (const message of h.initiated) {
    expect([
      'session.update',
      'input_audio_buffer.append',
      'conversation.item.create',
      'response.create',
      'conversation.item.truncate',
      'conversation.item.delete',
    ]).to.include(message.type);
  }
  const progress = h.initiated.filter((message) => {
    const item = message.item as { role?: string; content?: { text: string }[] } | undefined;
    return item?.role === 'user' && item.content?.[0]?.text.endsWith(PROGRESS_SUFFIX) === true;
  });
  expect(progress.length).to.be.at.most(model.assistantOutputs);
  // Race errors are survived and counted, never fatal.
  const races = h.events.filter((event) => event.type === 'error' && event.message === RACE);
  for (const race of races) expect(race).to.deep.equal({ type: 'error', message: RACE, fatal: false });
  expect(h.manager.stats().raceErrors).to.equal(races.length);
  expect(h.events.filter((event) => event.type === 'error' && event.fatal)).to.deep.equal([]);

  const stats = h.manager.stats();
  coverage.creates += h.initiated.filter((message) => message.type === 'response.create').length;
  coverage.deferred += stats.deferredResponseRequests;
  coverage.finals += finals.length;
  coverage.steering += steering.length;
  coverage.droppedAudio += stats.droppedAudioFrames;
  coverage.races += races.length;
  coverage.truncations += stats.truncations;
  coverage.droppedEntries += stats.droppedTranscriptEntries;
}

describe('reliability: v2 manager invariants under random interleavings (virtual clock)', () => {
  it('never a response.create while a response is active; one final output per finished handoff; bounded queues and transcript; nothing after closed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 60, size: 'max' }), (actions) => run(actions, false)),
      { numRuns: 200, seed: PROPERTY_SEED },
    );
    const { reconnections, lost, ...exercised } = coverage;
    expect(reconnections + lost).to.equal(0);
    for (const [name, count] of Object.entries(exercised)) expect(count, `the runs exercised ${name}`).to.be.greaterThan(5);
  });

  it('the same with lost connections and opt-in reconnection: gating starts afresh, open handoffs are reported lost and never answered', async () => {
    for (const key of Object.keys(coverage) as (keyof typeof coverage)[]) coverage[key] = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(actionWithLosses, { minLength: 5, maxLength: 60, size: 'max' }), (actions) => run(actions, true)),
      { numRuns: 150, seed: PROPERTY_SEED },
    );
    // Without a stall the queues drain at once: droppedAudio and fullTextQueue are not expected here.
    for (const name of [
      'creates',
      'deferred',
      'finals',
      'steering',
      'races',
      'truncations',
      'droppedEntries',
      'reconnections',
      'lost',
    ] as const) {
      expect(coverage[name], `the runs exercised ${name}`).to.be.greaterThan(0);
    }
  });
});
