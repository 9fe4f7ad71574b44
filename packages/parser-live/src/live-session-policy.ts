import type {
  BackgroundToolResult,
  Cancellable,
  ErrorEvent,
  FunctionCallDoneEvent,
  HandoffRequestedEvent,
  PolicyHandle,
  RealtimeEvent,
  SessionPolicy,
  ToolAnswer,
} from '@parley/core';
import { liveFrameKind } from './live-decoder.js';
import { LiveDelegations, type RouteReason } from './live-delegations.js';
import {
  liveAppendMessages,
  liveBackgroundResultText,
  liveCloseMessage,
  liveResponseCreate,
  liveToolOutputMessage,
} from './live-messages.js';
import { liveResponseEventInfo, type LiveResponseStatus } from './live-response-events.js';
import { LiveToolBatches, type LiveDelegationKey } from './live-tool-batches.js';

/** Server error codes that end a live conversation even after `session.started` (after LiveKit). */
export const LIVE_FATAL_ERROR_CODES: ReadonlySet<string> = new Set([
  'insufficient_quota',
  'invalid_api_key',
  'account_deactivated',
  'billing_hard_limit_reached',
]);

/** The live policy's settings, read from `realtime.live.*`. */
export interface LivePolicyOptions {
  /** `realtime.live.delegation` (default `client`): `responses` runs the backend's function calls. */
  delegation?: 'client' | 'responses';
  delegationGraceMs: number;
  appendTokenBudget: number;
  replyPrompt: string;
  startTimeoutMs: number;
  closeTimeoutMs: number;
}

type LiveState = 'starting' | 'running' | 'closing' | 'ended';

/**
 * The live session policy (spec 08 "Session policy"), one per conversation (and per server
 * session: a reconnection makes a new one).
 *
 * - **Start**: inputs are held from creation until `session.started`, then released in order; no
 *   `session.started` within `startTimeoutMs` is a fatal `ERR_START_TIMEOUT` error.
 * - **Errors**: fatal before `session.started` and for {@link LIVE_FATAL_ERROR_CODES}; every other
 *   one is delivered with `fatal: false`; while closing none is fatal.
 * - **Delegation**: client mode, see {@link LiveDelegations} (the timeline-aware grace); duplicate
 *   delegation ids are ignored (`ignoredEvents`). Responses mode: delegations are delivered, never
 *   routed; `response.event`s are decoded, their function calls reported to the tool runner and
 *   batched per delegation key ({@link LiveToolBatches}); outputs go out as `response.item.create`,
 *   background results as commentary. In client mode `response.event`s are ignored (`ignoredEvents`).
 * - **Inputs**: `requestResponse()` sends `replyPrompt` as null-delegation commentary (chunked;
 *   nothing when empty); `reportPlayback` does nothing (barge-in is the server's).
 * - **Close** ({@link beginClose}): before `session.started` the conversation ends at once;
 *   afterwards `session.close` is sent, pending delegations dropped, and the conversation ends at
 *   `session.closed` (or `closeTimeoutMs` later, warned). A `session.closed` while not closing
 *   ends it with `transport_closed`.
 */
export class LiveSessionPolicy implements SessionPolicy {
  private state: LiveState = 'starting';
  private startTimer: Cancellable | undefined;
  private closeTimer: Cancellable | undefined;
  /** The delegations of this server session. */
  readonly delegations: LiveDelegations;
  /** Responses mode: the tool batches of this server session, per delegation key. */
  private readonly batches: LiveToolBatches;
  private readonly responsesMode: boolean;

  constructor(
    private readonly handle: PolicyHandle,
    private readonly options: LivePolicyOptions,
  ) {
    this.delegations = new LiveDelegations(handle, options.delegationGraceMs, options.appendTokenBudget, (id, reason) =>
      this.routed(id, reason),
    );
    this.responsesMode = options.delegation === 'responses';
    this.batches = new LiveToolBatches(() => this.handle.send(liveResponseCreate()));
    handle.holdInputs(true);
    this.startTimer = handle.schedule(options.startTimeoutMs, () => {
      this.startTimer = undefined;
      if (this.state !== 'starting') return;
      handle.deliver({
        type: 'error',
        message: `the live session did not start: no session.started within ${options.startTimeoutMs} ms`,
        fatal: true,
        code: 'ERR_START_TIMEOUT',
      });
    });
  }

