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

/** The server confirmed (or changed) the session. */
export interface SessionUpdatedEvent {
  type: 'sessionUpdated';
  sessionId: string;
  instructions?: string;
}

/** A chunk of assistant audio: base64 PCM16. */
export interface AudioOutEvent {
  type: 'audioOut';
  data: string;
  sampleRate: number;
  numChannels: number;
  samplesPerChannel?: number;
  itemId?: string;
}

/** The server's voice-activity detection heard the user start speaking. */
export interface InputAudioSpeechStartedEvent {
  type: 'inputAudioSpeechStarted';
  itemId?: string;
}

/** A piece of a transcript (user input or assistant output). */
export interface TranscriptDeltaEvent {
  type: 'inputTranscriptDelta' | 'outputTranscriptDelta';
  delta: string;
  /** Live (spec 08 A9): where the fragment starts on the session timeline (ms). */
  startMs?: number;
  /** Live (spec 08 A9): where the fragment ends on the session timeline (ms). */
  endMs?: number;
}

/** A finished transcript (user input or assistant output). */
export interface TranscriptDoneEvent {
  type: 'inputTranscriptDone' | 'outputTranscriptDone';
  text: string;
}

/** A response changed state on the server. */
export interface ResponseLifecycleEvent {
  type: 'responseCreated' | 'responseCancelled' | 'responseDone';
  responseId?: string;
}

/** A conversation item was added; `item` is the server's JSON, untouched. */
export interface ConversationItemAddedEvent {
  type: 'conversationItemAdded';
  item: unknown;
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
  /** A stable code when Parley raised the error itself (e.g. `ERR_CONNECTION_LOST`). */
  code?: string;
}

/** An event decoded from a server frame by a protocol strategy. */
export type RealtimeEvent =
  | SessionUpdatedEvent
  | AudioOutEvent
  | InputAudioSpeechStartedEvent
  | TranscriptDeltaEvent
  | TranscriptDoneEvent
  | ResponseLifecycleEvent
  | ConversationItemAddedEvent
  | ConversationItemDoneEvent
  | HandoffRequestedEvent
  | UsageUpdatedEvent
  | SessionClosedEvent
  | ContextAppendedEvent
  | ErrorEvent
  | FunctionCallDoneEvent;
