import { expect } from 'chai';
import type { RealtimeEvent, SessionSettings } from '@parley/core';
import { decodeV2Frame } from '../v2-decoder.js';
import { V2SessionPolicy } from '../v2-session-policy.js';
import { FakePolicyHandle } from './fake-policy-handle.js';

const RACE = 'Conversation already has an active response in progress: resp_prev';
const CREATE = { type: 'response.create' };
const frame960 = Buffer.alloc(960).toString('base64'); // 480 samples: 20 ms at 24 kHz mono

function progress(text: string) {
  return {
    type: 'conversation.item.create',
    item: {
      type: 'message',
      role: 'user',
      content: [{ type: 'input_text', text: `${text}\n\nUpdate from background agent (task hasn't finished yet):` }],
    },
  };
}
function output(callId: string, text: string) {
  return {
    type: 'conversation.item.create',
    item: { type: 'function_call_output', call_id: callId, output: `"Agent Final Message":\n\n${text}` },
  };
}
function handoff(callId: string, inputTranscript: string, itemId = `item_${callId}`): RealtimeEvent {
  return { type: 'handoffRequested', handoffId: callId, itemId, inputTranscript, activeTranscript: [] };
}
function audio(itemId: string | undefined, data = frame960, extra: Record<string, number> = {}): RealtimeEvent {
  const event: RealtimeEvent = { type: 'audioOut', data, sampleRate: 24000, numChannels: 1, ...extra };
  if (itemId !== undefined) event.itemId = itemId;
  return event;
}
const speech = (itemId = 'item_user'): RealtimeEvent => ({ type: 'inputAudioSpeechStarted', itemId });
const created = (id = 'resp_1'): RealtimeEvent => ({ type: 'responseCreated', responseId: id });
const done = (id = 'resp_1'): RealtimeEvent => ({ type: 'responseDone', responseId: id });
const cancelled = (id = 'resp_1'): RealtimeEvent => ({ type: 'responseCancelled', responseId: id });

const SETTINGS: SessionSettings = {
  instructions: '',
  voice: 'marin',
  model: 'm',
  outputModality: 'audio',
  mode: 'conversational',
  sessionId: undefined,
  tools: [],
  audioFormat: 'pcm16',
};

function setup(): { handle: FakePolicyHandle; policy: V2SessionPolicy } {
  const handle = new FakePolicyHandle();
  return { handle, policy: new V2SessionPolicy(handle, SETTINGS) };
}

describe('V2SessionPolicy: delivery', () => {
  it('forwards every other event unchanged, in order', () => {
    const { handle, policy } = setup();
    const events: RealtimeEvent[] = [
      { type: 'sessionUpdated', sessionId: 's' },
      { type: 'inputTranscriptDelta', delta: 'a' },
      { type: 'outputTranscriptDone', text: 'b' },
      { type: 'conversationItemAdded', item: { id: 'x' } },
      { type: 'conversationItemDone', itemId: 'x' },
      audio(undefined),
      speech(),
      created(),
      done(),
    ];
    for (const event of events) policy.onServerEvent(event);
    expect(handle.delivered).to.deep.equal(events);
    expect(handle.wire).to.deep.equal([]);
  });

  it('an ordinary server error is delivered as decoded (fatal)', () => {
    const { handle, policy } = setup();
    policy.onServerEvent({ type: 'error', message: 'upstream boom', fatal: true });
    expect(handle.delivered).to.deep.equal([{ type: 'error', message: 'upstream boom', fatal: true }]);
    expect(handle.counters.raceErrors).to.equal(undefined);
  });
});

