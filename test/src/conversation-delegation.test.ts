import { expect } from 'chai';
import type { Delegation, DelegationTurn, HandoffDelegate } from '@parley/core';
import { createHarness, settle } from './support/harness.js';

class RecordingDelegate implements HandoffDelegate {
  readonly delegations: Delegation[] = [];
  turns: DelegationTurn[] = [];
  constructor(private readonly behaviour: (delegation: Delegation, turn: DelegationTurn) => Promise<void> | void) {}
  delegate(delegation: Delegation, turn: DelegationTurn): Promise<void> | void {
    this.delegations.push(delegation);
    this.turns.push(turn);
    return this.behaviour(delegation, turn);
  }
}

describe('delegation routing (spec 04)', () => {
  it('announces each delegation and hands it to the bound delegate; its messages and completion reach the wire', async () => {
    const delegate = new RecordingDelegate(async (delegation, turn) => {
      await turn.output(`answer to ${delegation.text}`);
    });
    const h = createHarness({ delegate });
    await h.manager.start();
    h.server().serverJson({ type: 'hear', text: 'please look it up' });
    h.server().serverJson({ type: 'handoff', id: 'h1', prompt: 'look it up' });
    await settle();
    await settle();
    expect(h.of('delegationStarted')).to.deep.equal([
      {
        type: 'delegationStarted',
        handoffId: 'h1',
        text: 'look it up',
        transcript: [{ role: 'user', text: 'please look it up' }],
        steering: false,
      },
    ]);
    expect(delegate.delegations).to.deep.equal([
      { handoffId: 'h1', text: 'look it up', transcript: [{ role: 'user', text: 'please look it up' }] },
    ]);
    expect(h.wire().slice(1)).to.deep.equal([
      { type: 'handoff.output', id: 'h1', text: 'answer to look it up' },
      { type: 'handoff.done', id: 'h1' },
    ]);
    expect(h.manager.stats().delegations).to.equal(1);
  });

  it('a failing delegate finishes the turn with "The background agent failed: <message>" and the conversation goes on', async () => {
    const delegate = new RecordingDelegate(() => Promise.reject(new Error('database down')));
    const h = createHarness({ delegate });
    await h.manager.start();
    h.server().serverJson({ type: 'handoff', id: 'h1', prompt: 'x' });
    await settle();
    await settle();
    expect(h.wire().slice(1)).to.deep.equal([
      { type: 'handoff.output', id: 'h1', text: 'The background agent failed: database down' },
      { type: 'handoff.done', id: 'h1' },
    ]);
    expect(h.manager.running).to.equal(true);
    expect(h.logger.lines.some((line) => line.level === 'error' && line.fields?.error === 'database down')).to.equal(true);
  });

  it('a delegate that throws synchronously is handled the same way', async () => {
    const delegate = new RecordingDelegate(() => {
      throw new Error('sync bug');
    });
    const h = createHarness({ delegate });
    await h.manager.start();
    h.server().serverJson({ type: 'handoff', id: 'h1', prompt: 'x' });
    await settle();
    await settle();
    expect(h.wire().slice(1)[0]).to.deep.equal({ type: 'handoff.output', id: 'h1', text: 'The background agent failed: sync bug' });
  });

  it('a delegation never blocks the event flow', async () => {
    const delegate = new RecordingDelegate(() => new Promise<void>(() => undefined));
    const h = createHarness({ delegate });
    await h.manager.start();
    h.server().serverJson({ type: 'handoff', id: 'h1', prompt: 'x' });
    h.server().serverJson({ type: 'say', text: 'meanwhile' });
    h.server().serverJson({ type: 'audio', audio: 'AAAA' });
    expect(h.events.map((event) => event.type)).to.deep.equal([
      'started',
      'handoffRequested',
      'delegationStarted',
      'outputTranscriptDelta',
      'audioOut',
    ]);
  });

  it('without a delegate, the application answers with sendAssistantOutput and finishTurn', async () => {
    const h = createHarness();
    await h.manager.start();
    h.server().serverJson({ type: 'handoff', id: 'h1', prompt: 'x' });
    expect(h.of('delegationStarted')).to.have.length(1);
    await h.manager.sendAssistantOutput('from the app');
    await h.manager.finishTurn();
    await settle();
    expect(h.wire().slice(1)).to.deep.equal([
      { type: 'handoff.output', id: 'h1', text: 'from the app' },
      { type: 'handoff.done', id: 'h1' },
    ]);
  });

  it('assistant output with no active handoff is dropped, counted and logged at warn level', async () => {
    const h = createHarness();
    await h.manager.start();
    await h.manager.sendAssistantOutput('nobody asked');
    await settle();
    expect(h.wire()).to.have.length(1);
    expect(h.manager.stats().droppedAssistantOutputs).to.equal(1);
    expect(h.logger.lines.some((line) => line.level === 'warn')).to.equal(true);
  });

  it('the delegate turn is aborted when the conversation ends, and its late output is ignored', async () => {
    const delegate = new RecordingDelegate(() => new Promise<void>(() => undefined));
    const h = createHarness({ delegate });
    await h.manager.start();
    h.server().serverJson({ type: 'handoff', id: 'h1', prompt: 'x' });
    const turn = delegate.turns[0] as DelegationTurn;
    await h.manager.close();
    expect(turn.signal.aborted).to.equal(true);
    await turn.output('too late');
    await turn.finish();
    expect(h.wire()).to.have.length(1);
  });
});
