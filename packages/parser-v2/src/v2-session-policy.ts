import {
  audioFormatBytesPerSample,
  renderTranscript,
  type BackgroundToolResult,
  type ErrorEvent,
  type FunctionCallDoneEvent,
  type ToolAnswer,
  type HandoffRequestedEvent,
  type PolicyHandle,
  type RealtimeEvent,
  type ResponseDoneEvent,
  type SessionPolicy,
  type SessionSettings,
  type TranscriptEntry,
} from '@parley/core';
import {
  emptyHandoffOutput,
  functionCallOutput,
  itemDelete,
  itemTruncate,
  progressItem,
  responseCreate,
  steeringAcknowledgement,
  type V2ClientMessage,
} from './v2-client-messages.js';
import { OutputAudioTracker } from './output-audio-tracker.js';
import { V2ToolBatches } from './v2-tool-batches.js';
import { backgroundResultItem, toolOutputItem } from './v2-tool-messages.js';
import { ResponseGate } from './response-gate.js';

/** The start of the server's rejection of a `response.create` while a response is active. */
export const ACTIVE_RESPONSE_RACE_PREFIX = 'Conversation already has an active response in progress:';

/** The server's error code for a `response.create` while a response is active. */
export const ACTIVE_RESPONSE_RACE_CODE = 'conversation_already_has_active_response';

/** The server's error code for a commit of less than 100 ms of audio (not fatal). */
export const COMMIT_EMPTY_CODE = 'input_audio_buffer_commit_empty';

/** Message of the error that follows a `failed` response when the server gives none. */
export const RESPONSE_FAILED_MESSAGE = 'response failed';

/**
 * True when the error is the server's active-response rejection (a race, not a failure): code
 * {@link ACTIVE_RESPONSE_RACE_CODE}, or a message starting with {@link ACTIVE_RESPONSE_RACE_PREFIX}
 * (a send failure has only a message).
 */
export function isActiveResponseRace(message: string, code?: string): boolean {
  return code === ACTIVE_RESPONSE_RACE_CODE || message.startsWith(ACTIVE_RESPONSE_RACE_PREFIX);
}

/**
 * True when the session interrupts the assistant on speech (spec 03): conversational mode, turn
 * detection `server_vad` or `semantic_vad`, `interruptResponse` true. Only then is barge-in on.
 */
export function interruptsOnSpeech(handle: PolicyHandle, settings: SessionSettings | undefined): boolean {
  const turn = handle.config.realtime.v2.turnDetection;
  return (settings?.mode ?? 'conversational') === 'conversational' && turn.type !== 'none' && turn.interruptResponse;
}

/**
 * The per-conversation V2 policy (spec 03): delegation and steering, response gating, barge-in.
 * Created by `V2ProtocolStrategy.createPolicy`; every method is synchronous and acts through the
 * {@link PolicyHandle}, in the order the conversation calls it.
 *
 * - Delegation: a handoff takes the active transcript, is delivered with those entries, and is
 *   routed at once (new delegation) or, while one is active, acknowledged to the model and routed
 *   as steering of the running one. Assistant output becomes a progress item while a handoff is
 *   active; `finishTurn` sends exactly one final `function_call_output` with the last message and
 *   requests a response.
 *   A handoff with no usable prompt and nothing taken is empty: answered at once with an empty
 *   `function_call_output`, nothing routed, no response request.
 * - Gating: see {@link ResponseGate}; the server's active-response rejection (inbound or as a
 *   send failure of `response.create`) is delivered as a non-fatal error and counted (`raceErrors`).
 *   A `failed` response is followed by a non-fatal `error`; an empty input commit is not fatal.
 * - Barge-in (only when the session interrupts on speech): see {@link OutputAudioTracker}; a
 *   truncate or delete is followed by `playbackInterrupted`, then the speech event; their send
 *   failures are logged, not fatal.
 */
export class V2SessionPolicy implements SessionPolicy {
  private readonly gate: ResponseGate;
  private readonly audio: OutputAudioTracker;
  private readonly bargeInEnabled: boolean;
  private readonly tools: V2ToolBatches;
  private activeHandoffId: string | undefined;
  private lastMessage: string | undefined;
  private disposed = false;
  /** The id of the response in progress (`responseCreated` not yet followed by its end). */
  private openResponseId: string | undefined;
  /** Handoffs that arrived after the delegate finished, while its finish was still queued. */
  private readonly afterFinish: { event: HandoffRequestedEvent; transcript: TranscriptEntry[] }[] = [];

