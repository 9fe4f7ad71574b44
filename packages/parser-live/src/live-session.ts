import { ParleyError, type ClientMessage, type ConnectionParameters, type ParleyConfig, type SessionSettings } from '@parley/core';

/** The model used when neither the start options nor `realtime.model` name a live model. */
export const LIVE_DEFAULT_MODEL = 'gpt-live-1';

/** `realtime.model`'s schema default: a Realtime model no live session takes. */
export const REALTIME_DEFAULT_MODEL = 'gpt-realtime-1.5';

/** The voice used when neither the start options nor `realtime.voice` name one. */
export const LIVE_DEFAULT_VOICE = 'marin';

/** The session's audio: PCM16 mono 24 kHz, both ways. */
export const LIVE_SAMPLE_RATE = 24000;

/** The value of `openai-alpha` the alpha required (`realtime.live.alphaHeader: "auto"` sends it for `-alpha` models). */
export const LIVE_ALPHA_HEADER_VALUE = 'quicksilver=v3';

/** The model a live session uses: `""` and the Realtime default become {@link LIVE_DEFAULT_MODEL}. */
export function liveModel(model: string): string {
  return model === '' || model === REALTIME_DEFAULT_MODEL ? LIVE_DEFAULT_MODEL : model;
}

/**
 * The names of a start's `tools` for error messages (09 §1.3 rule 1): each entry's `name`, else
 * `server_label`, else `tools[<i>]`, joined by `, `.
 */
function toolNames(bound: readonly string[], tools: unknown[]): string {
  const entries = tools.map((tool, index) => {
    const fields = typeof tool === 'object' && tool !== null ? (tool as { name?: unknown; server_label?: unknown }) : {};
    if (typeof fields.name === 'string') return fields.name;
    if (typeof fields.server_label === 'string') return fields.server_label;
    return `tools[${index}]`;
  });
  return [...bound, ...entries].join(', ');
}

/**
 * Validates start settings for live and fills its defaults (spec 08 "Connection"), in order: the
 * output modality (`text` → `ERR_INVALID_SESSION` "text output modality requires protocol v2"),
 * the audio format (only `pcm16`), the delegation mode (responses mode is not implemented yet:
 * `ERR_INVALID_SESSION`), tools in client mode (`ERR_INVALID_SESSION`; `boundTools` are the bound
 * `RealtimeTool` names, listed first). The model becomes
 * {@link liveModel}; the voice defaults to {@link LIVE_DEFAULT_VOICE} (not validated); a
 * transcription mode becomes conversational. Returns a new object.
 */
export function resolveLiveSession(settings: SessionSettings, config: ParleyConfig, boundTools: readonly string[] = []): SessionSettings {
  if (settings.outputModality === 'text') {
    throw new ParleyError('ERR_INVALID_SESSION', 'text output modality requires protocol v2');
  }
  const format = (config.realtime as { audio?: { format?: unknown } }).audio?.format;
  if (typeof format === 'string' && format !== 'pcm16') {
    throw new ParleyError('ERR_INVALID_SESSION', `audio format \`${format}\` is not supported for live; use pcm16`);
  }
  if (config.realtime.live.delegation === 'responses') {
    if (typeof config.realtime.live.responses.model !== 'string' || config.realtime.live.responses.model === '') {
      throw new ParleyError('ERR_INVALID_SESSION', 'live responses delegation needs realtime.live.responses.model');
    }
    throw new ParleyError(
      'ERR_INVALID_SESSION',
      'live responses delegation is not implemented yet in this version of Parley; set realtime.live.delegation to "client"',
    );
  }
  if (boundTools.length > 0 || settings.tools.length > 0) {
    throw new ParleyError(
      'ERR_INVALID_SESSION',
      `protocol \`live\` runs tools only with Responses delegation; set realtime.live.delegation to "responses" or remove the tools (${toolNames(boundTools, settings.tools)})`,
    );
  }
  const voice = settings.voice === undefined || settings.voice === '' ? LIVE_DEFAULT_VOICE : settings.voice;
  return { ...settings, model: liveModel(settings.model), voice, mode: 'conversational' };
}

/**
 * The live handshake: endpoint `live/sessions`, no `model` in the query, no protocol query pairs,
 * and the `openai-alpha` default header per `realtime.live.alphaHeader` (`auto`: `quicksilver=v3`
 * only for a model ending in `-alpha`; `""`: never; anything else: that value).
 */
export function liveConnectionParameters(settings: SessionSettings, alphaHeader: string): ConnectionParameters {
  const value = alphaHeader === 'auto' ? (liveModel(settings.model).endsWith('-alpha') ? LIVE_ALPHA_HEADER_VALUE : '') : alphaHeader;
  return { query: {}, headers: value === '' ? {} : { 'openai-alpha': value }, endpointPath: 'live/sessions', modelQuery: false };
}

/**
 * The first client message (spec 08 "First client message"): `session.start` with the model, the
 * instructions (left out when empty), PCM16 24 kHz audio and the output voice (a `voice_…` custom
 * voice as `{"id": …}`), and client delegation. No `event_id`, no startup history.
 */
export function liveSessionStart(settings: SessionSettings): ClientMessage {
  const voice = settings.voice === undefined || settings.voice === '' ? LIVE_DEFAULT_VOICE : settings.voice;
  const session: Record<string, unknown> = { model: liveModel(settings.model) };
  if (settings.instructions !== '') session.instructions = settings.instructions;
  session.audio = {
    format: { type: 'audio/pcm', rate: LIVE_SAMPLE_RATE },
    output: { voice: voice.startsWith('voice_') ? { id: voice } : voice },
  };
  session.delegation = { type: 'client' };
  return { type: 'session.start', session };
}
