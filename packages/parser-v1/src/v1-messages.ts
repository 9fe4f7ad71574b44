import type { AudioFrame, ClientMessage } from '@parley/core';

/**
 * What V1 puts before every delegate output in `conversation.handoff.append`: the 22 characters
 * `"Agent Final Message":` (quotes included) and two newlines.
 */
export const AGENT_FINAL_MESSAGE_PREFIX = '"Agent Final Message":\n\n';

/** Microphone audio: only the base64 data is sent (rate, channels and item id are not). */
export function v1AudioMessage(frame: AudioFrame): ClientMessage {
  return { type: 'input_audio_buffer.append', audio: frame.data };
}

/**
 * {@link v1AudioMessage} as JSON text, without `JSON.stringify`: the core has checked that the data
 * is base64 (letters, digits, `+`, `/`, `=`), which never needs escaping.
 */
export function v1AudioText(frame: AudioFrame): string {
  return `{"type":"input_audio_buffer.append","audio":"${frame.data}"}`;
}

/** User text as a user message item (append-only: V1 never sends `response.create`). */
export function v1UserTextMessage(text: string): ClientMessage {
  return {
    type: 'conversation.item.create',
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
  };
}

/** Delegate output for a handoff: `output_text` is {@link AGENT_FINAL_MESSAGE_PREFIX} + `text`. */
export function v1HandoffAppendMessage(handoffId: string, text: string): ClientMessage {
  return { type: 'conversation.handoff.append', handoff_id: handoffId, output_text: AGENT_FINAL_MESSAGE_PREFIX + text };
}
