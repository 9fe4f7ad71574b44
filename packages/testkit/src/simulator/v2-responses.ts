import type { DialectContext } from './simulator-dialect.js';
import { SpeechStream } from './speech-stream.js';
import { HANDOFF_TOOL_NAME, responseObject, type ResponseStatus, type V2Session } from './v2-events.js';

/** What the v2 conversation knows about an item (for truncate and delete). */
export interface V2ItemRecord {
  type: string;
  role: string | undefined;
  /** Milliseconds of assistant audio streamed for the item. */
  audioMs: number;
  /** `audio_end_ms` of the last truncation. */
  truncatedAtMs: number | undefined;
}

/** The items of one v2 conversation, in order of addition. */
export class V2Conversation {
  readonly items = new Map<string, V2ItemRecord>();
  /** Id of the last item added (`previous_item_id` of the next one), or `null`. */
  lastItemId: string | null = null;

  /** Adds an item; returns the previous item's id (or `null`). */
  add(id: string, type: string, role: string | undefined): string | null {
    const previous = this.lastItemId;
    this.items.set(id, { type, role, audioMs: 0, truncatedAtMs: undefined });
    this.lastItemId = id;
    return previous;
  }

  /** Removes an item; returns whether it existed. */
  delete(id: string): boolean {
    if (!this.items.delete(id)) return false;
    if (this.lastItemId === id) this.lastItemId = [...this.items.keys()].pop() ?? null;
    return true;
  }
}

interface ActiveSpeech {
  responseId: string;
  itemId: string;
  previousItemId: string | null;
  audio: boolean;
  stream: SpeechStream;
}

/**
 * Response lifecycle of a v2 connection, in the GA event shapes: a spoken (or text) answer
 * streamed word by word with audio, or a `background_agent` function call; at most one active
 * response; cancellation ends it with `response.done` status `cancelled`. Every event gets an
 * `event_id`, and `response_id`, `item_id`, `output_index`, `content_index` where the API has them.
 */
export class V2Responses {
  private current: ActiveSpeech | undefined;

  constructor(
    private readonly context: DialectContext,
    private readonly session: V2Session,
    private readonly conversation: V2Conversation,
    private readonly conversationId: string,
  ) {}

  /** Id of the response in progress, or undefined. */
  get activeId(): string | undefined {
    return this.current?.responseId;
  }

  /** Sends `{type, event_id, ...fields}`. */
  emit(type: string, fields: Record<string, unknown> = {}): void {
    this.context.send({ type, event_id: this.context.ids.next('event'), ...fields });
  }

  /**
   * Starts a response that says `text`: `response.created`, `response.output_item.added`,
   * `conversation.item.added`, `response.content_part.added`, then per word a transcript (or
   * text) delta and its audio frames, paced at `speed`; when done the closing events and
   * `response.done` (status `completed`). Returns at once; the first word is sent synchronously.
   */
  speak(text: string): void {
    const responseId = this.context.ids.next('resp');
    const itemId = this.context.ids.next('item');
    const audio = this.session.outputModalities.includes('audio');
    this.emit('response.created', { response: this.response(responseId, 'in_progress', []) });
    const item = { id: itemId, object: 'realtime.item', type: 'message', status: 'in_progress', role: 'assistant', content: [] };
    this.emit('response.output_item.added', { response_id: responseId, output_index: 0, item });
    const previousItemId = this.conversation.add(itemId, 'message', 'assistant');
    const record = this.conversation.items.get(itemId);
    this.emit('conversation.item.added', { previous_item_id: previousItemId, item });
    const ids = { response_id: responseId, item_id: itemId, output_index: 0, content_index: 0 };
    this.emit('response.content_part.added', { ...ids, part: audio ? { type: 'audio', transcript: '' } : { type: 'text', text: '' } });
    const stream = new SpeechStream(
      text,
      this.context.scheduler,
      { speed: this.context.options.speed, audio },
      {
        word: (delta) => this.emit(audio ? 'response.output_audio_transcript.delta' : 'response.output_text.delta', { ...ids, delta }),
        frame: (base64) => {
          if (record !== undefined) record.audioMs += 20;
          this.emit('response.output_audio.delta', { ...ids, delta: base64 });
        },
        end: () => this.finish('completed'),
      },
    );
    this.current = { responseId, itemId, previousItemId, audio, stream };
    stream.start();
  }

