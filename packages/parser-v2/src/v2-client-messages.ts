/**
 * The client→server messages of protocol V2 (spec 03, "Client messages" and "First client
 * message"), as precise literal types and small builders. Every type here is checked against the
 * official `openai` package's `RealtimeClientEvent` in `test/openai-client-event-types.test.ts`.
 *
 * The types are object-literal type aliases (not interfaces) so they are assignable to the core's
 * `ClientMessage` index signature.
 */

/** The handoff tool's name: the model delegates by calling it. */
export const BACKGROUND_AGENT_TOOL_NAME = 'background_agent';

/** Appended to every delegate progress message (spec 03). */
export const PROGRESS_SUFFIX = "\n\nUpdate from background agent (task hasn't finished yet):";

/** Prefix of every `function_call_output` (the 22 characters `"Agent Final Message":` and two newlines). */
export const FINAL_MESSAGE_PREFIX = '"Agent Final Message":\n\n';

/** The text of the steering acknowledgement (after {@link FINAL_MESSAGE_PREFIX}). */
export const STEERING_ACKNOWLEDGEMENT_TEXT = 'This was sent to steer the previous background agent task.';

/** An audio format on the wire: PCM16 at 24 kHz, or G.711 μ-law / A-law (8 kHz, no `rate`). */
export type V2AudioFormat = { type: 'audio/pcm'; rate: 24000 } | { type: 'audio/pcmu' } | { type: 'audio/pcma' };

/** `audio.input.transcription`: the model, and the language and prompt when set. */
export type V2InputTranscription = { model: string; language?: string; prompt?: string };

/** `audio.input.noise_reduction` (omitted when `realtime.v2.noiseReduction` is `off`). */
export type V2NoiseReduction = { type: 'near_field' | 'far_field' };

/** Server VAD of a conversational session: tuning keys only when set. */
export type V2ServerVad = {
  type: 'server_vad';
  threshold?: number;
  prefix_padding_ms?: number;
  silence_duration_ms?: number;
  idle_timeout_ms?: number;
  interrupt_response: boolean;
  create_response: boolean;
};

/** Semantic VAD of a conversational session. */
export type V2SemanticVad = {
  type: 'semantic_vad';
  eagerness: 'low' | 'medium' | 'high' | 'auto';
  interrupt_response: boolean;
  create_response: boolean;
};

/** Server VAD of a transcription session: never `interrupt_response`, `create_response` or `idle_timeout_ms`. */
export type V2TranscriptionServerVad = { type: 'server_vad'; threshold?: number; prefix_padding_ms?: number; silence_duration_ms?: number };

/** Semantic VAD of a transcription session. */
export type V2TranscriptionSemanticVad = { type: 'semantic_vad'; eagerness: 'low' | 'medium' | 'high' | 'auto' };

/** `audio.input` of a conversational session (`turn_detection: null` = push-to-talk). */
export type V2AudioInput = {
  format: V2AudioFormat;
  transcription?: V2InputTranscription;
  noise_reduction?: V2NoiseReduction;
  turn_detection: V2ServerVad | V2SemanticVad | null;
};

/** `audio.input` of a transcription session. */
export type V2TranscriptionAudioInput = {
  format: V2AudioFormat;
  transcription?: V2InputTranscription;
  noise_reduction?: V2NoiseReduction;
  turn_detection: V2TranscriptionServerVad | V2TranscriptionSemanticVad | null;
};

/** JSON schema of the handoff tool's parameters. */
export type BackgroundAgentParameters = {
  type: 'object';
  properties: { prompt: { type: 'string'; description: string } };
  required: ['prompt'];
  additionalProperties: false;
};

/** The handoff tool, always first in `session.tools`. */
export type BackgroundAgentTool = {
  type: 'function';
  name: typeof BACKGROUND_AGENT_TOOL_NAME;
  description: string;
  parameters: BackgroundAgentParameters;
};

/** A user function tool (from the start options' `tools`), sent as given. */
export type V2UserFunctionTool = { type: 'function'; name: string; description?: string; parameters?: unknown };

/** A user MCP tool (from the start options' `tools`), sent as given. */
export type V2UserMcpTool = { type: 'mcp'; server_label: string; server_url?: string; server_description?: string };

/** A tool the application adds beside the handoff tool. */
export type V2UserTool = V2UserFunctionTool | V2UserMcpTool;

/** `session` of a conversational `session.update`. */
export type V2RealtimeSessionConfig = {
  type: 'realtime';
  instructions: string;
  output_modalities: ['audio'] | ['text'];
  audio: {
    input: V2AudioInput;
    output: { format: V2AudioFormat; voice: string };
  };
  tools: [BackgroundAgentTool, ...V2UserTool[]];
  tool_choice: 'auto';
};

/**
 * `session` of a transcription-mode `session.update` (`RealtimeTranscriptionSessionCreateRequest`):
 * no instructions, no output, no tools.
 */
