import type { FunctionCallDoneEvent } from './tool-events.js';

/**
 * The event model of spec 01: plain objects with a `type` discriminant and camelCase fields.
 * Optional fields are omitted, never `null`. Protocol strategies decode server frames into
 * {@link RealtimeEvent}s; the conversation adds its own lifecycle events ({@link ConversationEvent}).
 */

/** One entry of the active transcript: fed only by the server's transcript events. */
export interface TranscriptEntry {
  role: 'user' | 'assistant';
  text: string;
}

/**
 * The server created the session (v2: `session.created`, carrying the server's defaults before
 * Parley's `session.update` applies; wait for `sessionUpdated` to know the configuration took effect).
 */
export interface SessionCreatedEvent {
  type: 'sessionCreated';
  sessionId: string;
  instructions?: string;
}

/** The server confirmed (or changed) the session. */
export interface SessionUpdatedEvent {
  type: 'sessionUpdated';
  sessionId: string;
  instructions?: string;
}

/**
 * A chunk of assistant audio: base64, in the session's format (`realtime.audio.format`: PCM16, or
 * G.711 μ-law/A-law). `sampleRate` defaults to the format's rate (24000 for `pcm16`, 8000 for G.711).
 */
export interface AudioOutEvent {
  type: 'audioOut';
  data: string;
  sampleRate: number;
  numChannels: number;
  samplesPerChannel?: number;
  itemId?: string;
}

/**
 * Parley cut an assistant item on barge-in (v2): it sent a truncate at `audioEndMs`, or a delete
 * (`audioEndMs` 0) when nothing of it was heard. Flush that item from your playback buffer and
 * discard later `audioOut` of it. Delivered right after the send, before the speech event.
 */
export interface PlaybackInterruptedEvent {
  type: 'playbackInterrupted';
  itemId: string;
  audioEndMs: number;
}

/** The server's voice-activity detection heard the user start (or stop) speaking. */
export interface InputAudioSpeechEvent {
  type: 'inputAudioSpeechStarted' | 'inputAudioSpeechStopped';
  itemId?: string;
}

/**
 * The server VAD's idle timeout fired (V2 `input_audio_buffer.timeout_triggered`, configured by
 * `realtime.v2.turnDetection.idleTimeoutMs`): the user stayed silent that long after the last
 * answer finished playing. `audioStartMs`–`audioEndMs` is the silent segment (offsets in the input
 * audio written); the server then commits the buffer as the user item `itemId` and answers.
 */
export interface InputAudioTimeoutTriggeredEvent {
  type: 'inputAudioTimeoutTriggered';
  itemId?: string;
  audioStartMs: number;
  audioEndMs: number;
}

/** The input audio buffer was committed into a user item (by the server's VAD, or `commitInput()`). */
export interface InputAudioCommittedEvent {
  type: 'inputAudioCommitted';
  itemId?: string;
  previousItemId?: string;
}

/** A piece of a transcript (user input or assistant output); `itemId` names the item it transcribes (v2). */
export interface TranscriptDeltaEvent {
  type: 'inputTranscriptDelta' | 'outputTranscriptDelta';
  delta: string;
  /** Live (spec 08 A9): where the fragment starts on the session timeline (ms). */
  startMs?: number;
  /** Live (spec 08 A9): where the fragment ends on the session timeline (ms). */
  endMs?: number;
  itemId?: string;
}

/** A finished transcript (user input or assistant output); `itemId` names the item it transcribes (v2). */
export interface TranscriptDoneEvent {
  type: 'inputTranscriptDone' | 'outputTranscriptDone';
  text: string;
  itemId?: string;
}

/** The transcription of a user audio item failed. */
export interface InputTranscriptFailedEvent {
  type: 'inputTranscriptFailed';
  itemId?: string;
  message: string;
  code?: string;
}

/** A response was created or (older servers) cancelled. */
export interface ResponseLifecycleEvent {
  type: 'responseCreated' | 'responseCancelled';
  responseId?: string;
}

/** Cached input tokens by modality (camelCase of the server's `cached_tokens_details`). */
export interface CachedTokensDetails {
  textTokens?: number;
  audioTokens?: number;
  imageTokens?: number;
}

/** Input tokens by kind (camelCase of the server's `input_token_details`). */
export interface InputTokenDetails {
  textTokens?: number;
  audioTokens?: number;
  imageTokens?: number;
  cachedTokens?: number;
  cachedTokensDetails?: CachedTokensDetails;
}

/** Output tokens by modality (camelCase of the server's `output_token_details`). */
export interface OutputTokenDetails {
  textTokens?: number;
  audioTokens?: number;
}

