import { DemoModel } from './demo-model.js';
import { EnergyVad, type VadEvent } from './energy-vad.js';
import { asRecord, itemText, type ClientFrame, type DialectContext, type SimulatorDialect } from './simulator-dialect.js';
import { SIMULATOR_SAMPLE_RATE, speechWords } from './speech-synthesizer.js';
import { activeResponseError, defaultTurnDetection, errorEvent, sessionObject, type V2ErrorFields, type V2Session } from './v2-events.js';
import { V2Conversation, V2Responses } from './v2-responses.js';

const CLIENT_EVENT_TYPES = [
  'session.update',
  'input_audio_buffer.append',
  'input_audio_buffer.commit',
  'input_audio_buffer.clear',
  'conversation.item.create',
  'conversation.item.truncate',
  'conversation.item.delete',
  'response.create',
  'response.cancel',
];
const MIN_COMMIT_MS = 100;

/**
 * Demo mode for v2 (OpenAI Realtime GA events). On connect: `session.created`. Then:
 * - `session.update` → `session.updated` (instructions, voice, modalities, turn detection, tools kept);
 * - `conversation.item.create` → `conversation.item.added` + `conversation.item.done`; a user text
 *   is answered only when `response.create` asks; a `function_call_output` is spoken on the next
 *   `response.create` (without Parley's final-message prefix);
 * - `response.create` while a response is active → the real `conversation_already_has_active_response` error;
 * - microphone audio goes through the energy VAD: `input_audio_buffer.speech_started` (with the new
 *   user item id; cancels an active response when `interrupt_response`), `speech_stopped`,
 *   `committed`, the user item, its transcription (from `transcripts`), then an automatic response
 *   when `create_response`;
 * - a request mentioning "agent" or "look up" is answered with a `background_agent` function call;
 * - `conversation.item.truncate` → `conversation.item.truncated`; `conversation.item.delete` →
 *   `conversation.item.deleted`; bad JSON or unknown events → an `error` event (the connection stays open).
 */
export class V2Dialect implements SimulatorDialect {
  private readonly session: V2Session;
  private readonly conversation = new V2Conversation();
  private readonly responses: V2Responses;
  private readonly model: DemoModel;
  private readonly vad: EnergyVad;
  /** The latest user request not answered yet. */
  private pendingInput: string | undefined;
  /** Delegate results (`function_call_output`) not spoken yet. */
  private pendingOutputs: string[] = [];
  /** The user item of the speech in progress. */
  private speechItemId: string | undefined;
  private bufferedBytes = 0;
  private audioTurns = 0;

  constructor(private readonly context: DialectContext) {
    this.session = {
      id: context.sessionId,
      type: 'realtime',
      model: context.query['model'] ?? context.options.model,
      instructions: '',
      outputModalities: ['audio'],
      voice: 'marin',
      turnDetection: defaultTurnDetection(),
      tools: [],
      toolChoice: 'auto',
    };
    this.responses = new V2Responses(context, this.session, this.conversation, context.sessionId.replace(/^sess_/, 'conv_'));
    this.model = new DemoModel(context.options.answer);
    this.vad = new EnergyVad(context.options.vad);
  }

  open(): void {
    this.responses.emit('session.created', { session: sessionObject(this.session) });
  }

  dispose(): void {
    this.responses.dispose();
  }

  message(frame: ClientFrame): void {
    if (!frame.ok) {
      this.error({ code: 'invalid_json', message: `The client event is not valid JSON: ${frame.error}` });
      return;
    }
    const message = asRecord(frame.value);
    if (message === undefined) {
      this.error({ code: 'invalid_type', message: 'Invalid client event: expected a JSON object.' });
      return;
    }
    const clientEventId = typeof message['event_id'] === 'string' ? message['event_id'] : undefined;
    const type = message['type'];
    if (typeof type !== 'string') {
      this.error({ code: 'missing_required_parameter', message: "Missing required parameter: 'type'.", param: 'type', clientEventId });
      return;
    }
    switch (type) {
      case 'session.update':
        return this.sessionUpdate(message, clientEventId);
      case 'input_audio_buffer.append':
        return this.append(message, clientEventId);
      case 'input_audio_buffer.commit':
        return this.commit(clientEventId);
      case 'input_audio_buffer.clear':
        this.vad.reset();
        this.bufferedBytes = 0;
        this.speechItemId = undefined;
        return this.responses.emit('input_audio_buffer.cleared');
      case 'conversation.item.create':
        return this.itemCreate(message, clientEventId);
      case 'conversation.item.truncate':
        return this.truncate(message, clientEventId);
      case 'conversation.item.delete':
        return this.deleteItem(message, clientEventId);
      case 'response.create':
        return this.responseCreate(clientEventId);
      case 'response.cancel':
        if (!this.responses.cancel('client_cancelled')) {
          this.error({ code: 'response_cancel_not_active', message: 'Cancellation failed: no active response found.', clientEventId });
        }
        return;
      default:
        this.error({
          code: 'invalid_value',
          message: `Invalid value: '${type}'. Supported values are: ${CLIENT_EVENT_TYPES.map((name) => `'${name}'`).join(', ')}.`,
          param: 'type',
          clientEventId,
        });
    }
  }

