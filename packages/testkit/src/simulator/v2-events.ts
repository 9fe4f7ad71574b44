import type { DialectContext } from './simulator-dialect.js';

/** The name of Parley's handoff tool (spec 03). */
export const HANDOFF_TOOL_NAME = 'background_agent';

/** Status of a response (`response.status`). */
export type ResponseStatus = 'in_progress' | 'completed' | 'cancelled' | 'failed' | 'incomplete';

/** Fields of an API error (`error` of an `error` event). */
export interface V2ErrorFields {
  code: string | null;
  message: string;
  param?: string | null;
  /** The client event's `event_id` the error answers, if it had one. */
  clientEventId?: string | undefined;
  type?: string;
}

/** An `error` event in the real shape (`invalid_request_error` unless told). */
export function errorEvent(eventId: string, fields: V2ErrorFields): Record<string, unknown> {
  return {
    type: 'error',
    event_id: eventId,
    error: {
      type: fields.type ?? 'invalid_request_error',
      code: fields.code,
      message: fields.message,
      param: fields.param ?? null,
      event_id: fields.clientEventId ?? null,
    },
  };
}

/** The real rejection of `response.create` while `responseId` is in progress. */
export function activeResponseError(responseId: string, clientEventId: string | undefined): V2ErrorFields {
  return {
    code: 'conversation_already_has_active_response',
    message: `Conversation already has an active response in progress: ${responseId}. Wait until the response is finished before creating a new one.`,
    param: null,
    clientEventId,
  };
}

/** Sends the server events of one v2 connection, each with the next `event_id` (`event_1`, `event_2`, …). */
export class V2Wire {
  constructor(private readonly context: DialectContext) {}

  /** Sends `{type, event_id, ...fields}`. */
  emit(type: string, fields: Record<string, unknown> = {}): void {
    this.context.send({ type, event_id: this.context.ids.next('event'), ...fields });
  }

  /** Sends an `error` event (the connection stays open). */
  error(fields: V2ErrorFields): void {
    this.context.send(errorEvent(this.context.ids.next('event'), fields));
  }
}

/** Token counts of one response, as `response.done`'s `usage` reports them. */
export interface V2Usage {
  inputText: number;
  inputAudio: number;
  outputText: number;
  outputAudio: number;
}

/**
 * Rough token counts (the simulator has no tokenizer): text ≈ one token per 4 characters, input
 * audio one per 100 ms, output audio one per 50 ms (the live API's orders of magnitude).
 */
export function textTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** `usage` of `response.done` in the GA shape (no cached tokens: the simulator has no cache). */
export function usageObject(usage: V2Usage): Record<string, unknown> {
  const input = usage.inputText + usage.inputAudio;
  const output = usage.outputText + usage.outputAudio;
  return {
    total_tokens: input + output,
    input_tokens: input,
    output_tokens: output,
    input_token_details: {
      text_tokens: usage.inputText,
      audio_tokens: usage.inputAudio,
      image_tokens: 0,
      cached_tokens: 0,
      cached_tokens_details: { text_tokens: 0, audio_tokens: 0, image_tokens: 0 },
    },
    output_token_details: { text_tokens: usage.outputText, audio_tokens: usage.outputAudio },
  };
}

/** Limits the simulator reports in `rate_limits.updated` (per minute, as a tier-1-like account). */
export const SIMULATED_RATE_LIMITS = { requests: 5000, tokens: 40000 } as const;

/** `rate_limits.updated`'s `rate_limits` after `requests` responses that used `tokens` tokens. */
export function rateLimits(requests: number, tokens: number): Record<string, unknown>[] {
  return [
    {
      name: 'requests',
      limit: SIMULATED_RATE_LIMITS.requests,
      remaining: Math.max(0, SIMULATED_RATE_LIMITS.requests - requests),
      reset_seconds: 60,
    },
    {
      name: 'tokens',
      limit: SIMULATED_RATE_LIMITS.tokens,
      remaining: Math.max(0, SIMULATED_RATE_LIMITS.tokens - tokens),
      reset_seconds: 60,
    },
  ];
}