describe('V2SessionPolicy: response gating', () => {
  it('sends response.create at once when idle, optimistically active', () => {
    const { handle, policy } = setup();
    policy.requestResponse();
    expect(handle.wire).to.deep.equal([CREATE]);
    expect(policy.gating).to.deep.equal({ active: true, pending: false });
  });

  it('several requests while active collapse into one sent after done', () => {
    const { handle, policy } = setup();
    policy.onServerEvent(created('resp_a'));
    policy.requestResponse();
    policy.requestResponse();
    policy.requestResponse();
    expect(handle.wire).to.deep.equal([]);
    expect(handle.counters.deferredResponseRequests).to.equal(3);
    policy.onServerEvent(done('resp_a'));
    expect(handle.wire).to.deep.equal([CREATE]);
    expect(handle.log).to.deep.equal(['deliver responseCreated', 'deliver responseDone', 'send response.create']);
    expect(policy.gating).to.deep.equal({ active: true, pending: false });
    policy.onServerEvent(done('resp_b'));
    expect(handle.wire).to.deep.equal([CREATE]);
  });

  it('a second request before response.created is deferred (optimistic active)', () => {
    const { handle, policy } = setup();
    policy.requestResponse();
    policy.requestResponse();
    expect(handle.wire).to.deep.equal([CREATE]);
    expect(handle.counters.deferredResponseRequests).to.equal(1);
    policy.onServerEvent(created());
    policy.onServerEvent(done());
    expect(handle.wire).to.deep.equal([CREATE, CREATE]);
  });

  it('done with nothing owed sends nothing and makes the next request go out at once', () => {
    const { handle, policy } = setup();
    policy.onServerEvent(created());
    policy.onServerEvent(done());
    expect(handle.wire).to.deep.equal([]);
    policy.requestResponse();
    expect(handle.wire).to.deep.equal([CREATE]);
  });

  it('cancelled releases the owed request like done', () => {
    const { handle, policy } = setup();
    policy.onServerEvent(created());
    policy.requestResponse();
    policy.onServerEvent(cancelled());
    expect(handle.wire).to.deep.equal([CREATE]);
    expect(handle.delivered).to.deep.equal([created(), cancelled()]);
  });

  it('the race as an inbound error without code: non-fatal, counted, active + pending, re-request after done', () => {
    const { handle, policy } = setup();
    policy.requestResponse();
    policy.onServerEvent({ type: 'error', message: RACE, fatal: true });
    expect(handle.delivered).to.deep.equal([{ type: 'error', message: RACE, fatal: false }]);
    expect(handle.counters.raceErrors).to.equal(1);
    expect(policy.gating).to.deep.equal({ active: true, pending: true });
    policy.requestResponse();
    expect(handle.wire).to.deep.equal([CREATE]);
    policy.onServerEvent(done('resp_prev'));
    expect(handle.wire).to.deep.equal([CREATE, CREATE]);
  });

  it('the race as an inbound error decoded from a frame with code conversation_already_has_active_response', () => {
    const { handle, policy } = setup();
    const event = decodeV2Frame(
      JSON.stringify({
        type: 'error',
        event_id: 'evt_1',
        error: { type: 'invalid_request_error', code: 'conversation_already_has_active_response', message: RACE },
      }),
    );
    if (typeof event === 'string') throw new Error(`skipped: ${event}`);
    policy.onServerEvent(event);
    expect(handle.delivered).to.deep.equal([
      { type: 'error', message: RACE, code: 'conversation_already_has_active_response', fatal: false },
    ]);
    expect(handle.counters.raceErrors).to.equal(1);
    expect(policy.gating).to.deep.equal({ active: true, pending: true });
    policy.onServerEvent(cancelled('resp_prev'));
    expect(handle.wire).to.deep.equal([CREATE]);
  });

  it('an error that only mentions the race later in its text is not a race', () => {
    const { handle, policy } = setup();
    const message = `upstream: ${RACE}`;
    policy.onServerEvent({ type: 'error', message, fatal: true });
    expect(handle.delivered).to.deep.equal([{ type: 'error', message, fatal: true }]);
  });

  it('the race as a send failure of response.create: handled, non-fatal, counted, re-requested after done', () => {
    const { handle, policy } = setup();
    policy.requestResponse();
    expect(handle.failSend(0, new Error(RACE))).to.equal(true);
    expect(handle.delivered).to.deep.equal([{ type: 'error', message: RACE, fatal: false }]);
    expect(handle.counters.raceErrors).to.equal(1);
    expect(policy.gating).to.deep.equal({ active: true, pending: true });
    policy.onServerEvent(done('resp_prev'));
    expect(handle.wire).to.deep.equal([CREATE, CREATE]);
  });

  it('another send failure of response.create is left fatal', () => {
    const { handle, policy } = setup();
    policy.requestResponse();
    expect(handle.failSend(0, new Error('socket closed'))).to.equal(false);
    expect(handle.delivered).to.deep.equal([]);
  });

  it('the race is recognised by its code alone (whatever the message), keeping code, param and eventId', () => {
    const { handle, policy } = setup();
    policy.requestResponse();
    const race: RealtimeEvent = {
      type: 'error',
      message: 'A response is already in progress.',
      code: 'conversation_already_has_active_response',
      param: 'response',
      eventId: 'evt_7',
      fatal: true,
    };
    policy.onServerEvent(race);
    expect(handle.delivered).to.deep.equal([{ ...race, fatal: false }]);
    expect(policy.gating).to.deep.equal({ active: true, pending: true });
  });

  it('input_audio_buffer_commit_empty is delivered non-fatal and changes nothing else', () => {
    const { handle, policy } = setup();
    const empty: RealtimeEvent = { type: 'error', message: 'buffer too small', code: 'input_audio_buffer_commit_empty', fatal: true };
    policy.onServerEvent(empty);
    expect(handle.delivered).to.deep.equal([{ ...empty, fatal: false }]);
    expect(handle.counters.raceErrors).to.equal(undefined);
    expect(policy.gating).to.deep.equal({ active: false, pending: false });
    expect(handle.wire).to.deep.equal([]);
  });

  it('a failed response is delivered, then a non-fatal error from status_details.error, then the owed request', () => {
    const { handle, policy } = setup();
    policy.onServerEvent(created('resp_2'));
    policy.requestResponse();
    const statusDetails = { type: 'failed', error: { type: 'server_error', code: 'server_error', message: 'The server had an error.' } };
    const failed: RealtimeEvent = { type: 'responseDone', responseId: 'resp_2', status: 'failed', statusDetails };
    policy.onServerEvent(failed);
    expect(handle.delivered.slice(1)).to.deep.equal([
      failed,
      { type: 'error', message: 'The server had an error.', code: 'server_error', fatal: false },
    ]);
    expect(handle.log.slice(-3)).to.deep.equal(['deliver responseDone', 'deliver error', 'send response.create']);
  });

  it('a failed response without details gives "response failed" without a code; cancelled and incomplete give no error', () => {
    const { handle, policy } = setup();
    policy.onServerEvent({ type: 'responseDone', status: 'failed' });
    policy.onServerEvent({ type: 'responseDone', status: 'failed', statusDetails: { type: 'failed', error: { code: 7 } } });
    policy.onServerEvent({ type: 'responseDone', status: 'cancelled', statusDetails: { type: 'cancelled', reason: 'turn_detected' } });
    policy.onServerEvent({
      type: 'responseDone',
      status: 'incomplete',
      statusDetails: { type: 'incomplete', reason: 'max_output_tokens' },
    });
    expect(handle.delivered.filter((event) => event.type === 'error')).to.deep.equal([
      { type: 'error', message: 'response failed', fatal: false },
      { type: 'error', message: 'response failed', fatal: false },
    ]);
  });

  it('race then cancel: the owed request is sent once', () => {
    const { handle, policy } = setup();
    policy.onServerEvent({ type: 'error', message: RACE, fatal: true });
    policy.onServerEvent(cancelled('resp_prev'));
    policy.onServerEvent(cancelled('resp_prev'));
    expect(handle.wire).to.deep.equal([CREATE]);
  });
});

