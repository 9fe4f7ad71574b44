import { isJsonObject, type FunctionCallDoneEvent, type JsonObject, type SkipReason } from '@parley/core';
import { BACKGROUND_AGENT_TOOL_NAME } from './v2-client-messages.js';

/**
 * V2's side of user function tools (spec 09 §8.1, §8.4): decoding a finished call from
 * `conversation.item.done` or `response.output_item.done`, and the two messages that answer calls.
 */

/** A tool call's answer: a `function_call_output` item with the output as is (no prefix, unlike the handoff's). */
export type V2ToolOutputCreate = {
  type: 'conversation.item.create';
  item: { type: 'function_call_output'; call_id: string; output: string };
};

/** A background tool's result: a system message item (the call already has its one output). */
export type V2SystemMessageCreate = {
  type: 'conversation.item.create';
  item: { type: 'message'; role: 'system'; content: [{ type: 'input_text'; text: string }] };
};

/** The answer of a user tool call. */
export function toolOutputItem(callId: string, output: string): V2ToolOutputCreate {
  return { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output } };
}

/** A background result: `Result of background tool call <callId> (<name>):\n\n<output>` as a system item. */
export function backgroundResultItem(callId: string, name: string, output: string): V2SystemMessageCreate {
  const text = `Result of background tool call ${callId} (${name}):\n\n${output}`;
  return { type: 'conversation.item.create', item: { type: 'message', role: 'system', content: [{ type: 'input_text', text }] } };
}

/** True when `item` is a `function_call` item of a user tool (any name but the handoff tool's). */
export function isUserFunctionCall(item: unknown): item is JsonObject {
  return isJsonObject(item) && item.type === 'function_call' && item.name !== BACKGROUND_AGENT_TOOL_NAME;
}

/**
 * A `functionCallDone` from a `function_call` item: call id = `call_id`, else `id` (one of them is
 * required); `name` and `arguments` default to `""`; complete unless the status is `incomplete`.
 */
export function decodeFunctionCall(
  item: JsonObject,
  source: 'item' | 'output_item',
  responseId: unknown,
): FunctionCallDoneEvent | SkipReason {
  const itemId = typeof item.id === 'string' ? item.id : undefined;
  const callId = typeof item.call_id === 'string' ? item.call_id : itemId;
  if (callId === undefined) return 'invalid_fields';
  const event: FunctionCallDoneEvent = {
    type: 'functionCallDone',
    source,
    callId,
    name: typeof item.name === 'string' ? item.name : '',
    arguments: typeof item.arguments === 'string' ? item.arguments : '',
    complete: item.status !== 'incomplete',
  };
  if (itemId !== undefined) event.itemId = itemId;
  if (typeof responseId === 'string') event.responseId = responseId;
  return event;
}