  /** True once `session.started` arrived. */
  get started(): boolean {
    return this.state !== 'starting';
  }

  /** Delivers every event, applying the start gate, the error rules, delegation and the close rules. */
  onServerEvent(event: RealtimeEvent): void {
    const kind = liveFrameKind(event);
    const response = liveResponseEventInfo(event);
    if (response !== undefined) {
      if (!this.responsesMode || response.kind === 'responseIgnored') this.handle.count('ignoredEvents');
      else this.onResponseEvent(event, response.delegationId);
      return;
    }
    switch (event.type) {
      case 'sessionUpdated':
        this.handle.deliver(event);
        if (kind === 'sessionStarted' && this.state === 'starting') this.onStarted();
        return;
      case 'inputTranscriptDelta':
        this.handle.deliver(event);
        if (event.endMs !== undefined && this.state !== 'closing') this.delegations.inputFragment(event.endMs);
        return;
      case 'handoffRequested':
        this.onDelegation(event);
        return;
      case 'error':
        this.onError(event);
        return;
      case 'sessionClosed':
        this.handle.deliver(event);
        this.delegations.drop();
        this.end(this.state === 'closing' ? 'requested' : 'transport_closed');
        return;
      default:
        this.handle.deliver(event);
    }
  }

  /** Sends `realtime.live.replyPrompt` as commentary with `delegation_id: null` (nothing when `""`). */
  requestResponse(): void {
    if (this.state === 'closing' || this.state === 'ended') return;
    for (const message of liveAppendMessages('commentary', undefined, this.options.replyPrompt, this.options.appendTokenBudget)) {
      this.handle.send(message);
    }
  }

  /** A delegate message for its open delegation (thinking appends), else dropped and counted. */
  assistantOutput(text: string, handoffId?: string): void {
    if (this.state === 'closing' || this.state === 'ended') return;
    if (this.delegations.output(text, handoffId)) return;
    this.handle.count('droppedAssistantOutputs');
    this.handle.logger.warn('assistant output for no open live delegation: dropped', {
      protocol: 'live',
      handoffId: handoffId ?? '(oldest open)',
      chars: text.length,
    });
  }

  /** Finishes an open delegation (commentary appends); with none, does nothing. */
  finishTurn(handoffId?: string): void {
    if (this.state === 'closing' || this.state === 'ended') return;
    if (!this.delegations.finish(handoffId)) {
      this.handle.logger.warn('finishTurn for no open live delegation: nothing to finish', {
        protocol: 'live',
        handoffId: handoffId ?? '(oldest open)',
      });
    }
  }

  /**
   * Responses mode (spec 08): a call's one answer (result, error or a background call's started
   * output) as `response.item.create` (`function_call_output`, the output as is); its batch may
   * now be complete and ask for its one `response.create`. Nothing while closing or after the end.
   */
  toolOutput(answer: ToolAnswer): void {
    if (this.state === 'closing' || this.state === 'ended') return;
    this.handle.send(liveToolOutputMessage(answer.callId, answer.output));
    this.batches.answered(answer.callId, answer.started);
  }

  /**
   * Responses mode (spec 08, 09 §5): a background call's result as `session.commentary.append`
   * (chunked) with the call's `delegation_id` (`null` without one) and the content
   * `Result of background tool call <callId> (<name>):\n\n<output>`, to be spoken; no
   * `response.create`. Nothing while closing or after the end.
   */
  backgroundToolResult(result: BackgroundToolResult): void {
    if (this.state === 'closing' || this.state === 'ended') return;
    const key = this.batches.takeKey(result.callId);
    const text = liveBackgroundResultText(result.callId, result.name, result.output);
    for (const message of liveAppendMessages('commentary', key, text, this.options.appendTokenBudget)) this.handle.send(message);
  }

  /** Nothing: barge-in is the server's. */
  reportPlayback(_itemId: string, _playedMs: number): void {}

  /** Pending and open delegation ids (asked on reconnection: they are lost with the server session). */
  openHandoffs(): string[] {
    return this.delegations.ids();
  }