describe('V2SessionPolicy: delegation', () => {
  it('a handoff with none active takes the transcript, is delivered with it, and routed at once', () => {
    const { handle, policy } = setup();
    handle.transcript.entries = [
      { role: 'user', text: 'please look it up' },
      { role: 'assistant', text: 'on it' },
    ];
    policy.onServerEvent(handoff('call_1', 'look it up'));
    const taken = [
      { role: 'user', text: 'please look it up' },
      { role: 'assistant', text: 'on it' },
    ];
    expect(handle.delivered).to.deep.equal([
      { type: 'handoffRequested', handoffId: 'call_1', itemId: 'item_call_1', inputTranscript: 'look it up', activeTranscript: taken },
    ]);
    expect(handle.routes).to.deep.equal([{ handoffId: 'call_1', text: 'look it up', transcript: taken, steering: false }]);
    expect(handle.transcript.entries).to.deep.equal([]);
    expect(handle.log).to.deep.equal(['deliver handoffRequested', 'route call_1']);
    expect(handle.wire).to.deep.equal([]);
    expect(policy.activeHandoff).to.equal('call_1');
  });

  it('an empty handoff (empty prompt, nothing taken) routes nothing and is answered with one empty output, no response.create', () => {
    const { handle, policy } = setup();
    policy.onServerEvent(handoff('call_e', ''));
    expect(handle.delivered).to.deep.equal([
      { type: 'handoffRequested', handoffId: 'call_e', itemId: 'item_call_e', inputTranscript: '', activeTranscript: [] },
    ]);
    expect(handle.routes).to.deep.equal([]);
    expect(handle.wire).to.deep.equal([output('call_e', '')]);
    expect(policy.activeHandoff).to.equal(undefined);
  });

  it('an empty handoff while a delegation runs does not steer it; the active handoff is unchanged', () => {
    const { handle, policy } = setup();
    policy.onServerEvent(handoff('call_1', 'book it'));
    policy.onServerEvent(handoff('call_e', '   '));
    expect(handle.routes.map((route) => route.handoffId)).to.deep.equal(['call_1']);
    expect(handle.wire).to.deep.equal([output('call_e', '')]);
    expect(policy.activeHandoff).to.equal('call_1');
  });

  it('an empty prompt with entries taken is routed with the entries rendered as text', () => {
    const { handle, policy } = setup();
    handle.transcript.entries = [{ role: 'user', text: 'book it' }];
    policy.onServerEvent(handoff('call_1', ''));
    expect(handle.routes).to.deep.equal([
      { handoffId: 'call_1', text: 'user: book it', transcript: [{ role: 'user', text: 'book it' }], steering: false },
    ]);
    expect(handle.wire).to.deep.equal([]);
  });

  it('one message: progress item, function_call_output, response.create, in that order; one output per handoff', () => {
    const { handle, policy } = setup();
    policy.onServerEvent(handoff('call_v2', 'delegate from v2'));
    policy.assistantOutput('delegated from v2');
    policy.finishTurn();
    policy.finishTurn();
    expect(handle.wire).to.deep.equal([progress('delegated from v2'), output('call_v2', 'delegated from v2'), CREATE]);
    expect(handle.counters.droppedAssistantOutputs).to.equal(1);
    expect(policy.activeHandoff).to.equal(undefined);
  });

  it('the final output carries the last message; an empty one when the turn produced none', () => {
    const { handle, policy } = setup();
    policy.onServerEvent(handoff('call_a', 'a'));
    policy.assistantOutput('first');
    policy.assistantOutput('second');
    policy.finishTurn();
    policy.onServerEvent(done());
    policy.onServerEvent(handoff('call_b', 'b'));
    policy.finishTurn();
    expect(handle.wire).to.deep.equal([
      progress('first'),
      progress('second'),
      output('call_a', 'second'),
      CREATE,
      output('call_b', ''),
      CREATE,
    ]);
    expect((handle.wire[4] as unknown as { item: { output: string } }).item.output).to.equal('"Agent Final Message":\n\n');
  });

  it('stale progress: assistant output after the turn finished (or before any handoff) is dropped, counted, warned', () => {
    const { handle, policy } = setup();
    policy.assistantOutput('too early');
    policy.onServerEvent(handoff('call_s', 's'));
    policy.finishTurn();
    policy.assistantOutput('too late');
    expect(handle.wire).to.deep.equal([output('call_s', ''), CREATE]);
    expect(handle.counters.droppedAssistantOutputs).to.equal(2);
    expect(handle.logger.lines.filter((line) => line.level === 'warn')).to.have.length(2);
  });

  it('finishTurn with none active is dropped and counted', () => {
    const { handle, policy } = setup();
    policy.finishTurn();
    expect(handle.wire).to.deep.equal([]);
    expect(handle.counters.droppedAssistantOutputs).to.equal(1);
  });

  it('steering: acknowledgement for the new call, a gated response request, a steering route; the original call gets the final output', () => {
    const { handle, policy } = setup();
    handle.transcript.entries = [{ role: 'user', text: 'book a table' }];
    policy.onServerEvent(handoff('call_1', 'book a table'));
    policy.onServerEvent(created('resp_1'));
    handle.transcript.entries = [{ role: 'user', text: 'make it for four' }];
    policy.onServerEvent(handoff('call_2', 'make it for four'));
    expect(handle.wire).to.deep.equal([output('call_2', 'This was sent to steer the previous background agent task.')]);
    expect(handle.counters.deferredResponseRequests).to.equal(1);
    expect(handle.routes).to.deep.equal([
      { handoffId: 'call_1', text: 'book a table', transcript: [{ role: 'user', text: 'book a table' }], steering: false },
      { handoffId: 'call_2', text: 'make it for four', transcript: [{ role: 'user', text: 'make it for four' }], steering: true },
    ]);
    expect(handle.delivered.filter((event) => event.type === 'handoffRequested')).to.deep.equal([
      {
        type: 'handoffRequested',
        handoffId: 'call_1',
        itemId: 'item_call_1',
        inputTranscript: 'book a table',
        activeTranscript: [{ role: 'user', text: 'book a table' }],
      },
      {
        type: 'handoffRequested',
        handoffId: 'call_2',
        itemId: 'item_call_2',
        inputTranscript: 'make it for four',
        activeTranscript: [{ role: 'user', text: 'make it for four' }],
      },
    ]);
    expect(policy.activeHandoff).to.equal('call_1');
    policy.assistantOutput('booked for four');
    policy.finishTurn();
    expect(handle.counters.deferredResponseRequests).to.equal(2);
    expect(handle.wire).to.deep.equal([
      output('call_2', 'This was sent to steer the previous background agent task.'),
      progress('booked for four'),
      output('call_1', 'booked for four'),
    ]);
    policy.onServerEvent(done('resp_1'));
    expect(handle.wire.slice(3)).to.deep.equal([CREATE]);
  });

  it('steering with no response active sends the acknowledgement then response.create at once', () => {
    const { handle, policy } = setup();
    policy.onServerEvent(handoff('call_1', 'one'));
    policy.onServerEvent(handoff('call_2', 'two'));
    expect(handle.log).to.deep.equal([
      'deliver handoffRequested',
      'route call_1',
      'deliver handoffRequested',
      'send conversation.item.create',
      'send response.create',
      'route call_2 steering',
    ]);
  });

  it('a new handoff after the turn finished is a new delegation again', () => {
    const { handle, policy } = setup();
    policy.onServerEvent(handoff('call_1', 'one'));
    policy.finishTurn();
    policy.onServerEvent(handoff('call_2', 'two'));
    expect(handle.routes.map((route) => [route.handoffId, route.steering])).to.deep.equal([
      ['call_1', false],
      ['call_2', false],
    ]);
  });
});

