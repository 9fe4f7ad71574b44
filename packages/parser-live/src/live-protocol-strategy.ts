import { inject, injectable } from 'inversify';
import {
  Logger,
  ParleyConfig,
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
import { decodeLiveFrame } from './live-decoder.js';
import { liveAudioText, liveUserTextMessages } from './live-messages.js';
import { LiveSessionPolicy } from './live-session-policy.js';
import { liveConnectionParameters, liveSessionStart, resolveLiveSession } from './live-session.js';

/**
 * The live protocol strategy, id `live` (spec 08): OpenAI's Live API (`gpt-live-1`). Stateless
 * and shared by every conversation; per-conversation behaviour lives in the
 * {@link LiveSessionPolicy} it creates from `realtime.live.*`. Bound by `parserLiveModule`.
 */
@injectable()
export class LiveProtocolStrategy implements ProtocolStrategy {
  /** The protocol id selected by `realtime.protocol: "live"`. */
  readonly id = 'live';

  /**
   * Tools run in Responses delegation (spec 08 "Responses mode", 09 §9); in client mode any tool
   * fails the start, after 09's checks, with a message that says how to run tools on live.
   */
  readonly supportsTools = true;

  constructor(
    @inject(ParleyConfig) private readonly config: ParleyConfig,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  /**
   * See {@link resolveLiveSession}: rejects `text` output, a non-PCM16 audio format, Responses
   * mode without `realtime.live.responses.model` and tools in client mode; defaults the model to
   * `gpt-live-1` and the voice to `marin`. A model starting with `gpt-realtime` is sent as given,
   * with a warning.
   */
  resolveSession(settings: SessionSettings): SessionSettings {
    const resolved = resolveLiveSession(settings, this.config);
    if (resolved.model.startsWith('gpt-realtime')) {
      this.logger.warn('a Realtime model was configured for protocol live; live sessions take gpt-live models', {
        protocol: 'live',
        model: resolved.model,
      });
    }
    return resolved;
  }

  /** Endpoint `live/sessions`, no `model` in the query, `openai-alpha` per `realtime.live.alphaHeader`. */
  connectionParameters(settings: SessionSettings): ConnectionParameters {
    return liveConnectionParameters(settings, this.config.realtime.live.alphaHeader);
  }

  /** The `session.start` message, with the delegation of `realtime.live.delegation` (see `liveSessionStart`). */
  sessionUpdate(settings: SessionSettings): ClientMessage {
    const live = this.config.realtime.live;
    return liveSessionStart(settings, { delegation: live.delegation, responses: live.responses });
  }

  /** See {@link decodeLiveFrame}. Never throws. */
  decode(frame: string): RealtimeEvent | SkipReason {
    return decodeLiveFrame(frame);
  }

  /** `session.input_audio.append` with only the data, as JSON text. */
  encodeAudio(frame: AudioFrame): string {
    return liveAudioText(frame);
  }

  /** `user: <text>` as silent `session.thinking.append`s (chunked; none for blank text). */
  encodeUserText(text: string): ClientMessage[] {
    return liveUserTextMessages(text, this.config.realtime.live.appendTokenBudget);
  }

  /** A new live policy for one conversation (one server session). */
  createPolicy(handle: PolicyHandle, _settings: SessionSettings): SessionPolicy {
    const live = handle.config.realtime.live;
    return new LiveSessionPolicy(handle, {
      delegation: live.delegation,
      delegationGraceMs: live.delegationGraceMs,
      appendTokenBudget: live.appendTokenBudget,
      replyPrompt: live.replyPrompt,
      startTimeoutMs: live.startTimeoutMs,
      closeTimeoutMs: live.closeTimeoutMs,
    });
  }
}
