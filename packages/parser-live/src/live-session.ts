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

/** `realtime.live.delegation` and `realtime.live.responses`: how delegations are answered. */
export interface LiveDelegationSettings {
  delegation: 'client' | 'responses';
  responses: Record<string, unknown>;
}

/**
 * Validates start settings for live and fills its defaults (spec 08 "Connection"), in order: the
 * output modality (`text` → `ERR_INVALID_SESSION` "text output modality requires protocol v2"),
 * the audio format (only `pcm16`), then the delegation mode: Responses mode needs
 * `realtime.live.responses.model` (a non-empty string) and, when present, an array
 * `realtime.live.responses.tools`; client mode refuses every tool (bound tools, from
 * `settings.boundTools`, named first; 09 §1.3's names). The model becomes {@link liveModel}; the
 * voice defaults to {@link LIVE_DEFAULT_VOICE} (not validated); a transcription mode becomes
 * conversational. Returns a new object. Throws `ERR_INVALID_SESSION`.
 */
export function resolveLiveSession(settings: SessionSettings, config: ParleyConfig): SessionSettings {
  if (settings.outputModality === 'text') {
    throw new ParleyError('ERR_INVALID_SESSION', 'text output modality requires protocol v2');
  }
  const format = (config.realtime as { audio?: { format?: unknown } }).audio?.format;
  if (typeof format === 'string' && format !== 'pcm16') {
    throw new ParleyError('ERR_INVALID_SESSION', `audio format \`${format}\` is not supported for live; use pcm16`);
  }
  const bound = (settings.boundTools ?? []).map((tool) => tool.name);
  if (config.realtime.live.delegation === 'responses') {
    const responses = config.realtime.live.responses;
    if (typeof responses.model !== 'string' || responses.model === '') {
      throw new ParleyError('ERR_INVALID_SESSION', 'live responses delegation needs realtime.live.responses.model');
    }
    if (responses.tools !== undefined && !Array.isArray(responses.tools)) {
      throw new ParleyError(
        'ERR_INVALID_SESSION',
        'realtime.live.responses.tools must be an array of tools; Parley appends the bound and start-option tools to it',
      );
    }
  } else if (bound.length > 0 || settings.tools.length > 0) {
    throw new ParleyError(
      'ERR_INVALID_SESSION',
      `protocol \`live\` runs tools only with Responses delegation; set realtime.live.delegation to "responses" or remove the tools (${toolNames(bound, settings.tools)})`,
    );
  }
  const voice = settings.voice === undefined || settings.voice === '' ? LIVE_DEFAULT_VOICE : settings.voice;
  return { ...settings, model: liveModel(settings.model), voice, mode: 'conversational' };
}

/**
 * Responses mode's `delegation.responses` (spec 08 "Responses mode"): `realtime.live.responses`
 * whose `tools` are its own (if any), then the bound tools (binding order) as
 * `{"type":"function","name","description","parameters"}`, then the start options' tools (Parley
 * fields already removed): 09 §1.4's order without the handoff tool. A new object; `tools` is
 * always present.
 */
export function liveResponsesBackend(settings: SessionSettings, responses: Record<string, unknown>): Record<string, unknown> {
  const own = Array.isArray(responses.tools) ? (responses.tools as unknown[]) : [];
  const bound = (settings.boundTools ?? []).map((tool) => ({
    type: 'function',
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
  }));
  return { ...responses, tools: [...own, ...bound, ...settings.tools] };
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
 * voice as `{"id": …}`), and the delegation: `{"type":"client"}` (the default), or
 * `{"type":"responses","responses":…}` ({@link liveResponsesBackend}). No `event_id`, no startup
 * history.
 */
export function liveSessionStart(
  settings: SessionSettings,
  delegation: LiveDelegationSettings = { delegation: 'client', responses: {} },
): ClientMessage {
  const voice = settings.voice === undefined || settings.voice === '' ? LIVE_DEFAULT_VOICE : settings.voice;
  const session: Record<string, unknown> = { model: liveModel(settings.model) };
  if (settings.instructions !== '') session.instructions = settings.instructions;
  session.audio = {
    format: { type: 'audio/pcm', rate: LIVE_SAMPLE_RATE },
    output: { voice: voice.startsWith('voice_') ? { id: voice } : voice },
  };
  session.delegation =
    delegation.delegation === 'responses'
      ? { type: 'responses', responses: liveResponsesBackend(settings, delegation.responses) }
      : { type: 'client' };
  return { type: 'session.start', session };
}
