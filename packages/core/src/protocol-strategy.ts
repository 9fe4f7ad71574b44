import type { ServiceIdentifier } from 'inversify';
import type { RealtimeEvent } from './realtime-event.js';
import type { SessionSettings } from './session-settings.js';
import type { PolicyHandle, SessionPolicy } from './session-policy.js';

/** A client→server message: one JSON object with a string `type`, sent as one text frame. */
export interface ClientMessage {
  type: string;
  [key: string]: unknown;
}

/** An audio frame from the application: base64, in the session's format (`realtime.audio.format`). Only `data` is required. */
export interface AudioFrame {
  data: string;
  sampleRate?: number;
  numChannels?: number;
  samplesPerChannel?: number;
  itemId?: string;
}

/** Why an inbound frame was skipped (counted in `stats().skippedFrames`). */
export type SkipReason = 'invalid_json' | 'missing_type' | 'unknown_type' | 'invalid_fields';

/** What a protocol adds to the connection: query pairs and default headers (spec 06). */
export interface ConnectionParameters {
  /** Query pairs added before `model` (v1: `intent=quicksilver`). */
  query: Record<string, string>;
  /** Default headers, used only where the name is not already present (v1: `openai-alpha`). */
  headers: Record<string, string>;
  /**
   * The endpoint the URL's path rule completes to (spec 06; default `realtime`; live:
   * `live/sessions`, spec 08 A1). Applied by the transport.
   */
  endpointPath?: string;
  /** Whether `model` goes in the query (default true; live: false, spec 08 A1). */
  modelQuery?: boolean;
  /**
   * True when the connection takes no `model` query pair at all (v2 transcription mode, spec 06):
   * none from the model, the base URL or the extra parameters. Default false.
   */
  withoutModel?: boolean;
}

/**
 * A wire protocol (what the design card calls an event-parser strategy). Bind one more with
 * `bind(ProtocolStrategy).to(MyStrategy)`; the conversation picks the one whose `id` equals
 * `realtime.protocol`. A strategy is stateless and shared: per-conversation state lives in the
 * {@link SessionPolicy} it creates.
 */
export interface ProtocolStrategy {
  /** The id selected by `realtime.protocol` (`"v1"`, `"v2"`, or your own). */
  readonly id: string;
  /**
   * True when the protocol runs function tools (spec 09): its policy reports calls through
   * `PolicyHandle.tools` and implements `toolOutput` and `backgroundToolResult`. A start with any
   * tool (bound or in the start options) fails on a strategy that does not say so.
   */
  readonly supportsTools?: boolean;
  /**
   * True when the strategy's transcript events carry item ids (v2): then message items the server
   * adds hold their place in the active transcript (spec 04). Default false (v1).
   */
  readonly transcriptItemIds?: boolean;
  /**
   * Validates the settings and fills protocol defaults (the voice). Throws a `ParleyError`
   * (`ERR_INVALID_SESSION`) for an unsupported voice, modality, mode, audio format or (v2)
   * transcription settings.
   */
  resolveSession(settings: SessionSettings): SessionSettings;
  /** Query pairs and default headers this protocol adds to the handshake. */
  connectionParameters(settings: SessionSettings): ConnectionParameters;
  /** The first client message (`session.update`), sent before anything else. */
  sessionUpdate(settings: SessionSettings): ClientMessage;
  /**
   * Decodes one inbound text frame into an event, or says why it is skipped. Never throws; never
   * merges server JSON into framework objects.
   */
  decode(frame: string): RealtimeEvent | SkipReason;
  /**
   * Encodes microphone audio: a message, or its JSON text when the strategy serializes it itself
   * (audio is the hot path: the data is validated base64, so it can be spliced into a template
   * without `JSON.stringify` scanning it for characters to escape).
   */
  encodeAudio(frame: AudioFrame): ClientMessage | string;
  /**
   * Encodes user text (append-only: never asks for a response by itself). A list (possibly empty)
   * is sent in order as **one** input, one place in the text queue (spec 08 A2; live chunks it).
   */
  encodeUserText(text: string): ClientMessage | ClientMessage[];
  /**
   * Encodes an input commit (`commitInput()`, push-to-talk; v2: `input_audio_buffer.commit`).
   * Without it, `commitInput()` fails with `ERR_UNSUPPORTED`.
   */
  encodeInputCommit?(): ClientMessage;
  /**
   * Encodes an input clear (`clearInput()`; v2: `input_audio_buffer.clear`). Without it,
   * `clearInput()` fails with `ERR_UNSUPPORTED`.
   */
  encodeInputClear?(): ClientMessage;
  /** Creates the per-conversation session policy. */
  createPolicy(handle: PolicyHandle, settings: SessionSettings): SessionPolicy;
}

/** Service identifier of {@link ProtocolStrategy} (multi-bound: one binding per protocol). */
export const ProtocolStrategy = Symbol('ProtocolStrategy') as ServiceIdentifier<ProtocolStrategy>;
