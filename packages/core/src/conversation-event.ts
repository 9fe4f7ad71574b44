import type { RealtimeEvent, TranscriptEntry } from './realtime-event.js';
import type { ToolCallEvent, ToolResultEvent } from './tool-events.js';

/** Why a conversation ended. */
export type EndReason = 'requested' | 'transport_closed' | 'error';

/** The connection is open and the first message (`session.update`) was sent. */
export interface StartedEvent {
  type: 'started';
  protocol: string;
  sessionId?: string;
}

/**
 * The conversation ended; emitted exactly once for every conversation that started, except one
 * replaced by a new start. With `transport_closed`, `code` and `closeReason` are the server's
 * close frame.
 */
export interface ClosedEvent {
  type: 'closed';
  reason: EndReason;
  code?: number;
  closeReason?: string;
}

/** A delegation was routed (to the bound delegate, or to the application when none is bound). */
export interface DelegationStartedEvent {
  type: 'delegationStarted';
  handoffId: string;
  text: string;
  transcript: TranscriptEntry[];
  steering: boolean;
}

/** Reconnection (opt-in) is about to try again after `delayMs`. */
export interface ReconnectingEvent {
  type: 'reconnecting';
  attempt: number;
  delayMs?: number;
}

/**
 * Reconnection succeeded; `lostHandoffs` names the handoffs whose delegation could not continue,
 * `lostToolCalls` the tool calls left without a `toolResult` (admission order): the new server
 * session knows neither.
 */
export interface ReconnectedEvent {
  type: 'reconnected';
  attempt: number;
  lostHandoffs?: string[];
  lostToolCalls?: string[];
}

/** Every event the application receives. */
export type ConversationEvent =
  | RealtimeEvent
  | StartedEvent
  | ClosedEvent
  | DelegationStartedEvent
  | ReconnectingEvent
  | ReconnectedEvent
  | ToolCallEvent
  | ToolResultEvent;

/** A listener of conversation events; called synchronously, in order. */
export type ConversationListener = (event: ConversationEvent) => void;
