import { SIMULATOR_SAMPLE_RATE } from './speech-synthesizer.js';

/** The name of Parley's handoff tool (spec 03). */
export const HANDOFF_TOOL_NAME = 'background_agent';

/** PCM16 24 kHz, as the GA API describes its audio format. */
export const PCM_FORMAT = { type: 'audio/pcm', rate: SIMULATOR_SAMPLE_RATE } as const;

/** Status of a response (`response.status`). */
export type ResponseStatus = 'in_progress' | 'completed' | 'cancelled';

/** The session settings a v2 connection keeps (what `session.update` may change). */
export interface V2Session {
  id: string;
  type: 'realtime' | 'transcription';
  model: string;
  instructions: string;
  outputModalities: string[];
  voice: string;
  /** `audio.input.turn_detection` as configured (`null`: no VAD, manual commits). */
  turnDetection: Record<string, unknown> | null;
  tools: unknown[];
  toolChoice: unknown;
}

/** The server VAD defaults of the real API (`create_response` and `interrupt_response` on). */
export function defaultTurnDetection(): Record<string, unknown> {
  return {
    type: 'server_vad',
    threshold: 0.5,
    prefix_padding_ms: 300,
    silence_duration_ms: 400,
    idle_timeout_ms: null,
    create_response: true,
    interrupt_response: true,
  };
}

/** The `session` object of `session.created` / `session.updated` (GA shape). */
export function sessionObject(session: V2Session): Record<string, unknown> {
  const input = {
    format: PCM_FORMAT,
    transcription: null,
    noise_reduction: null,
    turn_detection: session.turnDetection,
  };
  if (session.type === 'transcription') {
    return { type: 'transcription', object: 'realtime.transcription_session', id: session.id, audio: { input }, include: null };
  }
  return {
    type: 'realtime',
    object: 'realtime.session',
    id: session.id,
    model: session.model,
    output_modalities: session.outputModalities,
    instructions: session.instructions,
    tools: session.tools,
    tool_choice: session.toolChoice,
    max_output_tokens: 'inf',
    tracing: null,
    truncation: 'auto',
    prompt: null,
    audio: { input, output: { format: PCM_FORMAT, voice: session.voice, speed: 1 } },
    include: null,
  };
}

/** The `response` object of `response.created` / `response.done`. */
export function responseObject(
  id: string,
  status: ResponseStatus,
  output: unknown[],
  session: V2Session,
  conversationId: string,
  statusDetails: Record<string, unknown> | null = null,
): Record<string, unknown> {
  return {
    object: 'realtime.response',
    id,
    status,
    status_details: statusDetails,
    output,
    conversation_id: conversationId,
    output_modalities: session.outputModalities,
    max_output_tokens: 'inf',
    audio: { output: { format: PCM_FORMAT, voice: session.voice } },
    metadata: null,
  };
}

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
export function activeResponseError(eventId: string, responseId: string, clientEventId: string | undefined): Record<string, unknown> {
  return errorEvent(eventId, {
    code: 'conversation_already_has_active_response',
    message: `Conversation already has an active response in progress: ${responseId}. Wait until the response is finished before creating a new one.`,
    param: null,
    clientEventId,
  });
}