  /**
   * @param settings the session's settings (mode and audio format); without them, a
   *   conversational `pcm16` session.
   */
  constructor(
    private readonly handle: PolicyHandle,
    settings?: SessionSettings,
  ) {
    this.audio = new OutputAudioTracker(audioFormatBytesPerSample(settings?.audioFormat ?? 'pcm16'));
    this.bargeInEnabled = interruptsOnSpeech(handle, settings);
    this.gate = new ResponseGate(
      () => this.handle.send(responseCreate(), (error) => this.onResponseCreateFailed(error)),
      () => this.handle.count('deferredResponseRequests'),
    );
    this.tools = new V2ToolBatches(
      () => this.gate.request(),
      (callId) => this.handle.tools.interrupt(callId),
    );
  }

  /** The handoff being delegated (the original call while steering), if any. */
  get activeHandoff(): string | undefined {
    return this.activeHandoffId;
  }

  /** The active handoff, if any (asked on reconnection: the new server session does not know it). */
  openHandoffs(): string[] {
    const open = this.activeHandoffId === undefined ? [] : [this.activeHandoffId];
    return [...open, ...this.afterFinish.map((waiting) => waiting.event.handoffId)];
  }

  /** Whether a response is active, and whether one is owed (for diagnostics and tests). */
  get gating(): { active: boolean; pending: boolean } {
    return { active: this.gate.active, pending: this.gate.pending };
  }

  onServerEvent(event: RealtimeEvent): void {
    if (this.disposed) return;
    switch (event.type) {
      case 'audioOut':
        if (this.bargeInEnabled) this.audio.addAudio(event, this.handle.now());
        this.handle.deliver(event);
        return;
      case 'inputAudioSpeechStarted':
        if (this.bargeInEnabled) {
          this.bargeIn();
          this.tools.speechStarted();
        }
        this.handle.deliver(event);
        return;
      case 'responseCreated':
        this.gate.created();
        this.tools.responseCreated();
        this.openResponseId = event.responseId;
        this.handle.deliver(event);
        return;
      case 'responseDone':
        this.handle.deliver(event);
        if (event.status === 'failed') this.handle.deliver(failedResponseError(event));
        // The batch rows run before the gate ends the response: an owed request and the batch's collapse.
        this.openResponseId = undefined;
        this.tools.responseEnded(event.status === 'cancelled');
        this.gate.finished();
        return;
      case 'responseCancelled':
        this.handle.deliver(event);
        this.openResponseId = undefined;
        this.tools.responseEnded(true);
        this.gate.finished();
        return;
      case 'functionCallDone':
        this.onFunctionCall(event);
        return;
      case 'conversationItemTruncated':
      case 'conversationItemDeleted':
        this.audio.confirmCut(event.itemId);
        this.handle.deliver(event);
        return;
      case 'handoffRequested':
        this.onHandoff(event);
        return;
      case 'error':
        this.onError(event);
        return;
      default:
        this.handle.deliver(event);
    }
  }

  requestResponse(): void {
    if (this.disposed) return;
    this.gate.request();
  }

  assistantOutput(text: string): void {
    if (this.disposed) return;
    if (this.activeHandoffId === undefined) {
      this.drop('assistant output arrived with no active handoff; it is dropped');
      return;
    }
    this.send(progressItem(text));
    this.lastMessage = text;
  }

  finishTurn(): void {
    if (this.disposed) return;
    const handoffId = this.activeHandoffId;
    if (handoffId === undefined) {
      this.drop('finishTurn arrived with no active handoff; it is dropped');
      return;
    }
    this.send(functionCallOutput(handoffId, this.lastMessage ?? ''));
    this.gate.request();
    this.activeHandoffId = undefined;
    this.lastMessage = undefined;
    // Handoffs that arrived after the delegate had finished (its finish still queued) are new
    // requests, not steering: the first starts the next delegation, later ones steer it.
    for (const waiting of this.afterFinish.splice(0)) this.startOrSteer(waiting.event, waiting.transcript);
  }

  /** A user tool call's one answer (spec 09 §8.4): a `function_call_output`; its batch may now ask for a response. */
  toolOutput(answer: ToolAnswer): void {
    if (this.disposed) return;
    this.send(toolOutputItem(answer.callId, answer.output));
    this.tools.answered(answer.callId);
  }

  /** A background call's result: a system item, then one response request through the gate. */
  backgroundToolResult(result: BackgroundToolResult): void {
    if (this.disposed) return;
    this.handle.send(backgroundResultItem(result.callId, result.name, result.output));
    this.gate.request();
  }

  reportPlayback(itemId: string, playedMs: number): void {
    if (this.disposed) return;
    this.audio.reportPlayback(itemId, playedMs);
  }

  dispose(): void {
    this.disposed = true;
    this.afterFinish.length = 0;
    this.gate.reset();
    this.tools.reset();
    this.audio.clear();
    this.activeHandoffId = undefined;
    this.lastMessage = undefined;
  }

