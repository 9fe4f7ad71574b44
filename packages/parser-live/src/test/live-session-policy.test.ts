import { expect } from 'chai';
import type { ParleyConfigInput } from '@parley/core';
import { LiveProtocolStrategy } from '../live-protocol-strategy.js';
import { LiveSessionPolicy } from '../live-session-policy.js';
import { FakeLiveHandle, co, live, th } from './fake-live-handle.js';

const SETTINGS = {
  instructions: '',
  voice: 'marin',
  model: 'gpt-live-1',
  outputModality: 'audio' as const,
  mode: 'conversational' as const,
  sessionId: undefined,
  tools: [],
};

/** A handle with the real live policy created by the strategy, started at t=0 unless `started` is false. */
function setup(config: ParleyConfigInput = {}, started = true): { handle: FakeLiveHandle; policy: LiveSessionPolicy } {
  const handle = new FakeLiveHandle(config);
  const strategy = new LiveProtocolStrategy(handle.config, handle.logger);
  const policy = strategy.createPolicy(handle, SETTINGS) as LiveSessionPolicy;
  handle.policy = policy;
  if (started) handle.frame(0, live.started());
  return { handle, policy };
}

describe('LiveSessionPolicy', () => {
  describe('start', () => {
    it('holds inputs from creation until session.started, then releases them', () => {
      const { handle } = setup({}, false);
      expect(handle.held).to.equal(true);
      handle.frame(50, live.started('sess_9'));
      expect(handle.held).to.equal(false);
      expect(handle.records.filter((record) => record.kind === 'hold')).to.deep.equal([
        { t: 0, kind: 'hold', held: true },
        { t: 50, kind: 'hold', held: false },
      ]);
      expect(handle.delivered()).to.deep.equal([{ type: 'sessionUpdated', sessionId: 'sess_9' }]);
    });

    it('no session.started within startTimeoutMs: fatal ERR_START_TIMEOUT with the exact message', () => {
      const { handle } = setup({ realtime: { live: { startTimeoutMs: 2500 } } }, false);
      handle.clock.advanceTo(2499);
      expect(handle.delivered()).to.deep.equal([]);
      handle.clock.advanceTo(2500);
      expect(handle.delivered()).to.deep.equal([
        {
          type: 'error',
          message: 'the live session did not start: no session.started within 2500 ms',
          fatal: true,
          code: 'ERR_START_TIMEOUT',
        },
      ]);
      expect(handle.ended).to.equal(true);
    });

    it('session.started in time cancels the start timeout', () => {
      const { handle } = setup({ realtime: { live: { startTimeoutMs: 100 } } }, false);
      handle.frame(99, live.started());
      handle.clock.advanceTo(10_000);
      expect(handle.delivered().map((event) => event.type)).to.deep.equal(['sessionUpdated']);
      expect(handle.ended).to.equal(false);
    });

    it('a second session.started is delivered as sessionUpdated and changes nothing', () => {
      const { handle } = setup();
      handle.frame(10, live.started('sess_2'));
      expect(handle.records.filter((record) => record.kind === 'hold')).to.have.length(2);
      expect(handle.delivered()).to.deep.equal([
        { type: 'sessionUpdated', sessionId: 'sess_1' },
        { type: 'sessionUpdated', sessionId: 'sess_2' },
      ]);
    });
  });

  describe('errors', () => {
    it('an error before session.started is fatal', () => {
      const { handle } = setup({}, false);
      handle.frame(5, live.error('unknown_parameter', 'Unknown parameter: foo.'));
      expect(handle.delivered()).to.deep.equal([
        { type: 'error', message: 'Unknown parameter: foo.', fatal: true, code: 'unknown_parameter' },
      ]);
      expect(handle.ended).to.equal(true);
    });

    it('after session.started only the four account codes are fatal', () => {
      for (const code of ['insufficient_quota', 'invalid_api_key', 'account_deactivated', 'billing_hard_limit_reached']) {
        const { handle } = setup();
        handle.frame(5, live.error(code));
        expect(handle.delivered()[1]).to.deep.equal({ type: 'error', message: 'boom', fatal: true, code });
        expect(handle.ended, code).to.equal(true);
      }
      for (const code of ['function_call_outputs_required', 'context_append_too_long', 'unknown_delegation', 'server_error']) {
        const { handle } = setup();
        handle.frame(5, live.error(code));
        expect(handle.delivered()[1]).to.deep.equal({ type: 'error', message: 'boom', fatal: false, code });
        expect(handle.ended, code).to.equal(false);
      }
    });

    it('while closing no error is fatal', () => {
      const { handle, policy } = setup();
      expect(policy.beginClose()).to.equal(true);
      handle.frame(5, live.error('invalid_api_key'));
      expect(handle.delivered()[1]).to.deep.equal({ type: 'error', message: 'boom', fatal: false, code: 'invalid_api_key' });
      expect(handle.ended).to.equal(false);
    });
  });

  describe('delegation (client mode): the spec 08 examples, grace 1000 ms, budget 450', () => {
    it('A late transcript: routed when the input transcript reaches the offset, not at the instant of delegation', () => {
      const { handle, policy } = setup();
      handle.frame(100, live.input('What is', 1000, 1200));
      handle.frame(120, live.input(' the weather', 1200, 1400));
      handle.frame(150, live.delegation('deleg_late', 1800));
      expect(handle.delivered()[3]).to.deep.equal({
        type: 'handoffRequested',
        handoffId: 'deleg_late',
        itemId: 'deleg_late',
        inputTranscript: '',
        activeTranscript: [{ role: 'user', text: 'What is the weather' }],
        offsetMs: 1800,
        target: 'client',
      });
      handle.frame(300, live.input(' in Lisbon', 1400, 1600));
      expect(handle.routes()).to.deep.equal([]);
      handle.frame(420, live.input(' today?', 1600, 1800));
      handle.frame(480, live.output('Let me check.', 1800, 2400));
      expect(handle.routes()).to.deep.equal([{ t: 420, handoffId: 'deleg_late', text: 'user: What is the weather in Lisbon today?' }]);
      // the fragment is delivered before the routing it causes
      const kinds = handle.records.filter((record) => record.t === 420).map((record) => record.kind);
      expect(kinds).to.deep.equal(['deliver', 'route']);
      policy.assistantOutput('Sunny and 22 degrees in Lisbon today.', 'deleg_late');
      policy.finishTurn('deleg_late');
      expect(handle.sent()).to.deep.equal([
        th('deleg_late', 'Sunny and 22 degrees in Lisbon today.'),
        co('deleg_late', 'Sunny and 22 degrees in Lisbon today.'),
      ]);
      // "Let me check." stays for the next take
      expect(handle.transcript.snapshot()).to.deep.equal([{ role: 'assistant', text: 'Let me check.' }]);
    });

    it('B caught up on arrival: routed at once, with the assistant words before it', () => {
      const { handle } = setup();
      handle.frame(100, live.input('Book a table', 500, 900));
      handle.frame(110, live.input(' for two.', 900, 1200));
      handle.frame(130, live.output('Sure.', 1200, 1400));
      handle.frame(150, live.delegation('deleg_a', 1200));
      expect(handle.routes()).to.deep.equal([{ t: 150, handoffId: 'deleg_a', text: 'user: Book a table for two.\nassistant: Sure.' }]);
      expect(handle.clock.pending).to.equal(0);
    });

    it('C the stream moves past the offset: routed at the first fragment ending at or after it', () => {
      const { handle } = setup();
      handle.frame(2000, live.input('And a taxi', 3000, 3300));
      handle.frame(2050, live.delegation('deleg_c', 3500));
      handle.frame(2300, live.input(' at seven forty-five.', 3600, 4200));
      expect(handle.routes()).to.deep.equal([{ t: 2300, handoffId: 'deleg_c', text: 'user: And a taxi at seven forty-five.' }]);
    });

    it('D grace expiry: routed after the grace with what arrived; output fragments never make it due', () => {
      const { handle } = setup();
      handle.frame(200, live.input('Remind me to call', 2000, 2400));
      handle.frame(250, live.delegation('deleg_d', 3000));
      handle.frame(600, live.input(' mum', 2400, 2600));
      handle.frame(900, live.output('Will do.', 3000, 3400));
      handle.clock.advanceTo(1249);
      expect(handle.routes()).to.deep.equal([]);
      handle.clock.advanceTo(1250);
      expect(handle.routes()).to.deep.equal([{ t: 1250, handoffId: 'deleg_d', text: 'user: Remind me to call mum\nassistant: Will do.' }]);
      handle.frame(1400, live.input(' tonight', 2600, 2800));
      expect(handle.transcript.snapshot()).to.deep.equal([{ role: 'user', text: ' tonight' }]);
      expect(handle.routes()).to.have.length(1);
    });

    it('E concurrent delegations: each output goes to its own delegation id, in the order produced', () => {
      const { handle, policy } = setup();
      handle.frame(100, live.input('Check my flight', 0, 500));
      handle.frame(150, live.delegation('da', 500));
      handle.frame(300, live.input('and the weather in Porto', 600, 1000));
      handle.frame(350, live.delegation('db', 1000));
      expect(handle.routes()).to.deep.equal([
        { t: 150, handoffId: 'da', text: 'user: Check my flight' },
        { t: 350, handoffId: 'db', text: 'user: and the weather in Porto' },
      ]);
      handle.clock.advanceTo(400);
      policy.assistantOutput('Looking up flight AB123.', 'da');
      handle.clock.advanceTo(450);
      policy.assistantOutput('Rain in Porto from 3 pm.', 'db');
      policy.finishTurn('db');
      handle.clock.advanceTo(950);
      policy.assistantOutput('Flight AB123 is on time.', 'da');
      policy.finishTurn('da');
      expect(handle.sent()).to.deep.equal([
        th('da', 'Looking up flight AB123.'),
        th('db', 'Rain in Porto from 3 pm.'),
        co('db', 'Rain in Porto from 3 pm.'),
        th('da', 'Flight AB123 is on time.'),
        co('da', 'Flight AB123 is on time.'),
      ]);
    });

    it('F close during the grace: the pending delegation is dropped, never routed; later fragments route nothing', () => {
      const { handle, policy } = setup();
      handle.frame(100, live.input('Find a hotel', 100, 500));
      handle.frame(150, live.delegation('deleg_f', 900));
      handle.clock.advanceTo(300);
      expect(policy.beginClose()).to.equal(true);
      handle.frame(320, live.input(' in Porto', 500, 900));
      handle.clock.advanceTo(5000);
      expect(handle.routes()).to.deep.equal([]);
      expect(handle.sent()).to.deep.equal([{ type: 'session.close' }]);
      expect(handle.delivered().map((event) => event.type)).to.include('inputTranscriptDelta');
    });

    it('a duplicate delegation id is ignored: not delivered, not routed, counted', () => {
      const { handle } = setup();
      handle.frame(100, live.input('Hello there', 0, 500));
      handle.frame(150, live.delegation('d1', 500));
      handle.frame(160, live.input('again', 600, 900));
      handle.frame(170, live.delegation('d1', 900));
      expect(handle.delivered().filter((event) => event.type === 'handoffRequested')).to.have.length(1);
      expect(handle.routes()).to.have.length(1);
      expect(handle.counters.ignoredEvents).to.equal(1);
      expect(handle.logger.warnings.map((warning) => warning.message)).to.include('live delegation id seen before: ignored');
    });

    it('a delegation without offset_ms is due only at the end of its grace', () => {
      const { handle } = setup({ realtime: { live: { delegationGraceMs: 400 } } });
      handle.frame(100, live.input('Do it', 0, 5000));
      handle.frame(150, live.delegation('d1'));
      handle.frame(200, live.input(' now', 5000, 6000));
      expect(handle.routes()).to.deep.equal([]);
      handle.clock.advanceTo(550);
      expect(handle.routes()).to.deep.equal([{ t: 550, handoffId: 'd1', text: 'user: Do it now' }]);
    });

    it('with a grace of 0 a delegation not caught up is routed at once', () => {
      const { handle } = setup({ realtime: { live: { delegationGraceMs: 0 } } });
      handle.frame(100, live.input('What is', 0, 200));
      handle.frame(150, live.delegation('d1', 800));
      expect(handle.routes()).to.deep.equal([{ t: 150, handoffId: 'd1', text: 'user: What is' }]);
    });

    it('routing is strictly in arrival order: a caught-up delegation waits behind one that is not due', () => {
      const { handle } = setup();
      handle.frame(100, live.input('first', 0, 200));
      handle.frame(110, live.delegation('d1'));
      handle.frame(120, live.delegation('d2', 100));
      expect(handle.routes()).to.deep.equal([]);
      handle.clock.advanceTo(1110);
      expect(handle.routes()).to.deep.equal([{ t: 1110, handoffId: 'd1', text: 'user: first' }]);
      expect(handle.counters.unroutedDelegations).to.equal(1);
    });

    it('an empty take routes nothing: unroutedDelegations counted, warned, never opened', () => {
      const { handle, policy } = setup();
      handle.frame(100, live.input('   ', 0, 200));
      handle.frame(150, live.delegation('d1', 200));
      expect(handle.routes()).to.deep.equal([]);
      expect(handle.counters.unroutedDelegations).to.equal(1);
      expect(handle.logger.warnings.map((warning) => warning.message)).to.include(
        'live delegation with an empty transcript: nothing to route',
      );
      policy.assistantOutput('late', 'd1');
      expect(handle.counters.droppedAssistantOutputs).to.equal(1);
      expect(handle.sent()).to.deep.equal([]);
    });

    it('a delegation whose target is not client is delivered for information and never routed', () => {
      const { handle } = setup();
      handle.frame(100, live.input('Weather?', 0, 200));
      handle.frame(150, live.delegation('d1', 200, 'responses'));
      handle.clock.advanceTo(5000);
      expect(handle.delivered()[2]).to.include({ type: 'handoffRequested', handoffId: 'd1', target: 'responses' });
      expect(handle.routes()).to.deep.equal([]);
    });

    it('an input fragment without end_ms is delivered but does not move the horizon', () => {
      const { handle } = setup();
      handle.frame(100, live.delegation('d1', 100));
      handle.frame(120, { type: 'session.input_transcript.delta', delta: 'hi' });
      expect(handle.routes()).to.deep.equal([]);
      handle.frame(130, live.input('', 100, 150));
      expect(handle.routes()).to.deep.equal([{ t: 130, handoffId: 'd1', text: 'user: hi' }]);
    });

    it('renders trimmed entries and leaves out empty ones; routes the taken entries as they were', () => {
      const { handle } = setup();
      handle.frame(100, live.input('  Hello ', 0, 100));
      handle.frame(110, live.output('   ', 100, 200));
      handle.frame(120, live.delegation('d1', 100));
      const route = handle.records.find((record) => record.kind === 'route');
      expect(route).to.deep.include({
        kind: 'route',
        delegation: {
          handoffId: 'd1',
          text: 'user: Hello',
          transcript: [
            { role: 'user', text: '  Hello ' },
            { role: 'assistant', text: '   ' },
          ],
          steering: false,
        },
      });
    });
  });

  describe('delegate output', () => {
    function routedTwo(): { handle: FakeLiveHandle; policy: LiveSessionPolicy } {
      const context = setup();
      context.handle.frame(100, live.input('one', 0, 100));
      context.handle.frame(110, live.delegation('d1', 100));
      context.handle.frame(120, live.input('two', 200, 300));
      context.handle.frame(130, live.delegation('d2', 300));
      return context;
    }

    it('without an id, output and finish go to the oldest open delegation', () => {
      const { handle, policy } = routedTwo();
      policy.assistantOutput('for d1');
      policy.finishTurn();
      policy.assistantOutput('for d2');
      policy.finishTurn();
      expect(handle.sent()).to.deep.equal([th('d1', 'for d1'), co('d1', 'for d1'), th('d2', 'for d2'), co('d2', 'for d2')]);
    });

    it('output for a finished, unknown or missing delegation is dropped, counted and warned; such a finish does nothing', () => {
      const { handle, policy } = routedTwo();
      policy.finishTurn('d1');
      policy.assistantOutput('late', 'd1');
      policy.assistantOutput('who?', 'nope');
      policy.finishTurn('nope');
      expect(handle.counters.droppedAssistantOutputs).to.equal(2);
      expect(handle.sent()).to.deep.equal([co('d1', 'The background agent finished without an answer.')]);
      policy.finishTurn('d2');
      policy.assistantOutput('nobody open');
      expect(handle.counters.droppedAssistantOutputs).to.equal(3);
    });

    it('a message empty after trimming sends nothing and is not remembered', () => {
      const { handle, policy } = routedTwo();
      policy.assistantOutput('Answer.', 'd1');
      policy.assistantOutput('   ', 'd1');
      policy.finishTurn('d1');
      expect(handle.sent()).to.deep.equal([th('d1', 'Answer.'), co('d1', 'Answer.')]);
    });

    it('a failed delegate finishes with its failure text, which is spoken', () => {
      const { handle, policy } = routedTwo();
      policy.assistantOutput('The background agent failed: timeout', 'd2');
      policy.finishTurn('d2');
      expect(handle.sent()).to.deep.equal([
        th('d2', 'The background agent failed: timeout'),
        co('d2', 'The background agent failed: timeout'),
      ]);
    });

    it('output and finish are chunked within appendTokenBudget, thinking then commentary', () => {
      const { handle, policy } = setup({ realtime: { live: { appendTokenBudget: 3 } } });
      handle.frame(100, live.input('go', 0, 100));
      handle.frame(110, live.delegation('d1', 100));
      policy.assistantOutput('First one. Second one.', 'd1');
      policy.finishTurn('d1');
      expect(handle.sent()).to.deep.equal([
        th('d1', 'First one.'),
        th('d1', 'Second one.'),
        co('d1', 'First one.'),
        co('d1', 'Second one.'),
      ]);
    });

    it('while closing, outputs and finishes are ignored', () => {
      const { handle, policy } = routedTwo();
      policy.beginClose();
      policy.assistantOutput('late', 'd1');
      policy.finishTurn('d1');
      expect(handle.sent()).to.deep.equal([{ type: 'session.close' }]);
    });
  });

  describe('inputs', () => {
    it('requestResponse sends replyPrompt as null-delegation commentary', () => {
      const { handle, policy } = setup();
      policy.requestResponse();
      expect(handle.sent()).to.deep.equal([co(null, "Respond to the user's latest message now.")]);
    });

    it('requestResponse with replyPrompt "" is a no-op', () => {
      const { handle, policy } = setup({ realtime: { live: { replyPrompt: '' } } });
      policy.requestResponse();
      expect(handle.sent()).to.deep.equal([]);
    });

    it('reportPlayback does nothing', () => {
      const { handle, policy } = setup();
      policy.reportPlayback('item', 100);
      expect(handle.sent()).to.deep.equal([]);
    });

    it('response.event frames are ignored in client mode and counted', () => {
      const { handle } = setup();
      handle.frame(10, { type: 'response.event', delegation_id: 'd1', event: { type: 'response.created', response: { id: 'r' } } });
      handle.frame(11, { type: 'response.event', delegation_id: null, event: { type: 'response.output_text.delta' } });
      expect(handle.delivered()).to.have.length(1);
      expect(handle.counters.ignoredEvents).to.equal(2);
    });
  });

  describe('close', () => {
    it('before session.started: beginClose is false (the core ends at once), pending delegations dropped, nothing sent', () => {
      const { handle, policy } = setup({}, false);
      handle.frame(10, live.delegation('d1', 100));
      expect(policy.beginClose()).to.equal(false);
      expect(handle.sent()).to.deep.equal([]);
      expect(policy.openHandoffs()).to.deep.equal([]);
    });

    it('after session.started: session.close once, then the end at session.closed with reason requested', () => {
      const { handle, policy } = setup();
      expect(policy.beginClose()).to.equal(true);
      expect(policy.beginClose()).to.equal(true);
      handle.frame(40, live.closed());
      expect(handle.sent()).to.deep.equal([{ type: 'session.close' }]);
      expect(handle.delivered()[1]).to.deep.equal({ type: 'sessionClosed', reason: 'close_requested', seconds: 1 });
      expect(handle.records[handle.records.length - 1]).to.deep.equal({ t: 40, kind: 'end', reason: 'requested' });
    });

    it('no session.closed: the end after closeTimeoutMs, warned', () => {
      const { handle, policy } = setup({ realtime: { live: { closeTimeoutMs: 3000 } } });
      handle.clock.advanceTo(100);
      policy.beginClose();
      handle.clock.advanceTo(3099);
      expect(handle.ended).to.equal(false);
      handle.clock.advanceTo(3100);
      expect(handle.records[handle.records.length - 1]).to.deep.equal({ t: 3100, kind: 'end', reason: 'requested' });
      expect(handle.logger.warnings.map((warning) => warning.message)).to.include(
        'no session.closed after session.close: closing the connection',
      );
    });

    it('a session.closed while not closing is delivered, drops pending delegations, and ends with transport_closed', () => {
      const { handle, policy } = setup();
      handle.frame(10, live.input('x', 0, 10));
      handle.frame(20, live.delegation('d1', 500));
      handle.frame(30, live.closed('expired'));
      expect(handle.delivered().slice(-1)).to.deep.equal([{ type: 'sessionClosed', reason: 'expired', seconds: 1 }]);
      expect(handle.records[handle.records.length - 1]).to.deep.equal({ t: 30, kind: 'end', reason: 'transport_closed' });
      expect(policy.openHandoffs()).to.deep.equal([]);
      handle.clock.advanceTo(5000);
      expect(handle.routes()).to.deep.equal([]);
    });
  });

  it('openHandoffs lists the pending then the open delegations (lost on reconnection)', () => {
    const { handle, policy } = setup();
    handle.frame(10, live.input('a', 0, 100));
    handle.frame(20, live.delegation('open1', 100));
    handle.frame(30, live.delegation('pend1', 900));
    expect(policy.openHandoffs()).to.deep.equal(['pend1', 'open1']);
    policy.finishTurn('open1');
    expect(policy.openHandoffs()).to.deep.equal(['pend1']);
  });
});
