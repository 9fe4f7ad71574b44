import { describeError } from './describe-error.js';
import type { Cancellable, Clock } from './clock.js';
import type { Logger } from './logger.js';
import { ParleyError, type ParleyErrorCode } from './parley-error.js';
import { isJsonObject, type JsonObject } from './frame-fields.js';
import type { ToolCall } from './realtime-tool.js';
import type { ToolSpec } from './tool-checks.js';
import type { ToolCallEvent, ToolResultEvent } from './tool-events.js';
import type { BackgroundToolResult, ToolAnswer, ToolCallAdmission, ToolCallReport, ToolErrorReason, ToolsHandle } from './tool-hooks.js';
import { encodeToolValue, jsonKind, thrownDetail, toolErrorOutput, toolMessages } from './tool-output.js';

/** The tool settings of `realtime.tools`. */
export interface ToolRunnerSettings {
  /** Default timeout of blocking and declared calls (ms). */
  timeoutMs: number;
  /** Default timeout of background calls (ms). */
  backgroundTimeoutMs: number;
  /** A background call's immediate answer. */
  backgroundStartedOutput: string;
}

/** An item of the conversation's `toolOut` lane: a call's answer, or a background call's result. */
export type ToolOutItem =
  { kind: 'answer'; answer: ToolAnswer; generation: number } | { kind: 'background'; result: BackgroundToolResult; generation: number };

/** The policy hooks a tool answer is handed to (spec 09 §9); a missing one is a policy failure. */
export interface ToolOutputHooks {
  toolOutput?(answer: ToolAnswer): void;
  backgroundToolResult?(result: BackgroundToolResult): void;
}

/** What a {@link ToolRunner} needs from its conversation. */
export interface ToolRunnerHost {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: ToolRunnerSettings;
  /** Delivers `toolCall` and `toolResult` to the application. */
  emit(event: ToolCallEvent | ToolResultEvent): void;
  /**
   * Queues an item on the `toolOut` lane, processed in arrival order with every other input (the
   * conversation then calls {@link ToolRunner.dispatch}). Awaits space when the lane is full;
   * rejects when the conversation no longer runs.
   */
  enqueue(item: ToolOutItem): Promise<void>;
}

/** The tool counters of `stats()` (spec 09 §6). */
export interface ToolStats {
  /** Calls admitted. */
  toolCalls: number;
  /** `toolResult`s with `error`. */
  toolErrors: number;
  /** `toolResult`s with reason `timeout`. */
  toolTimeouts: number;
  /** `toolResult`s with reason `cancelled`. */
  cancelledToolCalls: number;
  /** Other items claiming an admitted call id (ignored). */
  duplicateToolCalls: number;
  /** Results that came after their call was answered, or after the conversation ended or reconnected (dropped). */
  lateToolResults: number;
  /** Calls admitted with no `toolResult` yet (a gauge; 0 once the conversation ended). */
  pendingToolCalls: number;
}

/** Zeroed tool counters. */
export function emptyToolStats(): ToolStats {
  return {
    toolCalls: 0,
    toolErrors: 0,
    toolTimeouts: 0,
    cancelledToolCalls: 0,
    duplicateToolCalls: 0,
    lateToolResults: 0,
    pendingToolCalls: 0,
  };
}

/** How an answered call was answered (`sendToolOutput`'s "already answered (<how>)"). */
type AnswerHow = 'output' | 'background' | ToolErrorReason;

interface CallState {
  readonly report: ToolCallReport;
  readonly spec: ToolSpec | undefined;
  readonly keys: Set<string>;
  readonly controller: AbortController;
  readonly timeoutMs: number;
  timer: Cancellable | undefined;
  /** Set once the call has its one answer (for a background call: the started output). */
  answered: AnswerHow | undefined;
  /** A background call's result is ready (or timed out). */
  resultReady: boolean;
  /** Its `toolResult` was emitted (or the call was abandoned): it is no longer pending. */
  finished: boolean;
}

/** The options of {@link ToolRunner.sendToolOutput}. */
export interface ToolOutputOptions {
  /** The output is an error message (a string), sent as `{"error": message}`. */
  error?: boolean;
}

/**
 * Core's tool runner for one conversation (spec 09 §2–§7): admits each call once, answers it
 * exactly once (a result, or an error output for an unknown tool, invalid arguments, a throw, a
 * timeout or a cancellation), runs bound tools concurrently, waits for `sendToolOutput` on declared
 * ones, and hands each answer to the policy through the conversation's input loop.
 *
 * It is protocol-neutral: a strategy reaches it through {@link ToolsHandle} (`PolicyHandle.tools`)
 * and receives answers through the `toolOutput`/`backgroundToolResult` policy hooks. Timers go
 * through the injected clock; nothing here waits for a tool that ignores its signal.
 */
