/**
 * Type-level conformance: every message the V2 strategy and policy produce must compile as the
 * official `openai` package's `RealtimeClientEvent` (openai 7.59.0,
 * `resources/realtime/realtime.d.ts`). If a builder's return type drifts from the official shape,
 * `tsc` fails on this file. Beyond assignability (which allows extra keys), `KeysWithin` checks at
 * every level of `session.update` that our message types declare no key the official type lacks:
 * the live API rejects unknown fields. The runtime part builds `session.update` for every settings
 * combination the spec allows and checks the values are what the types claim (no `undefined`, no
 * `null` except `turn_detection`).
 */
import { expect } from 'chai';
import type {
  AudioTranscription,
  RealtimeAudioConfigInput,
  RealtimeAudioConfigOutput,
  RealtimeAudioInputTurnDetection,
  RealtimeClientEvent,
  RealtimeSessionCreateRequest,
  RealtimeTranscriptionSessionAudioInput,
  RealtimeTranscriptionSessionAudioInputTurnDetection,
  RealtimeTranscriptionSessionCreateRequest,
} from 'openai/resources/realtime/realtime';
import { loadParleyConfig, type AudioFormat, type ParleyConfigInput, type SessionSettings } from '@parley/core';
import {
  emptyHandoffOutput,
  functionCallOutput,
  inputAudioAppend,
  inputAudioClear,
  inputAudioCommit,
  itemDelete,
  itemTruncate,
  progressItem,
  responseCreate,
  steeringAcknowledgement,
  userTextItem,
  type V2AudioInput,
  type V2ClientMessage,
  type V2InputTranscription,
  type V2RealtimeSessionConfig,
  type V2SemanticVad,
  type V2ServerVad,
  type V2TranscriptionAudioInput,
  type V2TranscriptionSemanticVad,
  type V2TranscriptionServerVad,
  type V2TranscriptionSessionConfig,
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

/** `true` when every key of `A` is a key of `B` (no field the official type does not know). */
type KeysWithin<A, B> = [Exclude<keyof A, keyof B>] extends [never] ? true : false;
type Eagerness = NonNullable<RealtimeAudioInputTurnDetection.SemanticVad['eagerness']>;

// Compile-time: each line fails to compile if our type declares a key the official one lacks.
const noUnknownKeys: [
  KeysWithin<V2RealtimeSessionConfig, RealtimeSessionCreateRequest>,
  KeysWithin<V2RealtimeSessionConfig['audio']['output'], RealtimeAudioConfigOutput>,
  KeysWithin<V2AudioInput, RealtimeAudioConfigInput>,
  KeysWithin<V2InputTranscription, AudioTranscription>,
  KeysWithin<V2ServerVad, RealtimeAudioInputTurnDetection.ServerVad>,
  KeysWithin<V2SemanticVad, RealtimeAudioInputTurnDetection.SemanticVad>,
  KeysWithin<V2TranscriptionSessionConfig, RealtimeTranscriptionSessionCreateRequest>,
  KeysWithin<V2TranscriptionAudioInput, RealtimeTranscriptionSessionAudioInput>,
  KeysWithin<V2TranscriptionServerVad, RealtimeTranscriptionSessionAudioInputTurnDetection.ServerVad>,
  KeysWithin<V2TranscriptionSemanticVad, RealtimeTranscriptionSessionAudioInputTurnDetection.SemanticVad>,
] = [true, true, true, true, true, true, true, true, true, true];

// Compile-time: our sub-shapes are assignable to the official ones on their own.
const shapes = {
  input: (value: V2AudioInput): RealtimeAudioConfigInput => value,
  transcriptionInput: (value: V2TranscriptionAudioInput): RealtimeTranscriptionSessionAudioInput => value,
  transcriptionSession: (value: V2TranscriptionSessionConfig): RealtimeTranscriptionSessionCreateRequest => value,
  realtimeSession: (value: V2RealtimeSessionConfig): RealtimeSessionCreateRequest => value,
  eagerness: (value: V2SemanticVad['eagerness']): Eagerness => value,
};

const settings: SessionSettings = {
  instructions: 'backend prompt',
  voice: 'cedar',
  model: 'gpt-realtime-1.5',
  outputModality: 'audio',
  mode: 'conversational',
  sessionId: undefined,
  tools: [],
};

/** Every settings combination the spec allows (each key's values crossed with the others' representative ones). */
function combinations(): { settings: SessionSettings; config: ParleyConfigInput }[] {
  const out: { settings: SessionSettings; config: ParleyConfigInput }[] = [];
  const formats: AudioFormat[] = ['pcm16', 'pcmu', 'pcma'];
  const turns = [
    { type: 'server_vad' as const },
    { type: 'server_vad' as const, threshold: 0.6, prefixPaddingMs: 300, silenceDurationMs: 500, idleTimeoutMs: 6000 },
    { type: 'server_vad' as const, createResponse: false, interruptResponse: false },
    { type: 'semantic_vad' as const },
    { type: 'semantic_vad' as const, eagerness: 'high' as const, silenceDurationMs: 500 },
    { type: 'none' as const, threshold: 0.2 },
  ];
  const transcriptions = [{ model: 'gpt-4o-mini-transcribe' }, { model: 'whisper-1', language: 'en', prompt: 'names' }, { model: '' }];
  const noise = ['near_field', 'far_field', 'off'] as const;
  for (const mode of ['conversational', 'transcription'] as const) {
    for (const outputModality of ['audio', 'text'] as const) {
      for (const format of formats) {
        for (const turnDetection of turns) {
          for (const transcription of transcriptions) {
            if (mode === 'transcription' && transcription.model === '') continue; // fails at start (spec 03)
            for (const noiseReduction of noise) {
              out.push({
                settings: { ...settings, mode, outputModality, audioFormat: format },
                config: { realtime: { audio: { format }, v2: { turnDetection, transcription, noiseReduction } } },
              });
            }
          }
        }
      }
    }
  }
  return out;
}

function nullsAndUndefineds(value: unknown, path: string, out: string[]): void {
  if (value === undefined || value === null) {
    out.push(`${path}=${String(value)}`);
    return;
  }
  if (typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) nullsAndUndefineds(child, `${path}.${key}`, out);
}

describe('V2 client messages conform to the openai RealtimeClientEvent types', () => {
  it('the compile-time key checks hold (this file compiles)', () => {
    expect(noUnknownKeys.every((holds) => holds)).to.equal(true);
    expect(Object.keys(shapes)).to.have.length(5);
  });

  it('session.update for every allowed settings combination: no undefined, null only as turn_detection', () => {
    const all = combinations();
    expect(all.length).to.equal(2 * 2 * 3 * 6 * 3 * 3 - 2 * 3 * 6 * 3);
    for (const { settings: combination, config } of all) {
      const message = asOpenAi(buildV2SessionUpdate(combination, loadParleyConfig(config).realtime.v2));
      expect(message.type).to.equal('session.update');
      const found: string[] = [];
      nullsAndUndefineds(JSON.parse(JSON.stringify(message)), 'message', found);
      nullsAndUndefineds(message, 'message', found);
      const allowed = found.filter((entry) => entry !== 'message.session.audio.input.turn_detection=null');
      expect(allowed, JSON.stringify(config)).to.deep.equal([]);
    }
  });

  it('session.update with user tools and a custom tool description', () => {
    const tools: V2UserTool[] = [
      { type: 'function', name: 'lookup', description: 'Look up', parameters: { type: 'object' } },
      { type: 'mcp', server_label: 'docs', server_url: 'https://mcp.example.com' },
    ];
    const v2 = loadParleyConfig({ realtime: { v2: { toolDescription: 'custom' } } }).realtime.v2;
    expect(asOpenAi(buildV2SessionUpdate({ ...settings, tools }, v2)).type).to.equal('session.update');
  });

  it('audio, commit, clear, user text, progress, final output, empty handoff answer, steering acknowledgement', () => {
    expect(asOpenAi(inputAudioAppend('AQID')).type).to.equal('input_audio_buffer.append');
    expect(asOpenAi(inputAudioCommit())).to.deep.equal({ type: 'input_audio_buffer.commit' });
    expect(asOpenAi(inputAudioClear())).to.deep.equal({ type: 'input_audio_buffer.clear' });
    expect(asOpenAi(userTextItem('hi')).type).to.equal('conversation.item.create');
    expect(asOpenAi(progressItem('working')).type).to.equal('conversation.item.create');
    expect(asOpenAi(functionCallOutput('call_1', 'done')).type).to.equal('conversation.item.create');
    expect(asOpenAi(emptyHandoffOutput('call_e')).type).to.equal('conversation.item.create');
    expect(asOpenAi(steeringAcknowledgement('call_2')).type).to.equal('conversation.item.create');
  });

  it('response.create, truncate, delete', () => {
    expect(asOpenAi(responseCreate())).to.deep.equal({ type: 'response.create' });
    expect(asOpenAi(itemTruncate('it_1', 60)).type).to.equal('conversation.item.truncate');
    expect(asOpenAi(itemDelete('it_1')).type).to.equal('conversation.item.delete');
  });

  it('the V2ClientMessage union as a whole', () => {
    expect(unionConforms(responseCreate()).type).to.equal('response.create');
    expect(unionConforms(inputAudioCommit()).type).to.equal('input_audio_buffer.commit');
  });
});
