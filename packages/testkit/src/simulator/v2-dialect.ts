import { DemoModel } from './demo-model.js';
import { asRecord, type ClientFrame, type DialectContext, type SimulatorDialect } from './simulator-dialect.js';
import { messageText, serverItem, V2Conversation } from './v2-conversation.js';
import { activeResponseError, textTokens, V2Wire } from './v2-events.js';
import { V2IdleTimeout } from './v2-idle-timeout.js';
import { V2InputAudio } from './v2-input-audio.js';
import { V2Responses, type V2ResponseRequest } from './v2-responses.js';
import { V2SessionConfig } from './v2-session.js';
import { chooseToolCalls, outputSpeech, systemItemSpeech } from './v2-tools.js';

const CLIENT_EVENT_TYPES = [
  'session.update',
  'input_audio_buffer.append',
  'input_audio_buffer.commit',
  'input_audio_buffer.clear',
  'conversation.item.create',
  'conversation.item.retrieve',
  'conversation.item.truncate',
  'conversation.item.delete',
  'response.create',
  'response.cancel',
];

/**
 * Demo mode for v2 (OpenAI Realtime GA events), honouring the session it is given. On connect:
 * `session.created` (a `transcription` session when the URL has `intent=transcription`). Then:
 * - `session.update` → `session.updated` echoing the effective session ({@link V2SessionConfig});
 * - `conversation.item.create` → `conversation.item.added` + `.done`; a user text is answered only
 *   when `response.create` asks; `function_call_output`s and `system` message items are spoken at
 *   the start of the next response ({@link outputSpeech}, {@link systemItemSpeech});
 *   `.retrieve`, `.truncate`, `.delete` ({@link V2Conversation});
 * - microphone audio ({@link V2InputAudio}): VAD turns answered when `create_response`, commits,
 *   transcription only when configured; server VAD's `idle_timeout_ms` ({@link V2IdleTimeout}):
 *   `input_audio_buffer.timeout_triggered`, the buffer committed, and "Are you still there?";
 * - `response.create` (with its `response` options) while a response is active → the real
 *   `conversation_already_has_active_response` error; in a transcription session → an error;
 * - a request naming user function tools calls them all in one response; else a request
 *   mentioning "agent" or "look up" calls `background_agent` when the session declares it; both as
 *   `tool_choice` allows ({@link chooseToolCalls}, spec 09 §13.1).
 */
export class V2Dialect implements SimulatorDialect {
  private readonly session: V2SessionConfig;
  private readonly wire: V2Wire;
  private readonly conversation: V2Conversation;
  private readonly responses: V2Responses;
  private readonly input: V2InputAudio;
  private readonly model: DemoModel;
  private readonly idle: V2IdleTimeout;
  /** The response answering an idle timeout (it does not arm the timeout again). */
  private idleResponseId: string | undefined;
  /** The next response created answers an idle timeout. */
  private answeringIdle = false;
  /** The latest user request not answered yet. */
  private pendingInput: string | undefined;
  /** What tool outputs and system items say, in arrival order, not spoken yet. */
  private pendingSpeech: string[] = [];
  /** Text the conversation holds (instructions aside), for the usage estimate. */
  private conversationText = '';

  constructor(private readonly context: DialectContext) {
    const type = context.query['intent'] === 'transcription' ? 'transcription' : 'realtime';
    this.session = new V2SessionConfig(context.sessionId, type, context.query['model'] ?? context.options.model);
    this.wire = new V2Wire(context);
    this.conversation = new V2Conversation(this.wire);
    this.responses = new V2Responses(context, this.wire, this.conversation, context.sessionId.replace(/^sess_/, 'conv_'), {
      created: (responseId) => {
        if (this.answeringIdle) this.idleResponseId = responseId;
        this.answeringIdle = false;
      },
      ended: (responseId, playbackMs) => {
        if (responseId !== this.idleResponseId) this.idle.responseEnded(playbackMs);
      },
    });
    this.model = new DemoModel(context.options.answer);
    this.input = new V2InputAudio(context, this.wire, this.session, this.conversation, {
      speechStarted: () => {
        this.idle.cancel();
        if (this.session.interruptsResponse) this.responses.cancel('turn_detected');
      },
      turnCommitted: (transcript, respond, transcribe) => {
        this.pendingInput = transcript;
        const answer = respond && this.responses.activeId === undefined;
        if (answer && this.context.options.userTranscriptAfterResponse) {
          this.respond(undefined);
          transcribe();
          return;
        }
        transcribe();
        if (answer) this.respond(undefined);
      },
    });
    this.idle = new V2IdleTimeout(context, this.session, this.input, (audioStartMs) => this.idleTimeout(audioStartMs));
  }