  /**
   * `close()`: before `session.started`, false (the core ends the conversation at once, held inputs
   * discarded). Otherwise sends `session.close`, drops pending delegations, waits for
   * `session.closed` at most `closeTimeoutMs`, and returns true (closing).
   */
  beginClose(): boolean {
    if (this.state === 'starting' || this.state === 'ended') {
      this.delegations.drop();
      return false;
    }
    if (this.state === 'closing') return true;
    this.state = 'closing';
    this.handle.send(liveCloseMessage());
    // Open tool calls are aborted by the core: nothing more is sent for them (no output, no response.create).
    this.batches.reset();
    const dropped = this.delegations.drop();
    if (dropped.length > 0) this.handle.logger.info('live close: pending delegations dropped', { protocol: 'live', dropped });
    this.closeTimer = this.handle.schedule(this.options.closeTimeoutMs, () => {
      this.closeTimer = undefined;
      this.handle.logger.warn('no session.closed after session.close: closing the connection', {
        protocol: 'live',
        closeTimeoutMs: this.options.closeTimeoutMs,
      });
      this.end('requested');
    });
    return true;
  }

  /** Drops pending work (the handle cancels the timers). */
  dispose(): void {
    this.state = 'ended';
    this.startTimer?.cancel();
    this.closeTimer?.cancel();
    this.delegations.drop();
    this.batches.reset();
  }

  private onStarted(): void {
    this.state = 'running';
    this.startTimer?.cancel();
    this.startTimer = undefined;
    this.handle.holdInputs(false);
  }

  private onDelegation(event: HandoffRequestedEvent): void {
    if (this.delegations.isDuplicate(event.handoffId)) {
      this.handle.count('ignoredEvents');
      this.handle.logger.warn('live delegation id seen before: ignored', { protocol: 'live', handoffId: event.handoffId });
      return;
    }
    this.handle.deliver({ ...event, activeTranscript: this.handle.transcript.snapshot() });
    if (event.target !== 'client' || this.responsesMode || this.state === 'closing' || this.state === 'ended') return;
    this.delegations.add(event);
  }

  /**
   * Responses mode: `responseCreated` opens the key's batch, `responseDone` closes it (both
   * delivered); `functionCallDone` is reported to the tool runner (with the key's open response id)
   * and an admitted call joins its key's batch. While closing calls are not reported (counted in
   * `ignoredEvents`): nothing would answer them.
   */
  private onResponseEvent(event: RealtimeEvent, key: LiveDelegationKey): void {
    switch (event.type) {
      case 'responseCreated':
        this.handle.deliver(event);
        if (this.state !== 'closing') this.batches.responseCreated(key, event.responseId);
        return;
      case 'responseDone':
        this.handle.deliver(event);
        if (this.state !== 'closing') this.batches.responseDone(key, event.status as LiveResponseStatus);
        return;
      case 'functionCallDone':
        this.onFunctionCall(event, key);
        return;
      default:
        this.handle.count('ignoredEvents');
    }
  }

  private onFunctionCall(event: FunctionCallDoneEvent, key: LiveDelegationKey): void {
    if (this.state === 'closing' || this.state === 'ended') {
      this.handle.count('ignoredEvents');
      return;
    }
    const responseId = this.batches.responseId(key);
    const admission = this.handle.tools.call({
      callId: event.callId,
      name: event.name,
      arguments: event.arguments,
      ...(event.itemId === undefined ? {} : { itemId: event.itemId }),
      ...(responseId === undefined ? {} : { responseId }),
      complete: event.complete,
    });
    if (admission === 'new') this.batches.admitted(key, event.callId);
  }

  private onError(event: ErrorEvent): void {
    const fatal =
      this.state !== 'closing' && (this.state === 'starting' || (event.code !== undefined && LIVE_FATAL_ERROR_CODES.has(event.code)));
    this.handle.deliver(event.fatal === fatal ? event : { ...event, fatal });
  }

  private routed(id: string, reason: RouteReason): void {
    this.handle.logger.info('live delegation due', {
      protocol: 'live',
      handoffId: id,
      reason: reason === 'caught_up' ? 'transcript caught up' : 'grace expired',
    });
  }

  private end(reason: 'requested' | 'transport_closed'): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.closeTimer?.cancel();
    this.handle.end(reason);
  }
}
