import { isJsonObject, ParleyError, type SessionSettings } from '@parley/core';
import { BACKGROUND_AGENT_TOOL_NAME } from './v2-client-messages.js';
import { DEFAULT_V2_VOICE, V2_VOICES, type V2SessionConfig } from './v2-session-update.js';

/** The exact start error of transcription mode without a transcription model (spec 03). */
export const TRANSCRIPTION_MODEL_REQUIRED_MESSAGE = 'transcription mode needs a transcription model: set realtime.v2.transcription.model';

/** The exact start error for a voice V2 does not know (spec 03). */
export function unsupportedV2VoiceMessage(voice: string): string {
  return `voice \`${voice}\` is not supported for v2; supported voices: ${V2_VOICES.join(', ')}`;
}

/**
 * Validates start settings for V2 and fills the default voice. Throws
 * `ParleyError('ERR_INVALID_SESSION')` for:
 * - a voice not in {@link V2_VOICES} (exact message of spec 03); an unset or `""` voice becomes `marin`;
 * - an output modality other than `audio`/`text`, or a mode other than `conversational`/`transcription`;
 * - an audio format other than `pcm16`, `pcmu`, `pcma`;
 * - transcription mode with `realtime.v2.transcription.model` `""` ({@link TRANSCRIPTION_MODEL_REQUIRED_MESSAGE});
 * - a user tool that is not an object of type `function` (with a non-empty string `name`) or
 *   `mcp` (with a string `server_label`), or a function tool named `background_agent` (the
 *   handoff tool is always declared by Parley; a second one would make the model's calls
 *   ambiguous, so it is rejected rather than silently dropped).
 * Returns a new settings object; the input is not changed.
 */
export function resolveV2Session(settings: SessionSettings, v2?: V2SessionConfig): SessionSettings {
  const voice = settings.voice === undefined || settings.voice === '' ? DEFAULT_V2_VOICE : settings.voice;
  if (!V2_VOICES.includes(voice)) throw new ParleyError('ERR_INVALID_SESSION', unsupportedV2VoiceMessage(voice));
  const modality: unknown = settings.outputModality;
  if (modality !== 'audio' && modality !== 'text') {
    throw new ParleyError('ERR_INVALID_SESSION', `output modality \`${String(modality)}\` is not supported for v2; use audio or text`);
  }
  const mode: unknown = settings.mode;
  if (mode !== 'conversational' && mode !== 'transcription') {
    throw new ParleyError('ERR_INVALID_SESSION', `mode \`${String(mode)}\` is not supported for v2; use conversational or transcription`);
  }
  const format: unknown = settings.audioFormat ?? 'pcm16';
  if (format !== 'pcm16' && format !== 'pcmu' && format !== 'pcma') {
    throw new ParleyError('ERR_INVALID_SESSION', `audio format \`${String(format)}\` is not supported for v2; use pcm16, pcmu or pcma`);
  }
  if (mode === 'transcription' && v2 !== undefined && v2.transcription.model === '') {
    throw new ParleyError('ERR_INVALID_SESSION', TRANSCRIPTION_MODEL_REQUIRED_MESSAGE);
  }
  const tools: unknown = settings.tools;
  if (!Array.isArray(tools)) throw new ParleyError('ERR_INVALID_SESSION', 'tools must be an array of tool definitions');
  tools.forEach((tool: unknown, index: number) => checkUserTool(tool, index));
  if ((settings.boundTools ?? []).some((tool) => tool.name === BACKGROUND_AGENT_TOOL_NAME)) {
    throw new ParleyError(
      'ERR_INVALID_SESSION',
      `RealtimeTool \`${BACKGROUND_AGENT_TOOL_NAME}\` has the name of the handoff tool Parley always declares; rename your tool`,
    );
  }
  return { ...settings, voice, tools: [...tools] };
}

function checkUserTool(tool: unknown, index: number): void {
  const where = `tools[${index}]`;
  if (!isJsonObject(tool)) throw new ParleyError('ERR_INVALID_SESSION', `${where} must be a tool object`);
  if (tool.type === 'function') {
    if (typeof tool.name !== 'string' || tool.name === '') {
      throw new ParleyError('ERR_INVALID_SESSION', `${where} is a function tool without a name: give it a non-empty string \`name\``);
    }
    if (tool.name === BACKGROUND_AGENT_TOOL_NAME) {
      throw new ParleyError(
        'ERR_INVALID_SESSION',
        `${where} is named \`${BACKGROUND_AGENT_TOOL_NAME}\`, the handoff tool Parley always declares; rename your tool (set realtime.v2.toolDescription to change the handoff tool's description)`,
      );
    }
    return;
  }
  if (tool.type === 'mcp') {
    if (typeof tool.server_label !== 'string') {
      throw new ParleyError('ERR_INVALID_SESSION', `${where} is an mcp tool without a string \`server_label\``);
    }
    return;
  }
  throw new ParleyError('ERR_INVALID_SESSION', `${where} has type \`${String(tool.type)}\`; v2 accepts tools of type function or mcp`);
}
