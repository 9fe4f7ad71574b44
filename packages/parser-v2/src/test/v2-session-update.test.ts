import { expect } from 'chai';
import type { SessionSettings } from '@parley/core';
import { buildV2SessionUpdate, DEFAULT_BACKGROUND_AGENT_DESCRIPTION } from '../v2-session-update.js';

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
    expect(JSON.parse(JSON.stringify(buildV2SessionUpdate(settings, '')))).to.deep.equal(expected('audio', 'marin', DESCRIPTION));
  });

  it('text output changes only output_modalities', () => {
    expect(buildV2SessionUpdate({ ...settings, outputModality: 'text', voice: 'cedar' }, '')).to.deep.equal(
      expected('text', 'cedar', DESCRIPTION),
    );
  });

  it('a configured tool description replaces the default', () => {
    expect(buildV2SessionUpdate(settings, 'Ask the agent.')).to.deep.equal(expected('audio', 'marin', 'Ask the agent.'));
  });

  it('user tools follow the handoff tool, in order and untouched', () => {
    const tools = [
      { type: 'function', name: 'lookup', description: 'Look it up', parameters: { type: 'object', properties: {} } },
      { type: 'mcp', server_label: 'docs', server_url: 'https://mcp.example.com' },
    ];
    expect(buildV2SessionUpdate({ ...settings, tools }, '')).to.deep.equal(expected('audio', 'marin', DESCRIPTION, tools));
  });

  it('transcription mode: only the input format', () => {
    expect(buildV2SessionUpdate({ ...settings, mode: 'transcription', tools: [{ type: 'function', name: 'x' }] }, 'ignored')).to.deep.equal(
      {
        type: 'session.update',
        session: { type: 'transcription', audio: { input: { format: { type: 'audio/pcm', rate: 24000 } } } },
      },
    );
  });

  it('an unresolved voice falls back to marin', () => {
    expect(buildV2SessionUpdate({ ...settings, voice: undefined }, '')).to.deep.equal(expected('audio', 'marin', DESCRIPTION));
  });
});