export class ToolRunner implements ToolsHandle {
  /** Counters; `lateToolResults` keeps counting after the end. */
  readonly stats: ToolStats = emptyToolStats();
  private readonly specs: Map<string, ToolSpec>;
  private calls = new Map<string, CallState>();
  /** Admission order of the calls of this server session (for `lostToolCalls`). */
  private order: CallState[] = [];
  private generation = 0;
  private ended = false;

  constructor(
    specs: readonly ToolSpec[],
    private readonly host: ToolRunnerHost,
  ) {
    this.specs = new Map(specs.map((spec) => [spec.name, spec]));
  }

  // ---- ToolsHandle (the strategy's side) ----------------------------------------------------------

  call(report: ToolCallReport): ToolCallAdmission {
    const key = report.itemId ?? report.callId;
    const known = this.calls.get(report.callId);
    if (known !== undefined) {
      if (known.keys.has(key)) return 'echo';
      known.keys.add(key);
      if (!this.ended) {
        this.stats.duplicateToolCalls += 1;
        this.host.logger.warn('another item claims a tool call id that was already admitted; it is ignored', {
          callId: report.callId,
          itemId: report.itemId,
        });
      }
      return 'duplicate';
    }
    if (this.ended) return 'echo';
    const spec = this.specs.get(report.name);
    const timeoutMs =
      spec?.timeoutMs ?? (spec?.behavior === 'background' ? this.host.settings.backgroundTimeoutMs : this.host.settings.timeoutMs);
    const call: CallState = {
      report: { ...report },
      spec,
      keys: new Set([key]),
      controller: new AbortController(),
      timeoutMs,
      timer: undefined,
      answered: undefined,
      resultReady: false,
      finished: false,
    };
    this.calls.set(report.callId, call);
    this.order.push(call);
    this.stats.toolCalls += 1;
    this.stats.pendingToolCalls += 1;
    const event: ToolCallEvent = { type: 'toolCall', callId: report.callId, name: report.name, arguments: report.arguments };
    if (report.itemId !== undefined) event.itemId = report.itemId;
    if (report.responseId !== undefined) event.responseId = report.responseId;
    this.host.emit(event);
    this.admit(call);
    return 'new';
  }

  interrupt(callId: string): void {
    const call = this.calls.get(callId);
    if (call === undefined || call.answered !== undefined || call.spec === undefined) return;
    if (call.spec.behavior !== 'blocking' || call.spec.onInterrupt !== 'cancel') return;
    const message = toolMessages.interrupted(call.report.name);
    this.abort(call, 'ERR_TOOL_CANCELLED', message);
    this.answer(call, toolErrorOutput(message), 'cancelled');
  }

  // ---- the application's side -----------------------------------------------------------------

  /**
   * Answers an admitted, unanswered call with the application's output (spec 09 §4). The checks run
   * synchronously and throw a typed error (nothing queued); then the call is answered from this
   * moment (its signal aborted with `ERR_TOOL_CALL_ANSWERED`) and the returned promise resolves once
   * the answer is queued (it awaits space when the `toolOut` lane is full).
   */
  sendToolOutput(callId: string, output: unknown, options: ToolOutputOptions = {}): Promise<void> {
    if (typeof callId !== 'string' || callId === '') {
      throw new ParleyError('ERR_INVALID_ARGUMENT', "sendToolOutput: callId must be a non-empty string (the toolCall event's callId)");
    }
    const call = this.calls.get(callId);
    if (call === undefined) {
      throw new ParleyError(
        'ERR_UNKNOWN_TOOL_CALL',
        `no tool call \`${callId}\` in this conversation: pass the callId of a toolCall event`,
      );
    }
    if (call.answered !== undefined) {
      this.stats.lateToolResults += 1;
      throw new ParleyError(
        'ERR_TOOL_CALL_ANSWERED',
        `tool call \`${callId}\` was already answered (${call.answered}); a call gets exactly one output`,
      );
    }
    const error = options.error === true;
    if (error && typeof output !== 'string') {
      throw new ParleyError('ERR_INVALID_ARGUMENT', 'sendToolOutput: with error: true the output must be the error message (a string)');
    }
    const text = error ? toolErrorOutput(output as string) : encodeToolValue(output);
    if (text === undefined) throw new ParleyError('ERR_INVALID_ARGUMENT', 'sendToolOutput: the output cannot be converted to JSON');
    this.abort(call, 'ERR_TOOL_CALL_ANSWERED', `tool call \`${callId}\` was answered by the application`);
    return this.answer(call, text, error ? 'failed' : undefined);
  }