describe('V2SessionPolicy: a handoff while the finished turn is still queued', () => {
  it('is a new request, not steering: delivered at once, routed as a new delegation right after the final output', () => {
    const { handle, policy } = setup();
    policy.onServerEvent(handoff('call_1', 'one'));
    policy.assistantOutput('answer one');
    handle.pendingFinish = true; // the delegate finished; its finish waits behind a send in flight
    policy.onServerEvent(handoff('call_2', 'two'));
    expect(handle.log.slice(-1)).to.deep.equal(['deliver handoffRequested']);
    handle.pendingFinish = false;
    policy.finishTurn();
    expect(handle.wire.slice(-2)).to.deep.equal([output('call_1', 'answer one'), CREATE]);
    expect(handle.routes.map((route) => [route.handoffId, route.steering])).to.deep.equal([
      ['call_1', false],
      ['call_2', false],
    ]);
    expect(policy.openHandoffs()).to.deep.equal(['call_2']);
    policy.assistantOutput('answer two');
    policy.finishTurn();
    expect(handle.wire.filter((message) => (message as { item?: { type: string } }).item?.type === 'function_call_output')).to.deep.equal([
      output('call_1', 'answer one'),
      output('call_2', 'answer two'),
    ]);
  });

  it('a second one waiting with it steers the first: acknowledgement for its own call id', () => {
    const { handle, policy } = setup();
    policy.onServerEvent(handoff('call_1', 'one'));
    handle.pendingFinish = true;
    policy.onServerEvent(handoff('call_2', 'two'));
    policy.onServerEvent(handoff('call_3', 'three'));
    handle.pendingFinish = false;
    policy.finishTurn();
    expect(handle.routes.map((route) => [route.handoffId, route.steering])).to.deep.equal([
      ['call_1', false],
      ['call_2', false],
      ['call_3', true],
    ]);
    expect(handle.wire).to.deep.include(output('call_3', 'This was sent to steer the previous background agent task.'));
  });
});

