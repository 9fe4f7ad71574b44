import { expect } from 'chai';
import fc from 'fast-check';
import { renderTranscript, type Delegation, type HandoffDelegate, type TranscriptEntry } from '@parley/core';
import { AGENT_FINAL_MESSAGE_PREFIX } from '@parley/parser-v1';
import { advanceVirtualClock } from '@parley/testkit';
import { settle } from '../support/harness.js';
import { attempt, createProtocolHarness, track, type ProtocolHarness } from '../support/protocol-harness.js';
import { PROPERTY_SEED } from '../support/property-seed.js';

const GRACE_MS = 100;
const MAX_ENTRIES = 3;

type Role = TranscriptEntry['role'];

/** V1 transcript events: the server type, the field, the role, and whether it is a delta or a done. */
const TRANSCRIPT_EVENTS: readonly { type: string; field: string; role: Role; done: boolean }[] = [
  { type: 'conversation.input_transcript.delta', field: 'delta', role: 'user', done: false },
  { type: 'conversation.item.input_audio_transcription.delta', field: 'delta', role: 'user', done: false },
  { type: 'conversation.item.input_audio_transcription.completed', field: 'transcript', role: 'user', done: true },
  { type: 'conversation.output_transcript.delta', field: 'delta', role: 'assistant', done: false },
  { type: 'response.output_text.delta', field: 'delta', role: 'assistant', done: false },
  { type: 'response.output_audio_transcript.delta', field: 'delta', role: 'assistant', done: false },
  { type: 'response.output_audio_transcript.done', field: 'transcript', role: 'assistant', done: true },
];

type Action =
  | { kind: 'transcript'; event: number; text: string }
  | { kind: 'handoff'; id: string; inputTranscript: string }
  | { kind: 'advance'; ms: number }
  | { kind: 'assistantOutput'; text: string }
  | { kind: 'finishTurn' }
  | { kind: 'text'; text: string }
  | { kind: 'audio' }
  | { kind: 'requestResponse' }
  | { kind: 'playback' }
  | { kind: 'close' }
  | { kind: 'serverClose' };

const text = fc.string({ maxLength: 5 });
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('transcript' as const), event: fc.nat(TRANSCRIPT_EVENTS.length - 1), text }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('handoff' as const),
      id: fc.string({ minLength: 1, maxLength: 4 }),
      inputTranscript: fc.oneof(fc.constant(''), text),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.oneof(fc.nat(250), fc.constantFrom(GRACE_MS - 1, GRACE_MS)) }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('assistantOutput' as const), text }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'finishTurn' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('text' as const), text }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'audio' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'requestResponse' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'playback' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'close' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'serverClose' as const }) },
);

interface ExpectedDelegation {
  t: number;
  handoffId: string;
  text: string;
  transcript: TranscriptEntry[];
}

/** The spec's behaviour, written independently: transcript (04), delayed delegation (02). */
class V1Model {
  running = true;
  entries: TranscriptEntry[] = [];
  pending: { due: number; handoffId: string; inputTranscript: string }[] = [];
  active: string | undefined;
  readonly delegations: ExpectedDelegation[] = [];
  readonly appends: { handoff_id: string; output_text: string }[] = [];
  readonly snapshots: TranscriptEntry[][] = [];
  dropped = 0;

  transcript(role: Role, value: string, done: boolean): void {
    if (!this.running || value === '') return;
    const last = this.entries[this.entries.length - 1];
    if (last !== undefined && last.role === role) last.text = done ? value : last.text + value;
    else {
      this.entries.push({ role, text: value });
      if (this.entries.length > MAX_ENTRIES) this.entries.shift();
    }
  }

  handoff(now: number, handoffId: string, inputTranscript: string): void {
    if (!this.running) return;
    this.active = handoffId;
    this.snapshots.push(this.entries.map((entry) => ({ ...entry })));
    this.pending.push({ due: now + GRACE_MS, handoffId, inputTranscript });
  }

  advance(to: number): void {
    while (this.running && this.pending.length > 0 && (this.pending[0] as { due: number }).due <= to) {
      const next = this.pending.shift() as { due: number; handoffId: string; inputTranscript: string };
      const taken = this.entries;
      this.entries = [];
      const routed = taken.length > 0 ? renderTranscript(taken) : next.inputTranscript;
      if (routed !== '') this.delegations.push({ t: next.due, handoffId: next.handoffId, text: routed, transcript: taken });
    }
  }

  output(value: string): void {
    if (!this.running) return;
    if (this.active === undefined) this.dropped += 1;
    else this.appends.push({ handoff_id: this.active, output_text: AGENT_FINAL_MESSAGE_PREFIX + value });
  }

  end(): void {
    this.running = false;
    this.pending = [];
  }
}

/** A delegate that records each delegation and holds its turn open until the conversation ends. */
class HoldingDelegate implements HandoffDelegate {
  readonly received: Delegation[] = [];
  delegate(delegation: Delegation, turn: { signal: AbortSignal }): Promise<void> {
    this.received.push(delegation);
    return new Promise((resolve) => turn.signal.addEventListener('abort', () => resolve(), { once: true }));
  }
}

