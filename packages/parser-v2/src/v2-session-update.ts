import type { SessionSettings } from '@parley/core';
import {
  BACKGROUND_AGENT_TOOL_NAME,
  type BackgroundAgentTool,
  type V2AudioFormat,
  type V2SessionUpdateMessage,
  type V2UserFunctionTool,
  type V2UserTool,
} from './v2-client-messages.js';

/** The voices V2 accepts, in the order the error message lists them. */
export const V2_VOICES: readonly string[] = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', 'cedar'];

/** The voice used when none is configured. */
export const DEFAULT_V2_VOICE = 'marin';

/**
 * The built-in description of the handoff tool (spec 03), used when
 * `realtime.v2.toolDescription` is `""`.
 */
export const DEFAULT_BACKGROUND_AGENT_DESCRIPTION =
  'Send a user request to the background agent. Use this as the default action. If the background agent is idle, this starts a new task and returns the final result to the user. If the background agent is already working on a task, this sends the request as guidance to steer that previous task. If the user asks to do something next, later, after this, or once current work finishes, call this tool so the work is actually queued instead of merely promising to do it later.';

/** Description of the handoff tool's `prompt` parameter. */
export const PROMPT_PARAMETER_DESCRIPTION = 'The user request to delegate to the background agent.';

function pcm24k(): V2AudioFormat {
  return { type: 'audio/pcm', rate: 24000 };
}

/** The handoff tool with the given description (`""` = {@link DEFAULT_BACKGROUND_AGENT_DESCRIPTION}). */
export function backgroundAgentTool(description: string): BackgroundAgentTool {
  return {
    type: 'function',
    name: BACKGROUND_AGENT_TOOL_NAME,
    description: description === '' ? DEFAULT_BACKGROUND_AGENT_DESCRIPTION : description,
    parameters: {
      type: 'object',
      properties: { prompt: { type: 'string', description: PROMPT_PARAMETER_DESCRIPTION } },
      required: ['prompt'],
      additionalProperties: false,
    },
  };
}

/**
 * The first client message (spec 03). Transcription mode: only the input format. Conversational:
 * instructions, output modality (`audio` or `text`; everything else is the same for both), 24 kHz
 * PCM in and out, near-field noise reduction, server VAD that interrupts and creates responses,
 * the voice (default `marin` when `settings.voice` is unset), then the tools: the handoff tool
 * first, then `settings.tools` in order (validated by `resolveV2Session`), and `tool_choice: auto`.
 */
export function buildV2SessionUpdate(settings: SessionSettings, toolDescription: string): V2SessionUpdateMessage {
  if (settings.mode === 'transcription') {
    return { type: 'session.update', session: { type: 'transcription', audio: { input: { format: pcm24k() } } } };
  }
  const userTools = settings.tools as V2UserTool[];
  return {
    type: 'session.update',
    session: {
      type: 'realtime',
      instructions: settings.instructions,
      output_modalities: settings.outputModality === 'text' ? ['text'] : ['audio'],
      audio: {
        input: {
          format: pcm24k(),
          noise_reduction: { type: 'near_field' },
          turn_detection: { type: 'server_vad', interrupt_response: true, create_response: true },
        },
        output: { format: pcm24k(), voice: settings.voice === undefined || settings.voice === '' ? DEFAULT_V2_VOICE : settings.voice },
      },
      tools: [backgroundAgentTool(toolDescription), ...boundToolDeclarations(settings), ...userTools],
      tool_choice: 'auto',
    },
  };
}

/** The bound tools (spec 09 §1.4), binding order, as `{"type":"function","name","description","parameters"}`. */
function boundToolDeclarations(settings: SessionSettings): V2UserFunctionTool[] {
  return (settings.boundTools ?? []).map((tool) => ({
    type: 'function',
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
  }));
}