const truncate = (itemId: string, end: number) => ({
  type: 'conversation.item.truncate',
  item_id: itemId,
  content_index: 0,
  audio_end_ms: end,
});
const interrupted = (itemId: string, audioEndMs: number): RealtimeEvent => ({ type: 'playbackInterrupted', itemId, audioEndMs });

describe('V2SessionPolicy: barge-in (playback-aware)', () => {
  it('three 20 ms frames, speech 50 ms later: truncate at the played estimate 50, then playbackInterrupted, then the speech event', () => {
    const { handle, policy } = setup();
    for (let i = 0; i < 3; i += 1) policy.onServerEvent(audio('it_1'));
    handle.advance(50);
    policy.onServerEvent(speech('item_user_2'));
    handle.advance(10);
    policy.onServerEvent(speech('item_user_3'));
    expect(handle.wire).to.deep.equal([truncate('it_1', 50)]);
    expect(handle.counters.truncations).to.equal(1);
    expect(handle.delivered.slice(3)).to.deep.equal([interrupted('it_1', 50), speech('item_user_2'), speech('item_user_3')]);
    expect(handle.log.slice(3)).to.deep.equal([
      'send conversation.item.truncate',
      'deliver playbackInterrupted',
      'deliver inputAudioSpeechStarted',
      'deliver inputAudioSpeechStarted',
    ]);
  });

  it('survives response.done (spec 03 example): 200 ms received at t=100, done at 130, speech at 180 → truncate at 80', () => {
    const { handle, policy } = setup();
    handle.advance(100);
    policy.onServerEvent(created());
    for (let i = 0; i < 10; i += 1) policy.onServerEvent(audio('item_a1'));
    handle.advance(30);
    policy.onServerEvent(done());
    handle.advance(50);
    policy.onServerEvent(speech('item_u2'));
    handle.advance(5);
    policy.onServerEvent(audio('item_a1'));
    policy.onServerEvent(speech('item_u3'));
    expect(handle.wire).to.deep.equal([truncate('item_a1', 80)]);
    expect(handle.delivered.filter((event) => event.type === 'playbackInterrupted')).to.deep.equal([interrupted('item_a1', 80)]);
    expect(handle.delivered.filter((event) => event.type === 'audioOut')).to.have.length(11);
  });

  it('survives response.cancelled and a handoff (a spoken preamble before the tool call)', () => {
    for (const event of [cancelled(), handoff('call_x', 'x')]) {
      const { handle, policy } = setup();
      for (let i = 0; i < 10; i += 1) policy.onServerEvent(audio('item_a1'));
      handle.advance(30);
      policy.onServerEvent(event);
      handle.advance(30);
      policy.onServerEvent(speech());
      expect(handle.wire.filter((message) => message.type === 'conversation.item.truncate')).to.deep.equal([truncate('item_a1', 60)]);
    }
  });

  it('fully heard: nothing is sent, no playbackInterrupted', () => {
    const { handle, policy } = setup();
    for (let i = 0; i < 10; i += 1) policy.onServerEvent(audio('item_a1'));
    handle.advance(200);
    policy.onServerEvent(speech());
    expect(handle.wire).to.deep.equal([]);
    expect(handle.delivered.map((event) => event.type)).to.not.include('playbackInterrupted');
    expect(handle.counters.truncations).to.equal(undefined);
  });

  it('sums per item using samplesPerChannel when given; a new item replaces the state from its own first frame', () => {
    const { handle, policy } = setup();
    policy.onServerEvent(audio('it_a', 'AQID', { samplesPerChannel: 2400 }));
    policy.onServerEvent(audio('it_a', 'AQID', { samplesPerChannel: 2400 }));
    handle.advance(100);
    policy.onServerEvent(audio('it_b'));
    policy.onServerEvent(audio('it_b', frame960, { sampleRate: 48000 }));
    handle.advance(25);
    policy.onServerEvent(speech());
    expect(handle.wire).to.deep.equal([truncate('it_b', 25)]);
  });

  it('the reported playback position wins over the estimate (spec 03: 125, not 150)', () => {
    const { handle, policy } = setup();
    handle.advance(10);
    policy.onServerEvent(audio('it_9', 'AQID', { samplesPerChannel: 2400 }));
    handle.advance(10);
    policy.onServerEvent(audio('it_9', 'AQID', { samplesPerChannel: 2400 }));
    handle.advance(130);
    policy.reportPlayback('it_9', 125);
    handle.advance(10);
    policy.onServerEvent(speech());
    expect(handle.wire).to.deep.equal([truncate('it_9', 125)]);
  });

  it('a playback position beyond what was received does not extend the end; one for another item is ignored', () => {
    const { handle, policy } = setup();
    for (let i = 0; i < 3; i += 1) policy.onServerEvent(audio('it_1'));
    policy.reportPlayback('it_1', 500);
    policy.reportPlayback('it_other', 5);
    handle.advance(10);
    policy.onServerEvent(speech());
    expect(handle.wire).to.deep.equal([]);
    policy.onServerEvent(audio('it_2'));
    policy.reportPlayback('it_other', 5);
    handle.advance(15);
    policy.onServerEvent(speech());
    expect(handle.wire).to.deep.equal([truncate('it_2', 15)]);
  });

  it('nothing heard: delete, never a truncate at 0, and playbackInterrupted with audioEndMs 0', () => {
    const { handle, policy } = setup();
    handle.advance(10);
    policy.onServerEvent(audio('it_u'));
    handle.advance(1);
    policy.reportPlayback('it_u', 0);
    handle.advance(1);
    policy.onServerEvent(speech());
    expect(handle.wire).to.deep.equal([{ type: 'conversation.item.delete', item_id: 'it_u' }]);
    expect(handle.delivered.slice(1)).to.deep.equal([interrupted('it_u', 0), speech()]);
    expect(handle.counters.truncations).to.equal(1);
    const at = setup();
    at.handle.advance(10);
    at.policy.onServerEvent(audio('it_u'));
    at.policy.onServerEvent(speech());
    expect(at.handle.wire).to.deep.equal([{ type: 'conversation.item.delete', item_id: 'it_u' }]);
  });

  it("the server's truncated or deleted confirmation of that item ends the state (nothing sent on later speech)", () => {
    for (const confirm of [
      { type: 'conversationItemTruncated', itemId: 'it_1', audioEndMs: 20 },
      { type: 'conversationItemDeleted', itemId: 'it_1' },
    ] as RealtimeEvent[]) {
      const { handle, policy } = setup();
      for (let i = 0; i < 3; i += 1) policy.onServerEvent(audio('it_1'));
      policy.onServerEvent(confirm);
      handle.advance(20);
      policy.onServerEvent(speech());
      expect(handle.wire).to.deep.equal([]);
      expect(handle.delivered).to.deep.include(confirm);
    }
  });

  it('G.711 (pcmu): a 160-byte frame is 20 ms at 8000 Hz; three frames at 0, speech at 50 → truncate at 50', () => {
    const handle = new FakePolicyHandle({ realtime: { audio: { format: 'pcmu' } } });
    const policy = new V2SessionPolicy(handle, { ...SETTINGS, audioFormat: 'pcmu' });
    const g711 = Buffer.alloc(160).toString('base64');
    for (let i = 0; i < 3; i += 1) policy.onServerEvent({ type: 'audioOut', data: g711, sampleRate: 8000, numChannels: 1, itemId: 'it_g' });
    handle.advance(50);
    policy.onServerEvent(speech());
    expect(handle.wire).to.deep.equal([truncate('it_g', 50)]);
  });

  it('off unless the session interrupts on speech: turn detection none, interruptResponse false, transcription mode', () => {
    const cases: [FakePolicyHandle, V2SessionPolicy][] = [];
    const none = new FakePolicyHandle({ realtime: { v2: { turnDetection: { type: 'none' } } } });
    cases.push([none, new V2SessionPolicy(none, SETTINGS)]);
    const keepTalking = new FakePolicyHandle({ realtime: { v2: { turnDetection: { interruptResponse: false } } } });
    cases.push([keepTalking, new V2SessionPolicy(keepTalking, SETTINGS)]);
    const transcription = new FakePolicyHandle();
    cases.push([transcription, new V2SessionPolicy(transcription, { ...SETTINGS, mode: 'transcription' })]);
    for (const [handle, policy] of cases) {
      for (let i = 0; i < 3; i += 1) policy.onServerEvent(audio('it_1'));
      handle.advance(10);
      policy.onServerEvent(speech());
      expect(handle.wire).to.deep.equal([]);
      expect(handle.delivered.map((event) => event.type)).to.deep.equal(['audioOut', 'audioOut', 'audioOut', 'inputAudioSpeechStarted']);
    }
    const semantic = new FakePolicyHandle({ realtime: { v2: { turnDetection: { type: 'semantic_vad' } } } });
    const semanticPolicy = new V2SessionPolicy(semantic, SETTINGS);
    semanticPolicy.onServerEvent(audio('it_1'));
    semantic.advance(10);
    semanticPolicy.onServerEvent(speech());
    expect(semantic.wire).to.deep.equal([truncate('it_1', 10)]);
  });

  it('audio without an item id or of zero duration is ignored', () => {
    const { handle, policy } = setup();
    policy.onServerEvent(audio(undefined));
    policy.onServerEvent(audio('it_0', 'AQ=='));
    handle.advance(10);
    policy.onServerEvent(speech());
    expect(handle.wire).to.deep.equal([]);
    expect(handle.delivered).to.have.length(3);
  });

  it('a send failure of the truncate is logged and handled (not fatal)', () => {
    const { handle, policy } = setup();
    policy.onServerEvent(audio('it_1'));
    handle.advance(5);
    policy.onServerEvent(speech());
    expect(handle.failSend(0, new Error('socket stuck'))).to.equal(true);
    expect(handle.logger.lines.some((line) => line.level === 'warn' && line.fields?.itemId === 'it_1')).to.equal(true);
    expect(handle.delivered.filter((event) => event.type === 'error')).to.deep.equal([]);
  });
});

describe('V2SessionPolicy: dispose', () => {
  it('does nothing after dispose', () => {
    const { handle, policy } = setup();
    policy.onServerEvent(handoff('call_1', 'one'));
    policy.onServerEvent(audio('it_1'));
    policy.dispose();
    policy.requestResponse();
    policy.assistantOutput('late');
    policy.finishTurn();
    policy.onServerEvent(speech());
    expect(handle.wire).to.deep.equal([]);
    expect(handle.delivered).to.have.length(2);
  });
});