  private error(fields: V2ErrorFields): void {
    this.context.send(errorEvent(this.context.ids.next('event'), fields));
  }

  private sessionUpdate(message: Record<string, unknown>, clientEventId: string | undefined): void {
    const update = asRecord(message['session']);
    if (update === undefined) {
      this.error({
        code: 'missing_required_parameter',
        message: "Missing required parameter: 'session'.",
        param: 'session',
        clientEventId,
      });
      return;
    }
    const type = update['type'];
    if (type !== 'realtime' && type !== 'transcription') {
      this.error({
        code: 'missing_required_parameter',
        message: "Missing required parameter: 'session.type'.",
        param: 'session.type',
        clientEventId,
      });
      return;
    }
    const session = this.session;
    session.type = type;
    if (typeof update['instructions'] === 'string') session.instructions = update['instructions'];
    if (Array.isArray(update['output_modalities']))
      session.outputModalities = update['output_modalities'].filter((m): m is string => typeof m === 'string');
    if (typeof update['model'] === 'string') session.model = update['model'];
    const audio = asRecord(update['audio']);
    const voice = asRecord(audio?.['output'])?.['voice'];
    if (typeof voice === 'string') session.voice = voice;
    const input = asRecord(audio?.['input']);
    if (input !== undefined && 'turn_detection' in input) {
      const turnDetection = asRecord(input['turn_detection']);
      session.turnDetection = turnDetection === undefined ? null : { ...defaultTurnDetection(), ...turnDetection };
    }
    if (Array.isArray(update['tools'])) session.tools = update['tools'];
    if (update['tool_choice'] !== undefined) session.toolChoice = update['tool_choice'];
    this.responses.emit('session.updated', { session: sessionObject(session) });
  }

  private append(message: Record<string, unknown>, clientEventId: string | undefined): void {
    const audio = message['audio'];
    if (typeof audio !== 'string') {
      this.error({ code: 'missing_required_parameter', message: "Missing required parameter: 'audio'.", param: 'audio', clientEventId });
      return;
    }
    const pcm = Buffer.from(audio, 'base64');
    this.bufferedBytes += pcm.length;
    if (this.session.turnDetection === null) return;
    for (const event of this.vad.feed(pcm)) this.vadEvent(event);
  }

  private vadEvent(event: VadEvent): void {
    if (event.type === 'speechStarted') {
      this.speechItemId = this.context.ids.next('item');
      this.responses.emit('input_audio_buffer.speech_started', { audio_start_ms: event.audioStartMs, item_id: this.speechItemId });
      if (this.session.turnDetection?.['interrupt_response'] !== false) this.responses.cancel('turn_detected');
      return;
    }
    const itemId = this.speechItemId ?? this.context.ids.next('item');
    this.speechItemId = undefined;
    this.responses.emit('input_audio_buffer.speech_stopped', { audio_end_ms: event.audioEndMs, item_id: itemId });
    const respond = this.session.type === 'realtime' && this.session.turnDetection?.['create_response'] !== false;
    this.commitTurn(itemId, respond);
  }

  private commit(clientEventId: string | undefined): void {
    const bufferedMs = (this.bufferedBytes / 2 / SIMULATOR_SAMPLE_RATE) * 1000;
    if (bufferedMs < MIN_COMMIT_MS) {
      this.error({
        code: 'input_audio_buffer_commit_empty',
        message: `Error committing input audio buffer: buffer too small. Expected at least ${MIN_COMMIT_MS}ms of audio, but buffer only has ${bufferedMs.toFixed(2)}ms of audio.`,
        clientEventId,
      });
      return;
    }
    this.vad.flush();
    const itemId = this.speechItemId ?? this.context.ids.next('item');
    this.speechItemId = undefined;
    this.commitTurn(itemId, false);
  }

  /** Commits a user audio turn: committed, the user item, its transcription; then maybe a response. */
  private commitTurn(itemId: string, respond: boolean): void {
    const transcripts = this.context.options.transcripts;
    const transcript = transcripts[this.audioTurns % transcripts.length] as string;
    const seconds = this.bufferedBytes / 2 / SIMULATOR_SAMPLE_RATE;
    this.audioTurns += 1;
    this.bufferedBytes = 0;
    const previousItemId = this.conversation.add(itemId, 'message', 'user');
    this.responses.emit('input_audio_buffer.committed', { previous_item_id: previousItemId, item_id: itemId });
    const item = {
      id: itemId,
      object: 'realtime.item',
      type: 'message',
      status: 'completed',
      role: 'user',
      content: [{ type: 'input_audio', transcript: null }],
    };
    this.responses.emit('conversation.item.added', { previous_item_id: previousItemId, item });
    this.responses.emit('conversation.item.done', { previous_item_id: previousItemId, item });
    speechWords(transcript).forEach((word, index) => {
      this.responses.emit('conversation.item.input_audio_transcription.delta', {
        item_id: itemId,
        content_index: 0,
        delta: index === 0 ? word : ` ${word}`,
      });
    });
    this.responses.emit('conversation.item.input_audio_transcription.completed', {
      item_id: itemId,
      content_index: 0,
      transcript,
      usage: { type: 'duration', seconds: Math.round(seconds * 100) / 100 },
    });
    this.pendingInput = transcript;
    if (respond && this.responses.activeId === undefined) this.respond();
  }

