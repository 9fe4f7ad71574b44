import { expect } from 'chai';
import { loadParleyConfig, type ParleyConfigInput, type SessionSettings } from '@parley/core';
import { buildV2SessionUpdate, DEFAULT_BACKGROUND_AGENT_DESCRIPTION, type V2SessionConfig } from '../v2-session-update.js';

/** `realtime.v2` from config overrides (validated as at start). */
function v2(overrides: ParleyConfigInput['realtime'] = {}, toolDescription = ''): V2SessionConfig {
  const config = loadParleyConfig({ realtime: { ...overrides, v2: { toolDescription, ...(overrides.v2 ?? {}) } } });
  return config.realtime.v2;
}

const DESCRIPTION =
  'Send a user request to the background agent. Use this as the default action. If the background agent is idle, this starts a new task and returns the final result to the user. If the background agent is already working on a task, this sends the request as guidance to steer that previous task. If the user asks to do something next, later, after this, or once current work finishes, call this tool so the work is actually queued instead of merely promising to do it later.';

const settings: SessionSettings = {
  instructions: 'backend prompt',
  voice: 'marin',
  model: 'gpt-realtime-1.5',
  outputModality: 'audio',
  mode: 'conversational',
  sessionId: undefined,
  tools: [],
};

function expected(modality: 'audio' | 'text', voice: string, description: string, extraTools: unknown[] = []): unknown {
  return {
    type: 'session.update',
    session: {
      type: 'realtime',
      instructions: 'backend prompt',
      output_modalities: [modality],
      audio: {
        input: {
          format: { type: 'audio/pcm', rate: 24000 },
          transcription: { model: 'gpt-4o-mini-transcribe' },
          noise_reduction: { type: 'near_field' },
          turn_detection: { type: 'server_vad', interrupt_response: true, create_response: true },
        },
        output: { format: { type: 'audio/pcm', rate: 24000 }, voice },
      },
      tools: [
        {
          type: 'function',
          name: 'background_agent',
          description,
          parameters: {
            type: 'object',
            properties: { prompt: { type: 'string', description: 'The user request to delegate to the background agent.' } },
            required: ['prompt'],
            additionalProperties: false,
          },
        },
        ...extraTools,
      ],
      tool_choice: 'auto',
    },
  };
}