  open(): void {
    this.wire.emit('session.created', { session: this.session.echo() });
  }

  dispose(): void {
    this.idle.cancel();
    this.responses.dispose();
  }

  message(frame: ClientFrame): void {
    if (!frame.ok) {
      this.wire.error({ code: 'invalid_json', message: `The client event is not valid JSON: ${frame.error}` });
      return;
    }
    const message = asRecord(frame.value);
    if (message === undefined) {
      this.wire.error({ code: 'invalid_type', message: 'Invalid client event: expected a JSON object.' });
      return;
    }
    const clientEventId = typeof message['event_id'] === 'string' ? message['event_id'] : undefined;
    const type = message['type'];
    if (typeof type !== 'string') {
      this.missing('type', clientEventId);
      return;
    }
    switch (type) {
      case 'session.update':
        return this.sessionUpdate(message, clientEventId);
      case 'input_audio_buffer.append':
        if (typeof message['audio'] !== 'string') return this.missing('audio', clientEventId);
        return this.input.append(message['audio']);
      case 'input_audio_buffer.commit':
        return this.input.commit(clientEventId);
      case 'input_audio_buffer.clear':
        return this.input.clear();
      case 'conversation.item.create':
        return this.itemCreate(message, clientEventId);
      case 'conversation.item.retrieve':
        return this.conversation.retrieve(message, clientEventId);
      case 'conversation.item.truncate':
        return this.conversation.truncate(message, clientEventId);
      case 'conversation.item.delete':
        return this.conversation.delete(message, clientEventId);
      case 'response.create':
        return this.responseCreate(message, clientEventId);
      case 'response.cancel':
        if (!this.responses.cancel('client_cancelled')) {
          this.wire.error({ code: 'response_cancel_not_active', message: 'Cancellation failed: no active response found.', clientEventId });
        }
        return;
      default:
        this.wire.error({
          code: 'invalid_value',
          message: `Invalid value: '${type}'. Supported values are: ${CLIENT_EVENT_TYPES.map((name) => `'${name}'`).join(', ')}.`,
          param: 'type',
          clientEventId,
        });
    }
  }

  private missing(param: string, clientEventId: string | undefined): void {
    this.wire.error({ code: 'missing_required_parameter', message: `Missing required parameter: '${param}'.`, param, clientEventId });
  }

  private sessionUpdate(message: Record<string, unknown>, clientEventId: string | undefined): void {
    const update = asRecord(message['session']);
    if (update === undefined) return this.missing('session', clientEventId);
    if (update['type'] !== 'realtime' && update['type'] !== 'transcription') return this.missing('session.type', clientEventId);
    const problem = this.session.apply(update);
    if (problem !== undefined) {
      this.wire.error({ code: 'invalid_value', message: problem.message, param: problem.param, clientEventId });
      return;
    }
    this.wire.emit('session.updated', { session: this.session.echo() });
  }

  private itemCreate(message: Record<string, unknown>, clientEventId: string | undefined): void {
    const item = asRecord(message['item']);
    if (item === undefined) return this.missing('item', clientEventId);
    const type = item['type'];
    if (type !== 'message' && type !== 'function_call_output' && type !== 'function_call') {
      this.wire.error({
        code: 'invalid_value',
        message: `Invalid value: '${String(type)}'. Supported values are: 'message', 'function_call', 'function_call_output'.`,
        param: 'item.type',
        clientEventId,
      });
      return;
    }
    if (type === 'function_call_output' && typeof item['output'] !== 'string') return this.missing('item.output', clientEventId);
    const added = serverItem(item, typeof item['id'] === 'string' ? item['id'] : this.context.ids.next('item'));
    const previousItemId = this.conversation.add(added);
    this.wire.emit('conversation.item.added', { previous_item_id: previousItemId, item: added });
    this.wire.emit('conversation.item.done', { previous_item_id: previousItemId, item: added });
    if (type === 'function_call_output') {
      this.pendingSpeech.push(outputSpeech(item['output'] as string));
      this.conversationText += ` ${String(item['output'])}`;
    }
    if (type === 'message') {
      const text = messageText(item);
      this.conversationText += ` ${text}`;
      if (item['role'] === 'user' && !this.model.isProgressUpdate(text)) this.pendingInput = text;
      if (item['role'] === 'system') this.pendingSpeech.push(systemItemSpeech(text));
    }
  }

