import { ParleyError, type ClientMessage, type ConnectionParameters, type SessionSettings } from '@parley/core';

/** The voices a V1 server speaks with, in the order the error message lists them. */
export const V1_VOICES: readonly string[] = Object.freeze([
  'juniper',
  'maple',
  'spruce',
  'ember',
  'vale',
  'breeze',
  'arbor',
  'sol',
  'cove',
]);

/** The voice used when neither the start options nor `realtime.voice` name one. */
export const V1_DEFAULT_VOICE = 'cove';

/** The input audio rate V1 declares in `session.update` (PCM16 mono). */
export const V1_INPUT_RATE = 24000;

/**
 * Validates start settings for V1 and fills its defaults (spec 02 "Connection"). Checks, in order:
 * the output modality (`text` throws `ERR_INVALID_SESSION` "text output modality requires protocol
 * v2"), then the voice (an unknown voice throws `ERR_INVALID_SESSION` naming it and listing
 * {@link V1_VOICES}), then the audio format (V1 is PCM16 only: `pcmu`/`pcma` throw
 * `ERR_INVALID_SESSION` "audio format `<format>` is not supported for v1; use pcm16"). The
 * `realtime.v2.*` keys do not apply. An absent or empty voice becomes {@link V1_DEFAULT_VOICE}; a `transcription`
 * mode becomes `conversational` (V1 has no transcription mode). Returns a new object; the input is
 * not changed.
 */
export function resolveV1Session(settings: SessionSettings): SessionSettings {
  if (settings.outputModality === 'text') {
    throw new ParleyError('ERR_INVALID_SESSION', 'text output modality requires protocol v2');
  }
  const voice = settings.voice === undefined || settings.voice === '' ? V1_DEFAULT_VOICE : settings.voice;
  if (!V1_VOICES.includes(voice)) {
    throw new ParleyError('ERR_INVALID_SESSION', `voice \`${voice}\` is not supported for v1; supported voices: ${V1_VOICES.join(', ')}`);
  }
  const format = settings.audioFormat ?? 'pcm16';
  if (format !== 'pcm16') {
    throw new ParleyError('ERR_INVALID_SESSION', `audio format \`${format}\` is not supported for v1; use pcm16`);
  }
  return { ...settings, voice, mode: 'conversational' };
}

/**
 * The V1 handshake additions: the query pair `intent=quicksilver` and the default header
 * `openai-alpha: quicksilver=v1`. A new object on every call.
 */
export function v1ConnectionParameters(): ConnectionParameters {
  return { query: { intent: 'quicksilver' }, headers: { 'openai-alpha': 'quicksilver=v1' } };
}

/**
 * The first client message of a V1 conversation (spec 02 "First client message"): session type
 * `quicksilver`, the instructions, 24 kHz PCM input and the output voice (default
 * {@link V1_DEFAULT_VOICE} when the settings were not resolved). No tools, no output modalities, no
 * turn detection and no output format.
 */
export function v1SessionUpdate(settings: SessionSettings): ClientMessage {
  return {
    type: 'session.update',
    session: {
      type: 'quicksilver',
      instructions: settings.instructions,
      audio: {
        input: { format: { type: 'audio/pcm', rate: V1_INPUT_RATE } },
        output: { voice: settings.voice === undefined || settings.voice === '' ? V1_DEFAULT_VOICE : settings.voice },
      },
    },
  };
}