describe('buildV2SessionUpdate', () => {
  it('the default description is exactly the spec text', () => {
    expect(DEFAULT_BACKGROUND_AGENT_DESCRIPTION).to.equal(DESCRIPTION);
  });

  it('conversational with audio output, exactly (as JSON on the wire)', () => {
    expect(JSON.parse(JSON.stringify(buildV2SessionUpdate(settings, v2())))).to.deep.equal(expected('audio', 'marin', DESCRIPTION));
  });

  it('text output changes only output_modalities', () => {
    expect(buildV2SessionUpdate({ ...settings, outputModality: 'text', voice: 'cedar' }, v2())).to.deep.equal(
      expected('text', 'cedar', DESCRIPTION),
    );
  });

  it('a configured tool description replaces the default', () => {
    expect(buildV2SessionUpdate(settings, v2({}, 'Ask the agent.'))).to.deep.equal(expected('audio', 'marin', 'Ask the agent.'));
  });

  it('user tools follow the handoff tool, in order and untouched', () => {
    const tools = [
      { type: 'function', name: 'lookup', description: 'Look it up', parameters: { type: 'object', properties: {} } },
      { type: 'mcp', server_label: 'docs', server_url: 'https://mcp.example.com' },
    ];
    expect(buildV2SessionUpdate({ ...settings, tools }, v2())).to.deep.equal(expected('audio', 'marin', DESCRIPTION, tools));
  });

  it('transcription mode (RealtimeTranscriptionSessionCreateRequest): audio.input only, VAD without response keys', () => {
    const transcription = { ...settings, mode: 'transcription' as const, tools: [{ type: 'function', name: 'x' }] };
    expect(
      buildV2SessionUpdate(transcription, v2({ v2: { turnDetection: { idleTimeoutMs: 5000, threshold: 0.4 } } }, 'ignored')),
    ).to.deep.equal({
      type: 'session.update',
      session: {
        type: 'transcription',
        audio: {
          input: {
            format: { type: 'audio/pcm', rate: 24000 },
            transcription: { model: 'gpt-4o-mini-transcribe' },
            noise_reduction: { type: 'near_field' },
            turn_detection: { type: 'server_vad', threshold: 0.4 },
          },
        },
      },
    });
    const semantic = buildV2SessionUpdate(transcription, v2({ v2: { turnDetection: { type: 'semantic_vad' } } }));
    expect(semantic.session.audio.input.turn_detection).to.deep.equal({ type: 'semantic_vad', eagerness: 'auto' });
    const none = buildV2SessionUpdate(transcription, v2({ v2: { turnDetection: { type: 'none' } } }));
    expect(JSON.stringify(none)).to.contain('"turn_detection":null');
  });

  it('server_vad tuning keys are sent only when set (spec 03 example)', () => {
    const message = buildV2SessionUpdate(settings, v2({ v2: { turnDetection: { silenceDurationMs: 500, threshold: 0.6 } } }));
    expect(message.session.audio.input.turn_detection).to.deep.equal({
      type: 'server_vad',
      threshold: 0.6,
      silence_duration_ms: 500,
      interrupt_response: true,
      create_response: true,
    });
    const all = buildV2SessionUpdate(
      settings,
      v2({ v2: { turnDetection: { prefixPaddingMs: 300, idleTimeoutMs: 6000, createResponse: false, interruptResponse: false } } }),
    );
    expect(all.session.audio.input.turn_detection).to.deep.equal({
      type: 'server_vad',
      prefix_padding_ms: 300,
      idle_timeout_ms: 6000,
      interrupt_response: false,
      create_response: false,
    });
  });

  it('semantic_vad carries eagerness (default auto) and never the server-VAD keys', () => {
    const low = buildV2SessionUpdate(settings, v2({ v2: { turnDetection: { type: 'semantic_vad', eagerness: 'low' } } }));
    expect(low.session.audio.input.turn_detection).to.deep.equal({
      type: 'semantic_vad',
      eagerness: 'low',
      interrupt_response: true,
      create_response: true,
    });
    const tuned = buildV2SessionUpdate(settings, v2({ v2: { turnDetection: { type: 'semantic_vad', silenceDurationMs: 500 } } }));
    expect(tuned.session.audio.input.turn_detection).to.deep.equal({
      type: 'semantic_vad',
      eagerness: 'auto',
      interrupt_response: true,
      create_response: true,
    });
  });

  it('none is turn_detection null (push-to-talk), whatever else is set', () => {
    const message = buildV2SessionUpdate(settings, v2({ v2: { turnDetection: { type: 'none', silenceDurationMs: 500 } } }));
    expect(message.session.audio.input.turn_detection).to.equal(null);
  });

  it('push-to-talk without transcription or noise reduction: exactly format and turn_detection null', () => {
    const message = buildV2SessionUpdate(
      settings,
      v2({ v2: { turnDetection: { type: 'none' }, noiseReduction: 'off', transcription: { model: '' } } }),
    );
    expect(JSON.stringify(message.session.audio.input)).to.equal('{"format":{"type":"audio/pcm","rate":24000},"turn_detection":null}');
  });

  it('transcription language and prompt are sent when set; a custom model replaces the default', () => {
    const message = buildV2SessionUpdate(
      settings,
      v2({ v2: { transcription: { model: 'whisper-1', language: 'de', prompt: 'Namen: Jürgen' } } }),
    );
    expect(message.session.audio.input.transcription).to.deep.equal({ model: 'whisper-1', language: 'de', prompt: 'Namen: Jürgen' });
  });

  it('a telephony session (pcmu, far field, language en) per spec 03', () => {
    const message = buildV2SessionUpdate(
      { ...settings, audioFormat: 'pcmu' },
      v2({ audio: { format: 'pcmu' }, v2: { noiseReduction: 'far_field', transcription: { language: 'en' } } }),
    );
    expect(JSON.parse(JSON.stringify(message.session.audio))).to.deep.equal({
      input: {
        format: { type: 'audio/pcmu' },
        transcription: { model: 'gpt-4o-mini-transcribe', language: 'en' },
        noise_reduction: { type: 'far_field' },
        turn_detection: { type: 'server_vad', interrupt_response: true, create_response: true },
      },
      output: { format: { type: 'audio/pcmu' }, voice: 'marin' },
    });
    const pcma = buildV2SessionUpdate({ ...settings, audioFormat: 'pcma' }, v2());
    expect(pcma.session.audio.input.format).to.deep.equal({ type: 'audio/pcma' });
  });

  it('an unresolved voice falls back to marin', () => {
    expect(buildV2SessionUpdate({ ...settings, voice: undefined }, v2())).to.deep.equal(expected('audio', 'marin', DESCRIPTION));
  });
});
