import { inject, injectable } from 'inversify';
import {
  audioFormatSampleRate,
  ParleyConfig,
  type AudioFrame,
  type ConnectionParameters,
  type PolicyHandle,
  type ProtocolStrategy,
  type RealtimeEvent,
  type SessionPolicy,
  type SessionSettings,
  type SkipReason,
} from '@parley/core';
import {
  inputAudioAppendText,
  inputAudioClear,
  inputAudioCommit,
  userTextItem,
  type V2InputAudioClearMessage,
  type V2InputAudioCommitMessage,
  type V2SessionUpdateMessage,
  type V2UserMessageCreate,
} from './v2-client-messages.js';
import { decodeV2Frame } from './v2-decoder.js';
import { V2SessionPolicy } from './v2-session-policy.js';
import { resolveV2Session } from './v2-session-settings.js';
import { buildV2SessionUpdate } from './v2-session-update.js';

/**
 * The `v2` protocol strategy (spec 03: OpenAI Realtime GA event names, the `background_agent`
 * function tool, response gating, steering and barge-in). Stateless and shared (bind it in
 * singleton scope, as `parserV2Module` does); per-conversation state lives in the
 * {@link V2SessionPolicy} it creates. Reads `realtime.v2.*` (transcription, turn detection, noise
 * reduction, the tool description) and `realtime.audio.format` from the injected {@link ParleyConfig}.
 */
@injectable()
export class V2ProtocolStrategy implements ProtocolStrategy {
  /** Selected by `realtime.protocol: "v2"` (the default protocol). */
  readonly id = 'v2';
  /** V2 runs user function tools (spec 09 §8): bound `RealtimeTool`s and declared tools. */
  readonly supportsTools = true;

  /** V2 transcript events carry item ids: added message items hold their place in the active transcript. */
  readonly transcriptItemIds = true;

  private readonly decodeOptions: { defaultSampleRate: number };

  constructor(@inject(ParleyConfig) private readonly config: ParleyConfig) {
    this.decodeOptions = { defaultSampleRate: audioFormatSampleRate(config.realtime.audio.format) };
  }

  /**
   * See `resolveV2Session`: validates voice, modality, mode, audio format, user tools, and that
   * transcription mode has a transcription model; default voice `marin`.
   */
  resolveSession(settings: SessionSettings): SessionSettings {
    return resolveV2Session(settings, this.config.realtime.v2);
  }

  /**
   * Conversational: no query pair and no header (the core adds `model`). Transcription mode:
   * `intent=transcription` and no `model` at all (spec 06).
   */
  connectionParameters(settings: SessionSettings): ConnectionParameters {
    if (settings.mode === 'transcription') return { query: { intent: 'transcription' }, headers: {}, withoutModel: true };
    return { query: {}, headers: {} };
  }

  /** The first message: see `buildV2SessionUpdate`. */
  sessionUpdate(settings: SessionSettings): V2SessionUpdateMessage {
    return buildV2SessionUpdate(settings, this.config.realtime.v2);
  }

  /** See `decodeV2Frame` (audio without a rate gets the format's rate). Never throws. */
  decode(frame: string): RealtimeEvent | SkipReason {
    return decodeV2Frame(frame, this.decodeOptions);
  }

  /** `{"type":"input_audio_buffer.commit"}` (`commitInput()`, push-to-talk). */
  encodeInputCommit(): V2InputAudioCommitMessage {
    return inputAudioCommit();
  }

  /** `{"type":"input_audio_buffer.clear"}` (`clearInput()`). */
  encodeInputClear(): V2InputAudioClearMessage {
    return inputAudioClear();
  }

  /** `input_audio_buffer.append` with only the data (rate, channels and item id are not sent). */
  encodeAudio(frame: AudioFrame): string {
    return inputAudioAppendText(frame.data);
  }

  /** A user message item; append-only: it never requests a response by itself. */
  encodeUserText(text: string): V2UserMessageCreate {
    return userTextItem(text);
  }

  /** A new {@link V2SessionPolicy} for one conversation. */
  createPolicy(handle: PolicyHandle, settings: SessionSettings): SessionPolicy {
    return new V2SessionPolicy(handle, settings);
  }
}
