import { wordSpeechFramesG711 } from './audio-codec.js';
import type { DialectContext } from './simulator-dialect.js';
import { SpeechStream } from './speech-stream.js';
import { SIMULATOR_FRAME_MS, wordSpeechFrames } from './speech-synthesizer.js';
import type { V2Conversation } from './v2-conversation.js';
import { rateLimits, textTokens, usageObject, type ResponseStatus, type V2Usage, type V2Wire } from './v2-events.js';
import { formatLaw, formatObject, type V2AudioFormat } from './v2-session.js';
import type { V2ToolCall } from './v2-tools.js';

/** What one response is asked to be (the session's settings, overridden by `response.create`'s `response`). */
export interface V2ResponseRequest {
  outputModalities: string[];
  voice: string;
  outputFormat: V2AudioFormat;
  /** `none`: an out-of-band response, its items are not added to the conversation. */
  conversation: 'auto' | 'none';
  metadata: Record<string, unknown> | null;
  /** Input tokens the response reads (the conversation so far, roughly). */
  inputTokens: { text: number; audio: number };
}

interface ActiveResponse {
  responseId: string;
  itemId: string;
  request: V2ResponseRequest;
  audio: boolean;
  stream: SpeechStream;
}

/** What the dialect hears of the responses' lifecycle. */
export interface V2ResponseHooks {
  /** A response was created (`response.created` sent). */
  created(responseId: string): void;
  /** A response ended (`response.done` sent); its audio plays for `playbackMs` more simulated milliseconds. */
  ended(responseId: string, playbackMs: number): void;
}

/** Status details of a simulated failed response. */
const FAILURE = {
  type: 'failed',
  error: { type: 'server_error', code: 'server_error', message: 'The server had an error while processing your request (simulated).' },
};

/**
 * Response lifecycle of a v2 connection, in the GA event shapes: a spoken (or text) answer
 * streamed word by word with audio in the response's output format, or a function call; at most
 * one active response; cancellation ends it with `response.done` status `cancelled`. Every
 * `response.done` carries `usage` and is followed by `rate_limits.updated`. The n-th response of a
 * connection ends as `options.responseOutcomes[n-1]` says (`failed`: no output; `incomplete`: cut
 * after half its words, `max_output_tokens`).
 */
export class V2Responses {
  private current: ActiveResponse | undefined;
  private count = 0;
  private tokensUsed = 0;

  constructor(
    private readonly context: DialectContext,
    private readonly wire: V2Wire,
    private readonly conversation: V2Conversation,
    private readonly conversationId: string,
    private readonly hooks: V2ResponseHooks = { created: () => undefined, ended: () => undefined },
  ) {}

  /** Id of the response in progress, or undefined. */
  get activeId(): string | undefined {
    return this.current?.responseId;
  }

  /**
   * Starts a response that says `text`: `response.created`, `response.output_item.added`,
   * `conversation.item.added`, `response.content_part.added`, then per word a transcript (or text)
   * delta and its audio frames, paced at `speed` with `audioLeadMs` generated ahead; when
   * generation ends the closing events and `response.done`. Returns at once; what is due now
   * (the first word, the lead's frames) is sent synchronously.
   */
  speak(text: string, request: V2ResponseRequest): void {
    const responseId = this.begin(request);
    if (responseId === undefined) return;
    const itemId = this.context.ids.next('item');
    const audio = request.outputModalities.includes('audio');
    const item = { id: itemId, object: 'realtime.item', type: 'message', status: 'in_progress', role: 'assistant', content: [] };
    this.wire.emit('response.output_item.added', { response_id: responseId, output_index: 0, item });
    this.addItem(item, request);
    const record = this.conversation.items.get(itemId);
    const ids = { response_id: responseId, item_id: itemId, output_index: 0, content_index: 0 };
    this.wire.emit('response.content_part.added', { ...ids, part: audio ? { type: 'audio', transcript: '' } : { type: 'text', text: '' } });
    const law = formatLaw(request.outputFormat);
    const outcome = this.context.options.responseOutcomes[this.count - 1];
    const fullLength = text.split(/\s+/).filter((word) => word.length > 0).length;
    const cutShort = outcome === 'incomplete';
    const stream = new SpeechStream(
      text,
      this.context.scheduler,
      {
        speed: this.context.options.speed,
        leadMs: this.context.options.audioLeadMs,
        audio,
        frames: law === undefined ? wordSpeechFrames : (word) => wordSpeechFramesG711(word, law),
        ...(cutShort ? { wordLimit: Math.ceil(fullLength / 2) } : {}),
      },
      {
        word: (delta) => this.wire.emit(audio ? 'response.output_audio_transcript.delta' : 'response.output_text.delta', { ...ids, delta }),
        frame: (base64) => {
          if (record !== undefined) record.audioMs += SIMULATOR_FRAME_MS;
          this.wire.emit('response.output_audio.delta', { ...ids, delta: base64 });
        },
        end: () => (cutShort ? this.finish('incomplete', { type: 'incomplete', reason: 'max_output_tokens' }) : this.finish('completed')),
      },
    );
    this.current = { responseId, itemId, request, audio, stream };
    stream.start();
  }