export type V2TranscriptionSessionConfig = {
  type: 'transcription';
  audio: { input: V2TranscriptionAudioInput };
};

/** The first client message. */
export type V2SessionUpdateMessage = { type: 'session.update'; session: V2RealtimeSessionConfig | V2TranscriptionSessionConfig };

/** Microphone audio: only the base64 data is sent. */
export type V2InputAudioAppendMessage = { type: 'input_audio_buffer.append'; audio: string };

/** A user message item (user text, or delegate progress). */
export type V2UserMessageCreate = {
  type: 'conversation.item.create';
  item: { type: 'message'; role: 'user'; content: [{ type: 'input_text'; text: string }] };
};

/** A `function_call_output` item answering a handoff call (final result or steering acknowledgement). */
export type V2FunctionCallOutputCreate = {
  type: 'conversation.item.create';
  item: { type: 'function_call_output'; call_id: string; output: string };
};

/** Asks the server for a response (subject to response gating). */
export type V2ResponseCreateMessage = { type: 'response.create' };

/** Barge-in: cut the assistant item at what the user heard. */
export type V2ItemTruncateMessage = { type: 'conversation.item.truncate'; item_id: string; content_index: 0; audio_end_ms: number };

/** Barge-in before anything was heard: remove the assistant item. */
export type V2ItemDeleteMessage = { type: 'conversation.item.delete'; item_id: string };

/** Push-to-talk: commit the input audio buffer into a user item (`commitInput()`). */
export type V2InputAudioCommitMessage = { type: 'input_audio_buffer.commit' };

/** Abandon the input audio buffer (`clearInput()`). */
export type V2InputAudioClearMessage = { type: 'input_audio_buffer.clear' };

/** Every message the V2 strategy and its policy send. */
export type V2ClientMessage =
  | V2SessionUpdateMessage
  | V2InputAudioAppendMessage
  | V2InputAudioCommitMessage
  | V2InputAudioClearMessage
  | V2UserMessageCreate
  | V2FunctionCallOutputCreate
  | V2ResponseCreateMessage
  | V2ItemTruncateMessage
  | V2ItemDeleteMessage;

/** `input_audio_buffer.append` with the frame's base64 data. */
export function inputAudioAppend(audio: string): V2InputAudioAppendMessage {
  return { type: 'input_audio_buffer.append', audio };
}

/**
 * {@link inputAudioAppend} as JSON text, without `JSON.stringify`: the core has checked that the
 * data is base64 (letters, digits, `+`, `/`, `=`), which never needs escaping.
 */
export function inputAudioAppendText(audio: string): string {
  return `{"type":"input_audio_buffer.append","audio":"${audio}"}`;
}

/** `{"type":"input_audio_buffer.commit"}` (a new object each call). */
export function inputAudioCommit(): V2InputAudioCommitMessage {
  return { type: 'input_audio_buffer.commit' };
}

/** `{"type":"input_audio_buffer.clear"}` (a new object each call). */
export function inputAudioClear(): V2InputAudioClearMessage {
  return { type: 'input_audio_buffer.clear' };
}

/** A user message item with one `input_text` part. Never followed by `response.create` by itself. */
export function userTextItem(text: string): V2UserMessageCreate {
  return { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } };
}

/** Delegate progress: a user message item with {@link PROGRESS_SUFFIX} appended to `text`. */
export function progressItem(text: string): V2UserMessageCreate {
  return userTextItem(text + PROGRESS_SUFFIX);
}

/** The answer to an empty handoff: a `function_call_output` with an empty final message (no response request follows). */
export function emptyHandoffOutput(callId: string): V2FunctionCallOutputCreate {
  return functionCallOutput(callId, '');
}

/** The final `function_call_output` for `callId`: {@link FINAL_MESSAGE_PREFIX} then `text` ("" allowed). */
export function functionCallOutput(callId: string, text: string): V2FunctionCallOutputCreate {
  return { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output: FINAL_MESSAGE_PREFIX + text } };
}

/** The steering acknowledgement: a `function_call_output` for the **new** call id. */
export function steeringAcknowledgement(callId: string): V2FunctionCallOutputCreate {
  return functionCallOutput(callId, STEERING_ACKNOWLEDGEMENT_TEXT);
}

/** `{"type":"response.create"}` (a new object each call). */
export function responseCreate(): V2ResponseCreateMessage {
  return { type: 'response.create' };
}

/** `conversation.item.truncate` of content 0 of `itemId` at `audioEndMs` (an integer > 0). */
export function itemTruncate(itemId: string, audioEndMs: number): V2ItemTruncateMessage {
  return { type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: audioEndMs };
}

/** `conversation.item.delete` of `itemId`. */
export function itemDelete(itemId: string): V2ItemDeleteMessage {
  return { type: 'conversation.item.delete', item_id: itemId };
}