async function apply(h: ProtocolHarness, model: V1Model, step: Action, index: number, problems: unknown[]): Promise<void> {
  const server = h.server();
  const running = h.manager.running;
  switch (step.kind) {
    case 'transcript': {
      const event = TRANSCRIPT_EVENTS[step.event] as (typeof TRANSCRIPT_EVENTS)[number];
      model.transcript(event.role, step.text, event.done);
      server.serverJson({ type: event.type, [event.field]: step.text });
      break;
    }
    case 'handoff': {
      const id = `${step.id}#${index}`;
      model.handoff(h.clock.now(), id, step.inputTranscript);
      server.serverJson({
        type: 'conversation.handoff.requested',
        handoff_id: id,
        item_id: `item_${index}`,
        input_transcript: step.inputTranscript,
      });
      break;
    }
    case 'advance': {
      const to = h.clock.now() + step.ms;
      model.advance(to);
      await advanceVirtualClock(h.clock, to);
      break;
    }
    case 'assistantOutput':
      model.output(step.text);
      if (running) track(h.manager.sendAssistantOutput(step.text), problems);
      break;
    case 'finishTurn':
      if (model.running) model.active = undefined;
      if (running) track(h.manager.finishTurn(), problems);
      break;
    case 'text':
      if (running) track(h.manager.sendText(step.text), problems);
      break;
    case 'audio':
      if (running) attempt(() => h.manager.sendAudio({ data: 'AAAAAA==' }), problems);
      break;
    case 'requestResponse':
      if (running) track(h.manager.requestResponse(), problems);
      break;
    case 'playback':
      if (running) attempt(() => h.manager.reportPlayback('item_1', 10), problems);
      break;
    case 'close':
      model.end();
      await h.manager.close();
      break;
    case 'serverClose':
      model.end();
      server.serverClose(1000, '');
      break;
  }
  await settle();
}

const coverage = { delegations: 0, fallbacks: 0, nothingRouted: 0, appends: 0, dropped: 0, afterEnd: 0 };

async function run(actions: Action[]): Promise<void> {
  const delegate = new HoldingDelegate();
  const h = createProtocolHarness('v1', {
    config: { realtime: { v1: { handoffGraceMs: GRACE_MS }, transcript: { maxEntries: MAX_ENTRIES } } },
    delegate,
  });
  const model = new V1Model();
  const problems: unknown[] = [];
  const delegated: (ExpectedDelegation & { steering: boolean })[] = [];
  h.manager.on((event) => {
    if (event.type === 'delegationStarted') {
      delegated.push({
        t: h.clock.now(),
        handoffId: event.handoffId,
        text: event.text,
        transcript: event.transcript,
        steering: event.steering,
      });
    }
  });
  await h.manager.start({ apiKey: 'k' });
  for (const [index, step] of actions.entries()) {
    await apply(h, model, step, index, problems);
    expect(h.manager.stats().transcriptEntries).to.be.at.most(MAX_ENTRIES);
  }
  // Let every pending grace end (and prove nothing fires after the end).
  const end = h.clock.now() + 10 * GRACE_MS;
  model.advance(end);
  await advanceVirtualClock(h.clock, end);
  if (model.running) {
    model.end();
    await h.manager.close();
  }
  await advanceVirtualClock(h.clock, end + 10 * GRACE_MS);

  expect(problems).to.deep.equal([]);
  expect(
    delegated.filter((delegation) => delegation.steering),
    'v1 has no steering',
  ).to.deep.equal([]);
  expect(delegated.map(({ t, handoffId, text: routed, transcript }) => ({ t, handoffId, text: routed, transcript }))).to.deep.equal(
    model.delegations,
  );
  expect(delegate.received).to.deep.equal(
    model.delegations.map(({ handoffId, text: routed, transcript }) => ({ handoffId, text: routed, transcript })),
  );
  expect(h.of('handoffRequested').map((event) => event.activeTranscript)).to.deep.equal(model.snapshots);

  const wire = h.initiated;
  expect(
    wire.filter((message) => message.type === 'response.create'),
    'v1 never asks for a response',
  ).to.deep.equal([]);
  expect(
    wire.filter((message) => message.type === 'conversation.item.truncate' || message.type === 'conversation.item.delete'),
    'v1 never truncates',
  ).to.deep.equal([]);
  expect(
    wire
      .filter((message) => message.type === 'conversation.handoff.append')
      .map(({ handoff_id, output_text }) => ({ handoff_id, output_text })),
  ).to.deep.equal(model.appends);
  expect(h.manager.stats().droppedAssistantOutputs).to.equal(model.dropped);
  const closedAt = h.events.findIndex((event) => event.type === 'closed');
  expect(h.events.slice(closedAt + 1), 'nothing after closed').to.deep.equal([]);

  coverage.delegations += model.delegations.length;
  coverage.fallbacks += model.delegations.filter((delegation) => delegation.transcript.length === 0).length;
  coverage.nothingRouted += h.of('handoffRequested').length - model.delegations.length;
  coverage.appends += model.appends.length;
  coverage.dropped += model.dropped;
  coverage.afterEnd += actions.findIndex((step) => step.kind === 'close' || step.kind === 'serverClose') >= 0 ? 1 : 0;
}

describe('reliability: v1 invariants under random interleavings (virtual clock)', () => {
  it('every handoff is delegated exactly once, after the grace, with what built up since the previous take; never a response.create nor a truncate', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 50, size: 'max' }), (actions) => run(actions)),
      { numRuns: 200, seed: PROPERTY_SEED },
    );
    for (const [name, count] of Object.entries(coverage)) expect(count, `the runs exercised ${name}`).to.be.greaterThan(5);
  });
});