  private itemCreate(message: Record<string, unknown>, clientEventId: string | undefined): void {
    const item = asRecord(message['item']);
    if (item === undefined) {
      this.error({ code: 'missing_required_parameter', message: "Missing required parameter: 'item'.", param: 'item', clientEventId });
      return;
    }
    const type = item['type'];
    if (type !== 'message' && type !== 'function_call_output' && type !== 'function_call') {
      this.error({
        code: 'invalid_value',
        message: `Invalid value: '${String(type)}'. Supported values are: 'message', 'function_call', 'function_call_output'.`,
        param: 'item.type',
        clientEventId,
      });
      return;
    }
    if (type === 'function_call_output' && typeof item['output'] !== 'string') {
      this.error({
        code: 'missing_required_parameter',
        message: "Missing required parameter: 'item.output'.",
        param: 'item.output',
        clientEventId,
      });
      return;
    }
    const id = typeof item['id'] === 'string' ? item['id'] : this.context.ids.next('item');
    const role = typeof item['role'] === 'string' ? item['role'] : undefined;
    const previousItemId = this.conversation.add(id, type, role);
    const { id: _id, type: _type, ...rest } = item;
    const added = { id, object: 'realtime.item', type, status: 'completed', ...rest };
    this.responses.emit('conversation.item.added', { previous_item_id: previousItemId, item: added });
    this.responses.emit('conversation.item.done', { previous_item_id: previousItemId, item: added });
    if (type === 'function_call_output') this.pendingOutputs.push(item['output'] as string);
    if (type === 'message' && role === 'user') {
      const text = itemText(item);
      if (!this.model.isProgressUpdate(text)) this.pendingInput = text;
    }
  }

  private responseCreate(clientEventId: string | undefined): void {
    const active = this.responses.activeId;
    if (active !== undefined) {
      this.context.send(activeResponseError(this.context.ids.next('event'), active, clientEventId));
      return;
    }
    this.respond();
  }

  /** Answers what is pending: delegate results first, else the latest user request. */
  private respond(): void {
    const outputs = this.pendingOutputs;
    const input = this.pendingInput;
    this.pendingOutputs = [];
    this.pendingInput = undefined;
    if (outputs.length > 0) {
      this.responses.speak(outputs.map((output) => this.model.resultSpeech(output)).join(' '));
      return;
    }
    if (input === undefined) {
      this.responses.speak('How can I help you?');
      return;
    }
    const decision = this.model.decide(input);
    if (decision.kind === 'handoff') this.responses.callHandoffTool(decision.prompt);
    else this.responses.speak(decision.text);
  }

  private truncate(message: Record<string, unknown>, clientEventId: string | undefined): void {
    const itemId = message['item_id'];
    const contentIndex = message['content_index'];
    const audioEndMs = message['audio_end_ms'];
    if (typeof itemId !== 'string' || typeof contentIndex !== 'number' || typeof audioEndMs !== 'number') {
      this.error({
        code: 'missing_required_parameter',
        message: 'conversation.item.truncate needs item_id, content_index and audio_end_ms.',
        clientEventId,
      });
      return;
    }
    const item = this.conversation.items.get(itemId);
    if (item === undefined || item.role !== 'assistant') {
      this.error({
        code: 'invalid_value',
        message: `Invalid value: '${itemId}'. No assistant message item with this id.`,
        param: 'item_id',
        clientEventId,
      });
      return;
    }
    if (audioEndMs < 0 || audioEndMs > item.audioMs) {
      this.error({
        code: 'invalid_value',
        message: `audio_end_ms (${audioEndMs}) must be between 0 and the item's audio duration (${item.audioMs}ms).`,
        param: 'audio_end_ms',
        clientEventId,
      });
      return;
    }
    item.truncatedAtMs = audioEndMs;
    this.responses.emit('conversation.item.truncated', { item_id: itemId, content_index: contentIndex, audio_end_ms: audioEndMs });
  }

  private deleteItem(message: Record<string, unknown>, clientEventId: string | undefined): void {
    const itemId = message['item_id'];
    if (typeof itemId !== 'string' || !this.conversation.delete(itemId)) {
      this.error({
        code: 'invalid_value',
        message: `Invalid value: '${String(itemId)}'. No item with this id.`,
        param: 'item_id',
        clientEventId,
      });
      return;
    }
    this.responses.emit('conversation.item.deleted', { item_id: itemId });
  }
}
