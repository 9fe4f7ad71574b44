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

/**
 * A finished function call decoded from a server frame (spec 09 §8.1). Decoded only: the policy
 * reports it to the tool runner (`PolicyHandle.tools.call`); it is never delivered.
 */
export interface FunctionCallDoneEvent {
  type: 'functionCallDone';
  /** Which frame reported it: `conversation.item.done` (`item`) or `response.output_item.done` (`output_item`). */
  source: 'item' | 'output_item';
  callId: string;
  /** `""` when the server gave none (answered as an unknown tool). */
  name: string;
  /** The raw arguments text (`""` when the server gave none). */
  arguments: string;
  itemId?: string;
  responseId?: string;
  /** False when the item's status is `incomplete` (the server cut the call off). */
  complete: boolean;
  /**
   * The delegation the call belongs to, when the protocol says (spec 08 Responses mode: the
   * `delegation_id` of the `response.event` envelope; absent for responses the application started).
   */
  delegationId?: string;
}
