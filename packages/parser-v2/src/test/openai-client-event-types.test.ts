/**
 * Type-level conformance: every message the V2 strategy and policy produce must compile as the
 * official `openai` package's `RealtimeClientEvent` (openai 6.30.1,
 * `resources/realtime/realtime.d.ts`). If a builder's return type drifts from the official shape,
 * `tsc` fails on this file. The runtime assertions check the values are what the types claim.
 *
 * Spec-mandated fields checked against the official types: `audio.input.noise_reduction`
 * (`RealtimeAudioConfigInput.noise_reduction`, `near_field` is a `NoiseReductionType`) and
 * `turn_detection.interrupt_response` / `create_response` (`RealtimeAudioInputTurnDetection.ServerVad`)
 * are both declared in 6.30.1, so nothing needed special handling.
 */
import { expect } from 'chai';
import type { RealtimeClientEvent } from 'openai/resources/realtime/realtime';
import type { SessionSettings } from '@parley/core';
import {
  functionCallOutput,
  inputAudioAppend,
  itemDelete,
  itemTruncate,
  progressItem,
  responseCreate,
  steeringAcknowledgement,
  userTextItem,
  type V2ClientMessage,
  type V2UserTool,
} from '../v2-client-messages.js';
import { buildV2SessionUpdate } from '../v2-session-update.js';

/** Compile-time check: accepts only a value assignable to `RealtimeClientEvent`. */
function asOpenAi(event: RealtimeClientEvent): RealtimeClientEvent {
  return event;
}

/** Compile-time check of the whole union: every V2 message is a `RealtimeClientEvent`. */
function unionConforms(message: V2ClientMessage): RealtimeClientEvent {
  return message;
}

const settings: SessionSettings = {
  instructions: 'backend prompt',
  voice: 'cedar',
  model: 'gpt-realtime-1.5',
  outputModality: 'audio',
  mode: 'conversational',
  sessionId: undefined,
  tools: [],
};

describe('V2 client messages conform to the openai RealtimeClientEvent types', () => {
  it('session.update (conversational, text output, transcription, with user tools)', () => {
    const tools: V2UserTool[] = [
      { type: 'function', name: 'lookup', description: 'Look up', parameters: { type: 'object' } },
      { type: 'mcp', server_label: 'docs', server_url: 'https://mcp.example.com' },
    ];
    const produced = [
      buildV2SessionUpdate(settings, ''),
      buildV2SessionUpdate({ ...settings, outputModality: 'text' }, 'custom'),
      buildV2SessionUpdate({ ...settings, mode: 'transcription' }, ''),
      buildV2SessionUpdate({ ...settings, tools }, ''),
    ];
    for (const message of produced) expect(asOpenAi(message).type).to.equal('session.update');
  });

  it('audio, user text, progress, final output, steering acknowledgement', () => {
    expect(asOpenAi(inputAudioAppend('AQID')).type).to.equal('input_audio_buffer.append');
    expect(asOpenAi(userTextItem('hi')).type).to.equal('conversation.item.create');
    expect(asOpenAi(progressItem('working')).type).to.equal('conversation.item.create');
    expect(asOpenAi(functionCallOutput('call_1', 'done')).type).to.equal('conversation.item.create');
    expect(asOpenAi(steeringAcknowledgement('call_2')).type).to.equal('conversation.item.create');
  });

  it('response.create, truncate, delete', () => {
    expect(asOpenAi(responseCreate())).to.deep.equal({ type: 'response.create' });
    expect(asOpenAi(itemTruncate('it_1', 60)).type).to.equal('conversation.item.truncate');
    expect(asOpenAi(itemDelete('it_1')).type).to.equal('conversation.item.delete');
  });

  it('the V2ClientMessage union as a whole', () => {
    expect(unionConforms(responseCreate()).type).to.equal('response.create');
  });
});
