import { expect } from 'chai';
import type { RealtimeEvent } from '@parley/core';
import { DelayedDelegationPolicy } from '../delayed-delegation-policy.js';
import { V1ProtocolStrategy } from '../v1-protocol-strategy.js';
import { FakePolicyHandle, ev } from './fake-policy-handle.js';

const APPEND = (handoffId: string, text: string) => ({
  type: 'conversation.handoff.append',
  handoff_id: handoffId,
  output_text: `"Agent Final Message":\n\n${text}`,
});

/** A handle with the real V1 policy created by the strategy (grace from config, default 1000). */
function setup(graceMs?: number): { handle: FakePolicyHandle; policy: DelayedDelegationPolicy } {
  const handle = new FakePolicyHandle(graceMs);
  const policy = new V1ProtocolStrategy().createPolicy(handle, {
    instructions: '',
    voice: 'cove',
    model: 'm',
    outputModality: 'audio',
    mode: 'conversational',
    sessionId: undefined,
    tools: [],
  }) as DelayedDelegationPolicy;
  handle.policy = policy;
  return { handle, policy };
}

describe('DelayedDelegationPolicy', () => {
  it('spec 02 example: late deltas are delegated with the handoff 1000 ms later', () => {
    const { handle } = setup();
    handle.at(0, { type: 'sessionUpdated', sessionId: 'sess_late' });
    handle.at(0, ev.inDelta('delegate the'));
    handle.at(0, ev.handoff('handoff_late', 'delegate the late task', 'item_late'));
    handle.at(0, ev.inDelta(' late task'));
    handle.at(0, ev.outDelta('on it'));
    handle.clock.advanceTo(5000);
    expect(handle.records).to.deep.equal([
      { t: 0, kind: 'deliver', event: { type: 'sessionUpdated', sessionId: 'sess_late' } },
      { t: 0, kind: 'deliver', event: { type: 'inputTranscriptDelta', delta: 'delegate the' } },
      {
        t: 0,
        kind: 'deliver',
        event: {
          type: 'handoffRequested',
          handoffId: 'handoff_late',
          itemId: 'item_late',
          inputTranscript: 'delegate the late task',
          activeTranscript: [{ role: 'user', text: 'delegate the' }],
        },
      },
      { t: 0, kind: 'deliver', event: { type: 'inputTranscriptDelta', delta: ' late task' } },
      { t: 0, kind: 'deliver', event: { type: 'outputTranscriptDelta', delta: 'on it' } },
      {
        t: 1000,
        kind: 'route',
        delegation: {
          handoffId: 'handoff_late',
          text: 'user: delegate the late task\nassistant: on it',
          transcript: [
            { role: 'user', text: 'delegate the late task' },
            { role: 'assistant', text: 'on it' },
          ],
          steering: false,
        },
      },
    ]);
  });

  it('a later handoff does not repeat the entries taken by an earlier delegation', () => {
    const { handle } = setup();
    handle.at(0, ev.inDelta('first task'));
    handle.at(0, ev.handoff('h1', 'first task'));
    handle.at(2000, ev.inDelta('second task'));
    handle.at(2000, ev.handoff('h2', 'second task'));
    handle.clock.advanceTo(5000);
    expect(handle.routes()).to.deep.equal([
      {
        t: 1000,
        delegation: { handoffId: 'h1', text: 'user: first task', transcript: [{ role: 'user', text: 'first task' }], steering: false },
      },
      {
        t: 3000,
        delegation: { handoffId: 'h2', text: 'user: second task', transcript: [{ role: 'user', text: 'second task' }], steering: false },
      },
    ]);
  });

  it('delivers the handoff at once with a snapshot copy, without clearing the transcript', () => {
    const { handle } = setup();
    handle.at(10, ev.inDelta('hi'));
    handle.at(20, ev.outDelta('hello'));
    handle.at(30, ev.handoff('h1', 'hi'));
    const delivered = handle.delivered().at(-1) as Extract<RealtimeEvent, { type: 'handoffRequested' }>;
    expect(delivered).to.deep.equal({
      type: 'handoffRequested',
      handoffId: 'h1',
      itemId: 'item_1',
      inputTranscript: 'hi',
      activeTranscript: [
        { role: 'user', text: 'hi' },
        { role: 'assistant', text: 'hello' },
      ],
    });
    expect(handle.transcript.size).to.equal(2);
    handle.at(40, ev.outDelta(' there'));
    expect(delivered.activeTranscript[1]).to.deep.equal({ role: 'assistant', text: 'hello' });
    expect(handle.routes()).to.deep.equal([]);
  });

  describe('grace boundary', () => {
    it('does not delegate before the grace ends, and a delta at the fire time goes to the next handoff', () => {
      const { handle } = setup();
      handle.at(100, ev.inDelta('do it'));
      handle.at(100, ev.handoff('h1', 'do it'));
      handle.at(1099, ev.outDelta('on it'));
      expect(handle.routes()).to.deep.equal([]);
      handle.at(1100, ev.outDelta('late'));
      expect(handle.routes()).to.deep.equal([
        {
          t: 1100,
          delegation: {
            handoffId: 'h1',
            text: 'user: do it\nassistant: on it',
            transcript: [
              { role: 'user', text: 'do it' },
              { role: 'assistant', text: 'on it' },
            ],
            steering: false,
          },
        },
      ]);
      expect(handle.transcript.snapshot()).to.deep.equal([{ role: 'assistant', text: 'late' }]);
      handle.at(1500, ev.handoff('h2', ''));
      handle.clock.advanceTo(2500);
      expect(handle.routes()[1]).to.deep.equal({
        t: 2500,
        delegation: { handoffId: 'h2', text: 'assistant: late', transcript: [{ role: 'assistant', text: 'late' }], steering: false },
      });
    });

    it('events keep flowing during the grace, in order', () => {
      const { handle } = setup();
      handle.at(0, ev.handoff('h1', 'x'));
      handle.at(1, { type: 'audioOut', data: 'AQ==', sampleRate: 24000, numChannels: 1 });
      handle.at(2, { type: 'conversationItemDone', itemId: 'i' });
      expect(handle.delivered().map((event) => event.type)).to.deep.equal(['handoffRequested', 'audioOut', 'conversationItemDone']);
    });
  });

  it('deltas arriving during the grace are part of the delegation', () => {
    const { handle } = setup();
    handle.at(0, ev.handoff('h1', 'book a table'));
    handle.at(200, ev.inDelta('book a'));
    handle.at(400, ev.inDelta(' table'));
    handle.at(600, ev.outDelta('sure,'));
    handle.at(800, ev.outDelta(' booking'));
    handle.clock.advanceTo(1000);
    expect(handle.routes()).to.deep.equal([
      {
        t: 1000,
        delegation: {
          handoffId: 'h1',
          text: 'user: book a table\nassistant: sure, booking',
          transcript: [
            { role: 'user', text: 'book a table' },
            { role: 'assistant', text: 'sure, booking' },
          ],
          steering: false,
        },
      },
    ]);
  });

  it('two handoffs inside one grace: both delegated, in order, each with its own part', () => {
    const { handle, policy } = setup();
    handle.at(0, ev.inDelta('task one'));
    handle.at(0, ev.handoff('h1', 'task one'));
    handle.at(300, ev.outDelta('on it'));
    handle.at(500, ev.handoff('h2', 'task two'));
    expect(policy.activeHandoff).to.equal('h2');
    expect(policy.pendingDelegations).to.equal(2);
    handle.at(1200, ev.inDelta('and more'));
    handle.clock.advanceTo(3000);
    expect(handle.routes()).to.deep.equal([
      {
        t: 1000,
        delegation: {
          handoffId: 'h1',
          text: 'user: task one\nassistant: on it',
          transcript: [
            { role: 'user', text: 'task one' },
            { role: 'assistant', text: 'on it' },
          ],
          steering: false,
        },
      },
      {
        t: 1500,
        delegation: { handoffId: 'h2', text: 'user: and more', transcript: [{ role: 'user', text: 'and more' }], steering: false },
      },
    ]);
    expect(policy.pendingDelegations).to.equal(0);
  });

  it('two handoffs at the same instant fire in arrival order; the second falls back to its input transcript', () => {
    const { handle } = setup();
    handle.at(0, ev.inDelta('a'));
    handle.at(0, ev.handoff('h1', 'first'));
    handle.at(0, ev.handoff('h2', 'second'));
    handle.clock.advanceTo(1000);
    expect(handle.routes()).to.deep.equal([
      { t: 1000, delegation: { handoffId: 'h1', text: 'user: a', transcript: [{ role: 'user', text: 'a' }], steering: false } },
      { t: 1000, delegation: { handoffId: 'h2', text: 'second', transcript: [], steering: false } },
    ]);
  });

  describe('ending during the grace', () => {
    it('the conversation ending drops pending delegations', () => {
      const { handle, policy } = setup();
      handle.at(0, ev.inDelta('task'));
      handle.at(0, ev.handoff('h1', 'task'));
      handle.at(300, ev.handoff('h2', 'task 2'));
      handle.clock.advanceTo(500);
      handle.end();
      handle.clock.advanceTo(5000);
      expect(handle.routes()).to.deep.equal([]);
      expect(policy.pendingDelegations).to.equal(0);
      expect(handle.clock.pending).to.equal(0);
    });

    it('dispose alone cancels the timers of pending delegations', () => {
      const { handle, policy } = setup();
      handle.at(0, ev.handoff('h1', 'task'));
      expect(handle.clock.pending).to.equal(1);
      policy.dispose();
      expect(handle.clock.pending).to.equal(0);
      handle.clock.advanceTo(5000);
      expect(handle.routes()).to.deep.equal([]);
    });

    it('after dispose, output is dropped and a handoff schedules nothing', () => {
      const { handle, policy } = setup();
      handle.at(0, ev.handoff('h1', 'task'));
      policy.dispose();
      policy.assistantOutput('late');
      expect(handle.sent()).to.deep.equal([]);
      handle.at(10, ev.handoff('h2', 'again'));
      handle.clock.advanceTo(5000);
      expect(handle.routes()).to.deep.equal([]);
    });

    it('a delegation already routed is not affected by a later end', () => {
      const { handle } = setup();
      handle.at(0, ev.handoff('h1', 'task'));
      handle.clock.advanceTo(1000);
      handle.end();
      expect(handle.routes().map((route) => route.delegation.handoffId)).to.deep.equal(['h1']);
    });
  });

  describe('configured grace', () => {
    it('uses realtime.v1.handoffGraceMs', () => {
      const { handle } = setup(250);
      handle.at(100, ev.handoff('h1', 'quick'));
      handle.at(349, ev.inDelta('quick'));
      expect(handle.routes()).to.deep.equal([]);
      handle.clock.advanceTo(350);
      expect(handle.routes()).to.deep.equal([
        { t: 350, delegation: { handoffId: 'h1', text: 'user: quick', transcript: [{ role: 'user', text: 'quick' }], steering: false } },
      ]);
    });

    it('a grace of 0 delegates on the next clock turn, after the handoff was delivered', () => {
      const { handle } = setup(0);
      handle.at(100, ev.inDelta('now'));
      handle.at(100, ev.handoff('h1', 'now'));
      expect(handle.routes()).to.deep.equal([]);
      handle.clock.advanceTo(100);
      expect(handle.records.map((record) => record.kind)).to.deep.equal(['deliver', 'deliver', 'route']);
      expect(handle.routes()).to.deep.equal([
        { t: 100, delegation: { handoffId: 'h1', text: 'user: now', transcript: [{ role: 'user', text: 'now' }], steering: false } },
      ]);
    });

    it('the default grace is 1000 ms', () => {
      const { handle } = setup();
      handle.at(0, ev.handoff('h1', 'x'));
      handle.clock.advanceTo(999);
      expect(handle.routes()).to.have.length(0);
      handle.clock.advanceTo(1000);
      expect(handle.routes()).to.have.length(1);
    });
  });

  it('a handoff with no transcript delegates its input transcript', () => {
    const { handle } = setup();
    handle.at(0, ev.handoff('h1', 'what is the weather'));
    handle.clock.advanceTo(1000);
    expect(handle.routes()).to.deep.equal([
      { t: 1000, delegation: { handoffId: 'h1', text: 'what is the weather', transcript: [], steering: false } },
    ]);
  });

  it('a handoff with nothing at all routes nothing (warns) but is still active', () => {
    const { handle, policy } = setup();
    handle.at(0, ev.handoff('h1', ''));
    handle.clock.advanceTo(5000);
    expect(handle.routes()).to.deep.equal([]);
    expect(handle.logger.warnings.map((warning) => warning.fields)).to.deep.equal([{ protocol: 'v1', handoffId: 'h1' }]);
    expect(policy.activeHandoff).to.equal('h1');
    policy.assistantOutput('still reaches h1');
    expect(handle.sent()).to.deep.equal([APPEND('h1', 'still reaches h1')]);
  });

  it('empty deltas do not count as transcript', () => {
    const { handle } = setup();
    handle.at(0, ev.handoff('h1', 'fallback'));
    handle.at(10, ev.inDelta(''));
    handle.at(20, ev.outDelta(''));
    handle.clock.advanceTo(1000);
    expect(handle.routes()[0]!.delegation.text).to.equal('fallback');
  });

  describe('assistant output', () => {
    it('is appended to the active handoff at once, even before its delegation fires', () => {
      const { handle } = setup();
      handle.at(0, ev.handoff('h1', 'x'));
      handle.clock.advanceTo(10);
      handle.policy!.assistantOutput('early');
      expect(handle.records.at(-1)).to.deep.equal({ t: 10, kind: 'send', message: APPEND('h1', 'early') });
    });

    it('goes to the newest handoff', () => {
      const { handle, policy } = setup();
      handle.at(0, ev.handoff('h1', 'one'));
      handle.clock.advanceTo(1000);
      policy.assistantOutput('for one');
      handle.at(1200, ev.handoff('h2', 'two'));
      policy.assistantOutput('first answer');
      policy.assistantOutput('second answer');
      expect(handle.sent()).to.deep.equal([APPEND('h1', 'for one'), APPEND('h2', 'first answer'), APPEND('h2', 'second answer')]);
    });

    it('keeps text verbatim (quotes, newlines, unicode)', () => {
      const { handle, policy } = setup();
      handle.at(0, ev.handoff('h1', 'x'));
      policy.assistantOutput('say "hi"\nthen ✓');
      expect(handle.sent()).to.deep.equal([APPEND('h1', 'say "hi"\nthen ✓')]);
    });

    it('before any handoff: dropped, counted and warned', () => {
      const { handle, policy } = setup();
      policy.assistantOutput('nobody asked');
      expect(handle.sent()).to.deep.equal([]);
      expect(handle.counters).to.deep.equal({ droppedAssistantOutputs: 1 });
      expect(handle.logger.warnings).to.have.length(1);
    });

    it('after finishTurn: dropped and counted, until the next handoff', () => {
      const { handle, policy } = setup();
      handle.at(0, ev.handoff('h1', 'x'));
      policy.assistantOutput('answer');
      policy.finishTurn();
      expect(policy.activeHandoff).to.equal(undefined);
      policy.assistantOutput('too late');
      policy.assistantOutput('also too late');
      expect(handle.sent()).to.deep.equal([APPEND('h1', 'answer')]);
      expect(handle.counters).to.deep.equal({ droppedAssistantOutputs: 2 });
      expect(handle.logger.warnings.map((warning) => warning.message)).to.deep.equal([
        'assistant output while no handoff is active: dropped',
        'assistant output while no handoff is active: dropped',
      ]);
      handle.at(10, ev.handoff('h2', 'y'));
      policy.assistantOutput('new answer');
      expect(handle.sent()).to.deep.equal([APPEND('h1', 'answer'), APPEND('h2', 'new answer')]);
    });

    it('finishing the turn during the grace does not cancel the delegation', () => {
      const { handle, policy } = setup();
      handle.at(0, ev.handoff('h1', 'x'));
      policy.finishTurn();
      handle.clock.advanceTo(1000);
      expect(handle.routes()).to.have.length(1);
    });
  });

  it('requestResponse and reportPlayback send nothing (no response.create, no truncate)', () => {
    const { handle, policy } = setup();
    handle.at(0, ev.handoff('h1', 'x'));
    policy.requestResponse();
    policy.reportPlayback('item_1', 500);
    handle.clock.advanceTo(500);
    expect(handle.sent()).to.deep.equal([]);
    expect(handle.counters).to.deep.equal({});
  });

  it('delivers every other event unchanged, errors fatal as decoded', () => {
    const { handle } = setup();
    const events: RealtimeEvent[] = [
      { type: 'sessionUpdated', sessionId: 's', instructions: 'i' },
      { type: 'audioOut', data: 'AQ==', sampleRate: 24000, numChannels: 1, samplesPerChannel: 1 },
      { type: 'inputTranscriptDelta', delta: 'a' },
      { type: 'outputTranscriptDelta', delta: 'b' },
      { type: 'inputTranscriptDone', text: 'a!' },
      { type: 'outputTranscriptDone', text: 'b!' },
      { type: 'conversationItemAdded', item: { id: 'i' } },
      { type: 'conversationItemDone', itemId: 'i' },
      { type: 'error', message: 'boom', fatal: true },
    ];
    for (const event of events) handle.server(event);
    expect(handle.delivered()).to.deep.equal(events);
    expect(handle.delivered()[8]).to.equal(events[8]);
    expect(handle.routes()).to.deep.equal([]);
    expect(handle.sent()).to.deep.equal([]);
  });
});
