import type { AudioFrame, ClientMessage } from '@parley/core';
import { chunkText } from './append-chunker.js';

/** The three context channels of the Live API; Parley sends `thinking` and `commentary`. */
export type LiveChannel = 'instructions' | 'thinking' | 'commentary';

/** What a delegation that finished without any message says (spoken, as commentary). */
export const NO_ANSWER_TEXT = 'The background agent finished without an answer.';

/**
 * Microphone audio as JSON text (`session.input_audio.append`, only the data), without
 * `JSON.stringify`: the core has checked that the data is base64, which never needs escaping.
 */
export function liveAudioText(frame: AudioFrame): string {
  return `{"type":"session.input_audio.append","audio":"${frame.data}"}`;
}

/**
 * One context append: `session.<channel>.append` with `delegation_id` (always present: `null`
 * for session context) and `content`.
 */
export function liveAppendMessage(channel: 'thinking' | 'commentary', delegationId: string | undefined, content: string): ClientMessage {
  return { type: `session.${channel}.append`, delegation_id: delegationId ?? null, content };
}

/**
 * A text as consecutive appends of one channel and delegation, chunked within `budget` estimated
 * tokens (spec 08 "Chunking"); none when the text is empty after trimming.
 */
export function liveAppendMessages(
  channel: 'thinking' | 'commentary',
  delegationId: string | undefined,
  text: string,
  budget: number,
): ClientMessage[] {
  return chunkText(text, budget).map((chunk) => liveAppendMessage(channel, delegationId, chunk));
}

/**
 * User text: `user: ` plus the trimmed text, chunked as one text (the prefix opens the first chunk
 * only), as silent session context (`session.thinking.append`, `delegation_id: null`). None when
 * the trimmed text is empty.
 */
export function liveUserTextMessages(text: string, budget: number): ClientMessage[] {
  const trimmed = text.trim();
  return trimmed === '' ? [] : liveAppendMessages('thinking', undefined, `user: ${trimmed}`, budget);
}

/** The close request: `{"type":"session.close"}`. */
export function liveCloseMessage(): ClientMessage {
  return { type: 'session.close' };
}

/**
 * Responses mode: a call's answer,
 * `{"type":"response.item.create","item":{"type":"function_call_output","call_id":"<id>","output":"<output>"}}`
 * (the output as is, no prefix).
 */
export function liveToolOutputMessage(callId: string, output: string): ClientMessage {
  return { type: 'response.item.create', item: { type: 'function_call_output', call_id: callId, output } };
}

/** Responses mode: continue the backend run once every output of a batch is queued, `{"type":"response.create"}`. */
export function liveResponseCreate(): ClientMessage {
  return { type: 'response.create' };
}

/** Responses mode: the content of a background result's commentary, `Result of background tool call <callId> (<name>):\n\n<output>`. */
export function liveBackgroundResultText(callId: string, name: string, output: string): string {
  return `Result of background tool call ${callId} (${name}):\n\n${output}`;
}
