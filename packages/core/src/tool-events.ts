import type { ToolErrorReason } from './tool-hooks.js';

/** A function call was admitted (spec 09 §6): emitted before anything is sent for it. */
export interface ToolCallEvent {
  type: 'toolCall';
  callId: string;
  name: string;
  /** The raw JSON text the model wrote. */
  arguments: string;
  itemId?: string;
  responseId?: string;
}

/**
 * A call's answer was sent (for a background call: its result). Exactly once per admitted call,
 * unless the conversation ended or reconnected first.
 */
export interface ToolResultEvent {
  type: 'toolResult';
  callId: string;
  name: string;
  /** The output text sent. */
  output: string;
  error: boolean;
  /** Only when `error`. */
  reason?: ToolErrorReason;
  /** `true` only for a background call's result. */
  background?: true;
}