  // ---- the conversation's side ------------------------------------------------------------------

  /**
   * The input loop reached a `toolOut` item: hands it to the policy hook, then emits `toolResult`
   * (not for a background call's started answer). An item of an earlier server session (queued
   * before a reconnection) is dropped. Throws `ERR_POLICY_FAILED` when the hook is missing.
   */
  dispatch(item: ToolOutItem, hooks: ToolOutputHooks): void {
    if (item.generation !== this.generation || this.ended) return;
    if (item.kind === 'answer') {
      const answer = item.answer;
      if (hooks.toolOutput === undefined) throw new ParleyError('ERR_POLICY_FAILED', 'the session policy has no toolOutput hook');
      hooks.toolOutput({ ...answer });
      if (answer.started) return;
      this.finish(answer, undefined);
      return;
    }
    const result = item.result;
    if (hooks.backgroundToolResult === undefined) {
      throw new ParleyError('ERR_POLICY_FAILED', 'the session policy has no backgroundToolResult hook');
    }
    hooks.backgroundToolResult({ ...result });
    this.finish(result, true);
  }

  /**
   * The connection was lost and a new server session starts: every call without a `toolResult` is
   * abandoned (its signal aborted with `ERR_CONNECTION_LOST`; a later result is late), answers still
   * queued are dropped, and the admitted ids are forgotten. Returns the abandoned call ids, in
   * admission order.
   */
  reconnected(): string[] {
    const lost: string[] = [];
    for (const call of this.order) {
      if (call.finished) continue;
      lost.push(call.report.callId);
      this.abandon(call, 'ERR_CONNECTION_LOST', 'the connection was lost; the new server session does not know this call');
    }
    this.generation += 1;
    this.calls = new Map();
    this.order = [];
    return lost;
  }

  /** The conversation ended or was replaced: every open call's signal is aborted; no output, no event. */
  dispose(): void {
    if (this.ended) return;
    this.ended = true;
    for (const call of this.order) if (!call.finished) this.abandon(call, 'ERR_CONVERSATION_ENDED', 'the conversation ended');
    this.stats.pendingToolCalls = 0;
  }

  // ---- internals ----------------------------------------------------------------------------------

  private admit(call: CallState): void {
    const { report, spec } = call;
    if (!report.complete) {
      this.answer(call, toolErrorOutput(toolMessages.cutOff(report.name)), 'cancelled');
      return;
    }
    if (spec === undefined) {
      this.answer(call, toolErrorOutput(toolMessages.unknownTool(report.name)), 'unknown_tool');
      return;
    }
    const parsed = parseArguments(report.arguments);
    if (parsed === undefined) {
      this.answer(call, toolErrorOutput(toolMessages.notJson(report.name)), 'invalid_arguments');
      return;
    }
    if (!isJsonObject(parsed.value)) {
      this.answer(call, toolErrorOutput(toolMessages.notObject(report.name, jsonKind(parsed.value))), 'invalid_arguments');
      return;
    }
    if (spec.behavior === 'background') {
      call.answered = 'background';
      const started = this.host.settings.backgroundStartedOutput;
      const answer: ToolAnswer = { callId: report.callId, name: report.name, output: started, error: false, started: true };
      this.host.enqueue({ kind: 'answer', answer, generation: this.generation }).catch(() => undefined);
    }
    call.timer = this.host.clock.setTimer(call.timeoutMs, () => this.timedOut(call));
    const tool = spec.tool;
    if (tool === undefined) return; // a declared tool: the application answers with sendToolOutput
    queueMicrotask(() => {
      if (call.controller.signal.aborted) return;
      const context: ToolCall = {
        callId: report.callId,
        name: report.name,
        arguments: report.arguments,
        ...(report.itemId === undefined ? {} : { itemId: report.itemId }),
        ...(report.responseId === undefined ? {} : { responseId: report.responseId }),
        signal: call.controller.signal,
        logger: this.host.logger,
      };
      let result: unknown;
      try {
        // A fresh object per call: the tool may change it.
        result = tool.execute(parseArguments(report.arguments)?.value as JsonObject, context);
      } catch (error) {
        this.settled(call, { ok: false, error });
        return;
      }
      Promise.resolve(result).then(
        (value) => this.settled(call, { ok: true, value }),
        (error: unknown) => this.settled(call, { ok: false, error }),
      );
    });
  }