  /**
   * A response that calls the handoff tool with `{"prompt": prompt}`: `response.created`,
   * `response.output_item.added`, `conversation.item.added` (in progress), the arguments delta
   * and done, `response.output_item.done`, `conversation.item.done` (completed, with `call_id`,
   * `name`, `arguments`), `response.done`. All at once.
   */
  callHandoffTool(prompt: string): void {
    const responseId = this.context.ids.next('resp');
    const itemId = this.context.ids.next('item');
    const callId = this.context.ids.next('call');
    const args = JSON.stringify({ prompt });
    this.emit('response.created', { response: this.response(responseId, 'in_progress', []) });
    const started = {
      id: itemId,
      object: 'realtime.item',
      type: 'function_call',
      status: 'in_progress',
      name: HANDOFF_TOOL_NAME,
      call_id: callId,
      arguments: '',
    };
    this.emit('response.output_item.added', { response_id: responseId, output_index: 0, item: started });
    const previousItemId = this.conversation.add(itemId, 'function_call', undefined);
    this.emit('conversation.item.added', { previous_item_id: previousItemId, item: started });
    const ids = { response_id: responseId, item_id: itemId, output_index: 0, call_id: callId };
    this.emit('response.function_call_arguments.delta', { ...ids, delta: args });
    this.emit('response.function_call_arguments.done', { ...ids, name: HANDOFF_TOOL_NAME, arguments: args });
    const item = { ...started, status: 'completed', arguments: args };
    this.emit('response.output_item.done', { response_id: responseId, output_index: 0, item });
    this.emit('conversation.item.done', { previous_item_id: previousItemId, item });
    this.emit('response.done', { response: this.response(responseId, 'completed', [item]) });
  }

  /**
   * Cancels the active response (if any) as the API does: its stream stops, then the closing
   * events with what was said so far, the item `incomplete`, and `response.done` with status
   * `cancelled` and `status_details.reason` = `reason`.
   */
  cancel(reason: 'turn_detected' | 'client_cancelled'): boolean {
    if (this.current === undefined) return false;
    this.finish('cancelled', { type: 'cancelled', reason });
    return true;
  }

  /** Stops streaming without sending anything (the connection is gone). */
  dispose(): void {
    this.current?.stream.cancel();
    this.current = undefined;
  }

  private finish(status: ResponseStatus, statusDetails: Record<string, unknown> | null = null): void {
    const active = this.current;
    if (active === undefined) return;
    this.current = undefined;
    active.stream.cancel();
    const text = active.stream.spokenText;
    const ids = { response_id: active.responseId, item_id: active.itemId, output_index: 0, content_index: 0 };
    if (active.audio) {
      this.emit('response.output_audio.done', ids);
      this.emit('response.output_audio_transcript.done', { ...ids, transcript: text });
    } else {
      this.emit('response.output_text.done', { ...ids, text });
    }
    this.emit('response.content_part.done', { ...ids, part: active.audio ? { type: 'audio', transcript: text } : { type: 'text', text } });
    const item = {
      id: active.itemId,
      object: 'realtime.item',
      type: 'message',
      status: status === 'completed' ? 'completed' : 'incomplete',
      role: 'assistant',
      content: [active.audio ? { type: 'output_audio', transcript: text } : { type: 'output_text', text }],
    };
    this.emit('response.output_item.done', { response_id: active.responseId, output_index: 0, item });
    this.emit('conversation.item.done', { previous_item_id: active.previousItemId, item });
    this.emit('response.done', { response: this.response(active.responseId, status, [item], statusDetails) });
  }

  private response(
    id: string,
    status: ResponseStatus,
    output: unknown[],
    statusDetails: Record<string, unknown> | null = null,
  ): Record<string, unknown> {
    return responseObject(id, status, output, this.session, this.conversationId, statusDetails);
  }
}
