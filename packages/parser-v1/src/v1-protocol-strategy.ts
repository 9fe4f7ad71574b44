import { injectable } from 'inversify';
import type {
  AudioFrame,
  ClientMessage,
  ConnectionParameters,
  PolicyHandle,
  ProtocolStrategy,
  RealtimeEvent,
  SessionPolicy,
  SessionSettings,
  SkipReason,
} from '@parley/core';
import { DelayedDelegationPolicy } from './delayed-delegation-policy.js';
import { decodeV1Frame } from './v1-decoder.js';
import { v1AudioText, v1UserTextMessage } from './v1-messages.js';
import { resolveV1Session, v1ConnectionParameters, v1SessionUpdate } from './v1-session.js';

/**
 * The V1 ("quicksilver") protocol strategy, id `v1` (spec 02). Stateless and shared by every
 * conversation; per-conversation behaviour lives in the {@link DelayedDelegationPolicy} it creates
 * with the grace period `realtime.v1.handoffGraceMs` (default 1000 ms) read from the handle's config.
 * Bound by `parserV1Module`.
 */
@injectable()
export class V1ProtocolStrategy implements ProtocolStrategy {
  /** The protocol id selected by `realtime.protocol: "v1"`. */
  readonly id = 'v1';

  /** See {@link resolveV1Session}: rejects `text` output and unknown voices, defaults the voice to `cove`. */
  resolveSession(settings: SessionSettings): SessionSettings {
    return resolveV1Session(settings);
  }

  /** `intent=quicksilver` and `openai-alpha: quicksilver=v1`. */
  connectionParameters(_settings: SessionSettings): ConnectionParameters {
    return v1ConnectionParameters();
  }

  /** The `session.update` of spec 02 (no tools, modalities, turn detection or output format). */
  sessionUpdate(settings: SessionSettings): ClientMessage {
    return v1SessionUpdate(settings);
  }

  /** See {@link decodeV1Frame}. Never throws. */
  decode(frame: string): RealtimeEvent | SkipReason {
    return decodeV1Frame(frame);
  }

  /** `input_audio_buffer.append` with only the data, as JSON text (the data is validated base64). */
  encodeAudio(frame: AudioFrame): string {
    return v1AudioText(frame);
  }

  /** A user `conversation.item.create`; never asks for a response. */
  encodeUserText(text: string): ClientMessage {
    return v1UserTextMessage(text);
  }

  /** A new delayed-delegation policy for one conversation. */
  createPolicy(handle: PolicyHandle, _settings: SessionSettings): SessionPolicy {
    return new DelayedDelegationPolicy(handle, handle.config.realtime.v1.handoffGraceMs);
  }
}