  private responseCreate(message: Record<string, unknown>, clientEventId: string | undefined): void {
    if (this.session.type === 'transcription') {
      this.wire.error({
        code: 'invalid_value',
        message: "Invalid value: 'response.create'. A transcription session does not create responses.",
        param: 'type',
        clientEventId,
      });
      return;
    }
    const active = this.responses.activeId;
    if (active !== undefined) {
      this.wire.error(activeResponseError(active, clientEventId));
      return;
    }
    this.respond(asRecord(message['response']));
  }

  /** The response's settings: the session's, overridden by `response.create`'s `response`. */
  private request(options: Record<string, unknown> | undefined): V2ResponseRequest {
    const modalities = options?.['output_modalities'];
    const metadata = asRecord(options?.['metadata']);
    const voice = asRecord(asRecord(options?.['audio'])?.['output'])?.['voice'];
    const instructions = options?.['instructions'];
    return {
      outputModalities: Array.isArray(modalities)
        ? modalities.filter((m): m is string => typeof m === 'string')
        : this.session.outputModalities,
      voice: typeof voice === 'string' ? voice : this.session.voice,
      outputFormat: this.session.outputFormat,
      conversation: options?.['conversation'] === 'none' ? 'none' : 'auto',
      metadata: metadata ?? null,
      inputTokens: {
        text: textTokens(`${typeof instructions === 'string' ? instructions : this.session.instructions}${this.conversationText}`),
        audio: Math.ceil(this.input.committedMs / 100),
      },
    };
  }

  /**
   * Answers what is pending: tool outputs and system items first (spoken, joined by a space,
   * followed by the answer to a pending user request, if any); else the latest user request, by
   * calling tools ({@link chooseToolCalls}) or in speech.
   */
  private respond(options: Record<string, unknown> | undefined): void {
    this.idle.cancel();
    const request = this.request(options);
    const speech = this.pendingSpeech;
    const input = this.pendingInput;
    if (request.conversation === 'auto') {
      this.pendingSpeech = [];
      this.pendingInput = undefined;
    }
    const decision = input === undefined ? undefined : this.model.decide(input);
    const answer = input === undefined ? undefined : decision?.kind === 'answer' ? decision.text : this.context.options.answer(input);
    if (speech.length > 0) return this.say([...speech, ...(answer === undefined ? [] : [answer])].join(' '), request);
    if (input === undefined || answer === undefined) return this.say('How can I help you?', request);
    const tools = Array.isArray(options?.['tools']) ? options['tools'] : this.session.tools;
    const toolChoice = options?.['tool_choice'] ?? this.session.toolChoice;
    const calls = chooseToolCalls({ text: input.trim(), wantsHandoff: decision?.kind === 'handoff' }, tools, toolChoice);
    if (calls.length > 0) return this.responses.call(calls, request);
    this.say(answer, request);
  }

  /**
   * The user stayed silent `idle_timeout_ms` after the last answer: the event and the commit, then
   * (when the session answers on its own and no response is active) a response: what is pending,
   * else a prompt to continue.
   */
  private idleTimeout(audioStartMs: number): void {
    this.input.timeoutTriggered(audioStartMs);
    if (!this.session.createsResponse || this.responses.activeId !== undefined) return;
    this.answeringIdle = true;
    if (this.pendingSpeech.length > 0 || this.pendingInput !== undefined) this.respond(undefined);
    else this.say('Are you still there?', this.request(undefined));
  }

  private say(text: string, request: V2ResponseRequest): void {
    this.conversationText += ` ${text}`;
    this.responses.speak(text, request);
  }
}