  private settled(call: CallState, outcome: { ok: true; value: unknown } | { ok: false; error: unknown }): void {
    const background = call.spec?.behavior === 'background';
    const late = call.finished || (background ? call.resultReady : call.answered !== undefined);
    const name = call.report.name;
    if (late) {
      this.stats.lateToolResults += 1;
      this.host.logger.debug('a tool result came after its call was answered; it is dropped', { callId: call.report.callId, name });
      return;
    }
    let output: string;
    let reason: ToolErrorReason | undefined;
    if (outcome.ok) {
      const text = encodeToolValue(outcome.value);
      if (text === undefined) {
        this.host.logger.warn('a tool result could not be converted to JSON', { callId: call.report.callId, name });
        output = toolErrorOutput(toolMessages.notConvertible(name));
        reason = 'failed';
      } else {
        output = text;
      }
    } else {
      this.host.logger.warn('a tool failed', { callId: call.report.callId, name, error: describe(outcome.error) });
      output = toolErrorOutput(toolMessages.failed(name, thrownDetail(outcome.error)));
      reason = 'failed';
    }
    if (background) this.backgroundResult(call, output, reason);
    else this.answer(call, output, reason);
  }

  private timedOut(call: CallState): void {
    call.timer = undefined;
    if (call.finished) return;
    const message = toolMessages.timeout(call.report.name, call.timeoutMs);
    if (call.spec?.behavior === 'background') {
      if (call.resultReady) return;
      this.abort(call, 'ERR_TOOL_TIMEOUT', message);
      this.backgroundResult(call, toolErrorOutput(message), 'timeout');
      return;
    }
    if (call.answered !== undefined) return;
    this.abort(call, 'ERR_TOOL_TIMEOUT', message);
    this.answer(call, toolErrorOutput(message), 'timeout');
  }

  /** Marks the call answered at once (so nothing else can answer it) and queues the answer. */
  private answer(call: CallState, output: string, reason: ToolErrorReason | undefined): Promise<void> {
    call.answered = reason ?? 'output';
    this.stopTimer(call);
    const answer: ToolAnswer = { callId: call.report.callId, name: call.report.name, output, error: reason !== undefined, started: false };
    if (reason !== undefined) answer.reason = reason;
    const queued = this.host.enqueue({ kind: 'answer', answer, generation: this.generation });
    queued.catch(() => undefined); // the conversation ended: nothing to answer any more
    return queued;
  }

  private backgroundResult(call: CallState, output: string, reason: ToolErrorReason | undefined): void {
    call.resultReady = true;
    this.stopTimer(call);
    const result: BackgroundToolResult = { callId: call.report.callId, name: call.report.name, output, error: reason !== undefined };
    if (reason !== undefined) result.reason = reason;
    void this.host.enqueue({ kind: 'background', result, generation: this.generation }).catch(() => undefined);
  }

  private finish(answer: ToolAnswer | BackgroundToolResult, background: true | undefined): void {
    const call = this.calls.get(answer.callId);
    if (call !== undefined) call.finished = true;
    this.stats.pendingToolCalls = Math.max(0, this.stats.pendingToolCalls - 1);
    if (answer.error) this.stats.toolErrors += 1;
    if (answer.reason === 'timeout') this.stats.toolTimeouts += 1;
    if (answer.reason === 'cancelled') this.stats.cancelledToolCalls += 1;
    const event: ToolResultEvent = {
      type: 'toolResult',
      callId: answer.callId,
      name: answer.name,
      output: answer.output,
      error: answer.error,
    };
    if (answer.reason !== undefined) event.reason = answer.reason;
    if (background) event.background = true;
    this.host.emit(event);
  }

  private abandon(call: CallState, code: ParleyErrorCode, message: string): void {
    if (!call.finished) this.stats.pendingToolCalls = Math.max(0, this.stats.pendingToolCalls - 1);
    call.finished = true;
    if (call.answered === undefined) call.answered = 'output';
    call.resultReady = true;
    this.stopTimer(call);
    this.abort(call, code, message);
  }

  private abort(call: CallState, code: ParleyErrorCode, message: string): void {
    if (!call.controller.signal.aborted) call.controller.abort(new ParleyError(code, message));
  }

  private stopTimer(call: CallState): void {
    call.timer?.cancel();
    call.timer = undefined;
  }
}

/** Parses call arguments: empty or whitespace-only text is `{}`; `undefined` when not valid JSON. */
function parseArguments(text: string): { value: unknown } | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return { value: {} };
  try {
    return { value: JSON.parse(trimmed) as unknown };
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  try {
    return error instanceof Error && typeof error.stack === 'string' ? error.stack : describeError(error);
  } catch {
    return 'unprintable thrown value';
  }
}
