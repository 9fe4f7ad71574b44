import {
  isJsonObject,
  objectField,
  stringField,
  type FunctionCallDoneEvent,
  type JsonObject,
  type RealtimeEvent,
  type ResponseDoneEvent,
  type SkipReason,
} from '@parley/core';

/** The statuses a Responses run ends with (spec 08 "Decoding `response.event`"). */
export type LiveResponseStatus = 'completed' | 'failed' | 'incomplete';

/** What a decoded `response.event` is to the policy. */
export type LiveResponseEventKind = 'responseEvent' | 'responseIgnored';

interface ResponseEventInfo {
  kind: LiveResponseEventKind;
  /** The envelope's `delegation_id` (absent: a response the application started). */
  delegationId: string | undefined;
}

/** Side facts of the decoded `response.event`s (the decoder is stateless; the policy asks). */
const responseEvents = new WeakMap<RealtimeEvent, ResponseEventInfo>();

/**
 * For an event decoded from a `response.event` envelope: whether the policy acts on it
 * (`responseEvent`) or only counts it (`responseIgnored`), and the envelope's delegation key.
 * `undefined` for every other event.
 */
export function liveResponseEventInfo(event: RealtimeEvent): Readonly<ResponseEventInfo> | undefined {
  return responseEvents.get(event);
}

const DONE_STATUS: Record<string, LiveResponseStatus> = {
  'response.completed': 'completed',
  'response.failed': 'failed',
  'response.incomplete': 'incomplete',
};

/**
 * A `response.event` envelope (spec 08 Responses mode). Envelope: `delegation_id` (a string, else
 * no delegation) and `event`, an object with a string `type` (else skipped, `invalid_fields`).
 * Inner types:
 *
 * - `response.created` → `responseCreated` (`responseId` = `event.response.id`);
 * - `response.output_item.done` with a `function_call` item → `functionCallDone` (source
 *   `output_item`): `callId` = `item.call_id`, else `item.id` (one required, else skipped
 *   `invalid_fields`), `name` and `arguments` default to `""`, `itemId` = `item.id`, `complete`
 *   unless `item.status` is `incomplete`, `delegationId` = the envelope's;
 * - `response.completed` / `failed` / `incomplete` → `responseDone` with that `status`;
 * - anything else (other output items, the first often `reasoning`; deltas; new types) → an event
 *   the policy ignores and counts (`ignoredEvents`), never a skip.
 *
 * The snapshots inside carry an empty `output` even when complete: calls come only from
 * `output_item.done`.
 */
export function decodeResponseEvent(frame: JsonObject): RealtimeEvent | SkipReason {
  const inner = frame.event;
  if (!isJsonObject(inner) || typeof inner.type !== 'string') return 'invalid_fields';
  const delegationId = typeof frame.delegation_id === 'string' ? frame.delegation_id : undefined;
  const response = objectField(inner, 'response');
  const responseId = response === undefined ? undefined : stringField(response, 'id');
  let event: RealtimeEvent;
  let kind: LiveResponseEventKind = 'responseEvent';
  const status = DONE_STATUS[inner.type];
  if (inner.type === 'response.created') {
    event = responseId === undefined ? { type: 'responseCreated' } : { type: 'responseCreated', responseId };
  } else if (status !== undefined) {
    const done: ResponseDoneEvent = { type: 'responseDone', status };
    if (responseId !== undefined) done.responseId = responseId;
    event = done;
  } else if (inner.type === 'response.output_item.done' && isJsonObject(inner.item) && inner.item.type === 'function_call') {
    const call = decodeFunctionCallItem(inner.item, delegationId);
    if (typeof call === 'string') return call;
    event = call;
  } else {
    event = { type: 'conversationItemAdded', item: { type: inner.type } };
    kind = 'responseIgnored';
  }
  responseEvents.set(event, { kind, delegationId });
  return event;
}

function decodeFunctionCallItem(item: JsonObject, delegationId: string | undefined): FunctionCallDoneEvent | SkipReason {
  const itemId = typeof item.id === 'string' ? item.id : undefined;
  const callId = typeof item.call_id === 'string' ? item.call_id : itemId;
  if (callId === undefined) return 'invalid_fields';
  const event: FunctionCallDoneEvent = {
    type: 'functionCallDone',
    source: 'output_item',
    callId,
    name: typeof item.name === 'string' ? item.name : '',
    arguments: typeof item.arguments === 'string' ? item.arguments : '',
    complete: item.status !== 'incomplete',
  };
  if (itemId !== undefined) event.itemId = itemId;
  if (delegationId !== undefined) event.delegationId = delegationId;
  return event;
}