  /**
   * A response that calls functions (parallel calls, spec 09 §13.1): `response.created`; per call
   * (output index i) `response.output_item.added` (in progress, arguments `""`),
   * `conversation.item.added`, the arguments delta (the whole text) and done,
   * `response.output_item.done`, `conversation.item.done` (completed, with `call_id`, `name`,
   * `arguments`); then `response.done` (output = the call items) and `rate_limits.updated`. All at once.
   */
  call(calls: readonly V2ToolCall[], request: V2ResponseRequest): void {
    const responseId = this.begin(request);
    if (responseId === undefined) return;
    const items = calls.map((call, index) => this.callItem(call, index, responseId, request));
    const outputText = calls.reduce((sum, call) => sum + textTokens(call.name + call.arguments), 0);
    this.done(responseId, 'completed', items, request, this.usage(request, { outputText, outputAudio: 0 }));
    this.hooks.ended(responseId, 0);
  }

  /** The frames of one function call item at `outputIndex`; returns the completed item. */
  private callItem(call: V2ToolCall, outputIndex: number, responseId: string, request: V2ResponseRequest): Record<string, unknown> {
    const itemId = this.context.ids.next('item');
    const callId = this.context.ids.next('call');
    const started = {
      id: itemId,
      object: 'realtime.item',
      type: 'function_call',
      status: 'in_progress',
      name: call.name,
      call_id: callId,
      arguments: '',
    };
    this.wire.emit('response.output_item.added', { response_id: responseId, output_index: outputIndex, item: started });
    const previousItemId = this.addItem(started, request);
    const ids = { response_id: responseId, item_id: itemId, output_index: outputIndex, call_id: callId };
    this.wire.emit('response.function_call_arguments.delta', { ...ids, delta: call.arguments });
    this.wire.emit('response.function_call_arguments.done', { ...ids, name: call.name, arguments: call.arguments });
    const item = { ...started, status: 'completed', arguments: call.arguments };
    this.wire.emit('response.output_item.done', { response_id: responseId, output_index: outputIndex, item });
    this.itemDone(item, previousItemId, request);
    return item;
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

  /** `response.created`; for a response scripted to fail, also its `response.done` (returns undefined then). */
  private begin(request: V2ResponseRequest): string | undefined {
    this.count += 1;
    const responseId = this.context.ids.next('resp');
    this.wire.emit('response.created', { response: this.response(responseId, 'in_progress', [], request) });
    this.hooks.created(responseId);
    if (this.context.options.responseOutcomes[this.count - 1] !== 'failed') return responseId;
    this.done(responseId, 'failed', [], request, this.usage(request, { outputText: 0, outputAudio: 0 }), FAILURE);
    this.hooks.ended(responseId, 0);
    return undefined;
  }

  private addItem(item: Record<string, unknown>, request: V2ResponseRequest): string | null {
    if (request.conversation === 'none') return null;
    const previousItemId = this.conversation.add(item);
    this.wire.emit('conversation.item.added', { previous_item_id: previousItemId, item });
    return previousItemId;
  }

  private itemDone(item: Record<string, unknown>, previousItemId: string | null, request: V2ResponseRequest): void {
    if (request.conversation === 'none') return;
    this.conversation.describe(String(item['id']), item);
    this.wire.emit('conversation.item.done', { previous_item_id: previousItemId, item });
  }

  private finish(status: ResponseStatus, statusDetails?: Record<string, unknown>): void {
    const active = this.current;
    if (active === undefined) return;
    this.current = undefined;
    active.stream.cancel();
    const text = active.stream.spokenText;
    const ids = { response_id: active.responseId, item_id: active.itemId, output_index: 0, content_index: 0 };
    if (active.audio) {
      this.wire.emit('response.output_audio.done', ids);
      this.wire.emit('response.output_audio_transcript.done', { ...ids, transcript: text });
    } else {
      this.wire.emit('response.output_text.done', { ...ids, text });
    }
    this.wire.emit('response.content_part.done', {
      ...ids,
      part: active.audio ? { type: 'audio', transcript: text } : { type: 'text', text },
    });
    const item = {
      id: active.itemId,
      object: 'realtime.item',
      type: 'message',
      status: status === 'completed' ? 'completed' : 'incomplete',
      role: 'assistant',
      content: [active.audio ? { type: 'output_audio', transcript: text } : { type: 'output_text', text }],
    };
    this.wire.emit('response.output_item.done', { response_id: active.responseId, output_index: 0, item });
    const previousItemId = this.conversation.items.has(active.itemId) ? previousOf(this.conversation, active.itemId) : null;
    this.itemDone(item, previousItemId, active.request);
    const usage = this.usage(active.request, {
      outputText: textTokens(text),
      outputAudio: active.audio ? Math.ceil(active.stream.audioMs / 50) : 0,
    });
    this.done(active.responseId, status, [item], active.request, usage, statusDetails);
    this.hooks.ended(active.responseId, active.stream.remainingPlaybackMs(this.context.scheduler.now()));
  }

  private done(
    responseId: string,
    status: ResponseStatus,
    output: unknown[],
    request: V2ResponseRequest,
    usage: V2Usage,
    statusDetails?: Record<string, unknown>,
  ): void {
    const response = { ...this.response(responseId, status, output, request, statusDetails), usage: usageObject(usage) };
    this.wire.emit('response.done', { response });
    this.tokensUsed += usage.inputText + usage.inputAudio + usage.outputText + usage.outputAudio;
    this.wire.emit('rate_limits.updated', { rate_limits: rateLimits(this.count, this.tokensUsed) });
  }

  private usage(request: V2ResponseRequest, output: { outputText: number; outputAudio: number }): V2Usage {
    return { inputText: request.inputTokens.text, inputAudio: request.inputTokens.audio, ...output };
  }

  private response(
    id: string,
    status: ResponseStatus,
    output: unknown[],
    request: V2ResponseRequest,
    statusDetails?: Record<string, unknown>,
  ): Record<string, unknown> {
    return {
      object: 'realtime.response',
      id,
      status,
      ...(statusDetails === undefined ? {} : { status_details: statusDetails }),
      output,
      ...(request.conversation === 'none' ? {} : { conversation_id: this.conversationId }),
      output_modalities: request.outputModalities,
      max_output_tokens: 'inf',
      audio: { output: { format: formatObject(request.outputFormat), voice: request.voice } },
      metadata: request.metadata,
    };
  }
}

/** The id of the item before `id` in the conversation (`previous_item_id`), or null. */
function previousOf(conversation: V2Conversation, id: string): string | null {
  let previous: string | null = null;
  for (const key of conversation.items.keys()) {
    if (key === id) return previous;
    previous = key;
  }
  return null;
}