/** The token usage of one response: only the numbers the server gave (spec 03). */
export interface ResponseUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  inputTokenDetails?: InputTokenDetails;
  outputTokenDetails?: OutputTokenDetails;
}

/**
 * A response ended. `status` is the server's (`completed`, `cancelled`, `failed`, `incomplete`);
 * `statusDetails` is the server's `status_details` object, untouched; `usage` its token counts. A
 * `failed` response is followed by a non-fatal `error` event.
 */
export interface ResponseDoneEvent {
  type: 'responseDone';
  responseId?: string;
  status?: string;
  statusDetails?: Record<string, unknown>;
  usage?: ResponseUsage;
}

/** A conversation item was added; `item` is the server's JSON, untouched. */
export interface ConversationItemAddedEvent {
  type: 'conversationItemAdded';
  item: unknown;
}

/** The server truncated an item's audio at `audioEndMs` (confirming a truncate). */
export interface ConversationItemTruncatedEvent {
  type: 'conversationItemTruncated';
  itemId: string;
  audioEndMs: number;
}

/** The server deleted an item (confirming a delete). */
export interface ConversationItemDeletedEvent {
  type: 'conversationItemDeleted';
  itemId: string;
}

/** One rate limit of `rateLimitsUpdated`. */
export interface RateLimit {
  name?: string;
  limit?: number;
  remaining?: number;
  resetSeconds?: number;
}

/** The server's current rate limits. */
export interface RateLimitsUpdatedEvent {
  type: 'rateLimitsUpdated';
  rateLimits: RateLimit[];
}

/** A conversation item is complete. */
export interface ConversationItemDoneEvent {
  type: 'conversationItemDone';
  itemId: string;
}

/** The model handed a request off to the background agent. */
export interface HandoffRequestedEvent {
  type: 'handoffRequested';
  handoffId: string;
  itemId: string;
  inputTranscript: string;
  /** The transcript entries known when the event was forwarded (V1: a snapshot; V2: the entries taken). */
  activeTranscript: TranscriptEntry[];
  /** Live (spec 08 A9): the delegation's position on the session timeline (ms). */
  offsetMs?: number;
  /** Live (spec 08 A9): who answers it: `"client"`, `"responses"`, or the server's value. */
  target?: string;
}

/** Live (spec 08 A9): the server's cumulative usage of the session. */
export interface UsageUpdatedEvent {
  type: 'usageUpdated';
  /** Cumulative live audio (seconds). */
  seconds: number;
  /** How full the model's context window is (0–1), when the server says. */
  contextUsageRatio?: number;
}

/** Live (spec 08 A9): the server closed the session (`session.closed`). */
export interface SessionClosedEvent {
  type: 'sessionClosed';
  /** The server's reason, e.g. `close_requested`, `expired`. */
  reason?: string;
  /** Final usage (seconds). */
  seconds?: number;
}

/**
 * Live (spec 08 A9): the server placed a context append on its timeline (not proof that it was
 * spoken).
 */
export interface ContextAppendedEvent {
  type: 'contextAppended';
  channel: 'instructions' | 'thinking' | 'commentary';
  startMs?: number;
  endMs?: number;
}

/** A server error, or a fatal protocol/transport error. A fatal error ends the conversation. */
export interface ErrorEvent {
  type: 'error';
  message: string;
  fatal: boolean;
  /**
   * For a server error, the server's `error.code` (e.g. `invalid_value`); for an error Parley
   * raised itself, its stable `ERR_…` code (e.g. `ERR_CONNECTION_LOST`).
   */
  code?: string;
  /** The server's `error.param`: the field the error is about. */
  param?: string;
  /** The server's `error.event_id`: the client event that caused the error. */
  eventId?: string;
}

/** An event decoded from a server frame by a protocol strategy. */
export type RealtimeEvent =
  | SessionCreatedEvent
  | SessionUpdatedEvent
  | AudioOutEvent
  | PlaybackInterruptedEvent
  | InputAudioSpeechEvent
  | InputAudioCommittedEvent
  | InputAudioTimeoutTriggeredEvent
  | TranscriptDeltaEvent
  | TranscriptDoneEvent
  | InputTranscriptFailedEvent
  | ResponseLifecycleEvent
  | ResponseDoneEvent
  | ConversationItemAddedEvent
  | ConversationItemDoneEvent
  | ConversationItemTruncatedEvent
  | ConversationItemDeletedEvent
  | RateLimitsUpdatedEvent
  | HandoffRequestedEvent
  | UsageUpdatedEvent
  | SessionClosedEvent
  | ContextAppendedEvent
  | ErrorEvent
  | FunctionCallDoneEvent;