  private send(message: V2ClientMessage, onError?: (error: Error) => boolean): void {
    this.handle.send(message, onError);
  }

  private drop(warning: string): void {
    this.handle.count('droppedAssistantOutputs');
    this.handle.logger.warn(warning, { protocol: 'v2' });
  }

  /** Spec 09 §8.2: `conversationItemDone` for an item sighting, then the report; a new call joins its batch. */
  private onFunctionCall(event: FunctionCallDoneEvent): void {
    if (event.source === 'item' && event.itemId !== undefined) this.handle.deliver({ type: 'conversationItemDone', itemId: event.itemId });
    const report = { callId: event.callId, name: event.name, arguments: event.arguments, complete: event.complete };
    const itemId = event.itemId;
    const responseId = event.responseId ?? this.openResponseId;
    const admission = this.handle.tools.call({
      ...report,
      ...(itemId === undefined ? {} : { itemId }),
      ...(responseId === undefined ? {} : { responseId }),
    });
    if (admission === 'new') this.tools.admitted(event.callId);
  }

  private onHandoff(event: HandoffRequestedEvent): void {
    const taken = this.handle.transcript.take();
    this.handle.deliver({
      type: 'handoffRequested',
      handoffId: event.handoffId,
      itemId: event.itemId,
      inputTranscript: event.inputTranscript,
      activeTranscript: taken,
    });
    const transcript = taken.map((entry) => ({ role: entry.role, text: entry.text }));
    if (event.inputTranscript.trim() === '' && transcript.length === 0) {
      // Empty: the model asked for nothing and nothing was said since the last handoff. Answer the
      // call so the model is not left waiting, route nothing, and ask for no response.
      this.send(emptyHandoffOutput(event.handoffId));
      return;
    }
    if (this.activeHandoffId !== undefined && this.handle.finishPending()) {
      // The delegate already finished; its final output is still queued. This is a new request.
      this.afterFinish.push({ event, transcript });
      return;
    }
    this.startOrSteer(event, transcript);
  }

  private startOrSteer(event: HandoffRequestedEvent, transcript: TranscriptEntry[]): void {
    // The prompt the model chose; without one, the entries taken (V1's rendering).
    const text = event.inputTranscript.trim() !== '' ? event.inputTranscript : renderTranscript(transcript);
    if (this.activeHandoffId === undefined) {
      this.activeHandoffId = event.handoffId;
      this.lastMessage = undefined;
      this.handle.route({ handoffId: event.handoffId, text, transcript, steering: false });
      return;
    }
    this.send(steeringAcknowledgement(event.handoffId));
    this.gate.request();
    this.handle.route({ handoffId: event.handoffId, text, transcript, steering: true });
  }

  private onError(event: ErrorEvent): void {
    if (isActiveResponseRace(event.message, event.code)) {
      this.race(event);
      return;
    }
    this.handle.deliver(event.code === COMMIT_EMPTY_CODE ? { ...event, fatal: false } : event);
  }

  private race(event: ErrorEvent): void {
    this.gate.race();
    this.handle.count('raceErrors');
    this.handle.deliver({ ...event, fatal: false });
  }

  private onResponseCreateFailed(error: Error): boolean {
    if (this.disposed || !isActiveResponseRace(error.message)) return false;
    this.race({ type: 'error', message: error.message, fatal: false });
    return true;
  }

  private bargeIn(): void {
    const action = this.audio.takeBargeIn(this.handle.now());
    if (action === undefined) return;
    const message = action.kind === 'truncate' ? itemTruncate(action.itemId, action.audioEndMs) : itemDelete(action.itemId);
    this.handle.count('truncations');
    this.send(message, (error) => {
      this.handle.logger.warn(`barge-in ${action.kind} failed to send; continuing`, { itemId: action.itemId, error: error.message });
      return true;
    });
    this.handle.deliver({
      type: 'playbackInterrupted',
      itemId: action.itemId,
      audioEndMs: action.kind === 'truncate' ? action.audioEndMs : 0,
    });
  }
}

/** The non-fatal error that follows a `failed` response: `status_details.error.message` (default `response failed`) and its code. */
function failedResponseError(event: ResponseDoneEvent): ErrorEvent {
  const details = event.statusDetails?.error;
  const fields = typeof details === 'object' && details !== null ? (details as Record<string, unknown>) : {};
  const message = typeof fields.message === 'string' ? fields.message : RESPONSE_FAILED_MESSAGE;
  return typeof fields.code === 'string'
    ? { type: 'error', message, code: fields.code, fatal: false }
    : { type: 'error', message, fatal: false };
}
