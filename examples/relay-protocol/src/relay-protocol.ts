import {
  booleanField,
  decodeServerError,
  numberField,
  parseFrame,
  ParleyError,
  stringField,
  type AudioFrame,
  type ClientMessage,
  type ConnectionParameters,
  type PolicyHandle,
  type ProtocolStrategy,
  type RealtimeEvent,
  type SessionPolicy,
  type SessionSettings,
  type SkipReason,
} from '@parley/core';
import { RelayPolicy } from './relay-policy.js';

/** The voices a relay server offers (the first is the default). */
export const RELAY_VOICES = ['plain', 'bright'] as const;

/**
 * The "relay" protocol, a small but complete custom dialect (see this package's README for the
 * wire format). A strategy is stateless and shared by every conversation: per-conversation state
 * lives in the {@link RelayPolicy} it creates.
 */
export class RelayProtocol implements ProtocolStrategy {
  readonly id = 'relay';

  resolveSession(settings: SessionSettings): SessionSettings {
    const voice = settings.voice ?? RELAY_VOICES[0];
    if (!(RELAY_VOICES as readonly string[]).includes(voice)) {
      throw new ParleyError('ERR_INVALID_SESSION', `relay has no voice "${voice}"; use one of ${RELAY_VOICES.join(', ')}`);
    }
    return { ...settings, voice };
  }

  connectionParameters(): ConnectionParameters {
    return { query: { dialect: 'relay' }, headers: {} };
  }

  sessionUpdate(settings: SessionSettings): ClientMessage {
    return { type: 'setup', instructions: settings.instructions ?? '', voice: settings.voice };
  }

  decode(frame: string): RealtimeEvent | SkipReason {
    const message = parseFrame(frame);
    if (typeof message === 'string') return message; // invalid_json or missing_type
    switch (message.type) {
      case 'ready': {
        const session = stringField(message, 'session');
        return session === undefined ? 'invalid_fields' : { type: 'sessionUpdated', sessionId: session };
      }
      case 'heard':
      case 'said': {
        const text = stringField(message, 'text');
        if (text === undefined) return 'invalid_fields';
        const final = booleanField(message, 'final') ?? false;
        if (message.type === 'heard') return final ? { type: 'inputTranscriptDone', text } : { type: 'inputTranscriptDelta', delta: text };
        return final ? { type: 'outputTranscriptDone', text } : { type: 'outputTranscriptDelta', delta: text };
      }
      case 'audio': {
        const pcm = stringField(message, 'pcm');
        if (pcm === undefined) return 'invalid_fields';
        return { type: 'audioOut', data: pcm, sampleRate: numberField(message, 'rate') ?? 24000, numChannels: 1 };
      }
      case 'reply.started':
      case 'reply.done': {
        const id = stringField(message, 'id');
        if (id === undefined) return 'invalid_fields';
        return { type: message.type === 'reply.started' ? 'responseCreated' : 'responseDone', responseId: id };
      }
      case 'agent.request': {
        const id = stringField(message, 'id');
        if (id === undefined || id === '') return 'invalid_fields';
        return {
          type: 'handoffRequested',
          handoffId: id,
          itemId: id,
          inputTranscript: stringField(message, 'prompt') ?? '',
          activeTranscript: [],
        };
      }
      case 'error':
        return decodeServerError(message);
      default:
        return 'unknown_type';
    }
  }

  encodeAudio(frame: AudioFrame): ClientMessage {
    return { type: 'audio', pcm: frame.data };
  }

  encodeUserText(text: string): ClientMessage {
    return { type: 'user.text', text };
  }

  createPolicy(handle: PolicyHandle): SessionPolicy {
    return new RelayPolicy(handle);
  }
}
