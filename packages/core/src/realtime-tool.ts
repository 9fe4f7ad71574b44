import type { ServiceIdentifier } from 'inversify';
import type { JsonObject } from './frame-fields.js';
import type { Logger } from './logger.js';

/**
 * One function call of the model, as the second argument of {@link RealtimeTool.execute}. Per-call
 * state belongs here: a tool is shared by every conversation of its manager and may run
 * concurrently.
 */
export interface ToolCall {
  /** The call id the model gave the call (its one output answers this id). */
  readonly callId: string;
  /** The tool's name. */
  readonly name: string;
  /** The raw JSON text the model wrote (`execute` gets it parsed, `""` read as `{}`). */
  readonly arguments: string;
  /** The conversation item of the call, when the server named one. */
  readonly itemId?: string;
  /** The response that carried the call, when known. */
  readonly responseId?: string;
  /**
   * Aborted when Parley no longer waits for this call: its timeout, an interruption with
   * `onInterrupt: 'cancel'`, the application answering it (`sendToolOutput`), the end of the
   * conversation, or a lost connection. `signal.reason` is a `ParleyError` whose `code` says which
   * (`ERR_TOOL_TIMEOUT`, `ERR_TOOL_CANCELLED`, `ERR_TOOL_CALL_ANSWERED`, `ERR_CONVERSATION_ENDED`,
   * `ERR_CONNECTION_LOST`). A result after that is late: dropped and counted.
   */
  readonly signal: AbortSignal;
  /** The conversation's logger. */
  readonly logger: Logger;
}

/** When a tool's call is answered: `blocking` (default) answers with the result; `background` answers at once and speaks the result later. */
export type ToolBehavior = 'blocking' | 'background';

/** What a barge-in does to an unanswered blocking call: `keep` (default) lets it finish; `cancel` answers it as cancelled. */
export type ToolInterruptMode = 'keep' | 'cancel';

/**
 * A function tool that Parley runs itself (spec 09 §1.1). Bind one per tool, multi-bound:
 * `container.bind(RealtimeTool).toConstantValue(tool)` or `.to(MyToolClass)`. The manager takes
 * every binding (binding order) when it is created; a start checks them (spec 09 §1.3) and
 * declares them to the model after the protocol's own tools.
 *
 * Every call the model makes is answered exactly once: with what `execute` returns (a string as
 * is, any other value as JSON), or with an error output when it throws, rejects or times out.
 * Parley does not validate `args` against `parameters`: validate them in `execute` and throw (the
 * message reaches the model).
 */
export interface RealtimeTool {
  /** 1 to 64 letters, digits, underscores or hyphens; unique among the tools of a start. */
  readonly name: string;
  /** What the tool does, for the model (`""` allowed). */
  readonly description: string;
  /** A JSON Schema of the arguments, with `"type": "object"`. */
  readonly parameters: JsonObject;
  /**
   * Runs one call; returns a value or a promise of one. Called as a method (`tool.execute(args,
   * call)`), in a microtask after the `toolCall` event, with a fresh object parsed from the
   * arguments. A synchronous throw counts as a rejection.
   */
  execute(args: JsonObject, call: ToolCall): unknown;
  /**
   * How long a call may take (ms, 1…2147483647). Default `realtime.tools.timeoutMs` (30000) for a
   * blocking tool, `realtime.tools.backgroundTimeoutMs` (600000) for a background one.
   */
  readonly timeoutMs?: number;
  /** `blocking` (default) or `background`. */
  readonly behavior?: ToolBehavior;
  /** `keep` (default) or `cancel`; blocking tools only. */
  readonly onInterrupt?: ToolInterruptMode;
}

/** Service identifier of {@link RealtimeTool} (multi-bound, optional: one binding per tool). */
export const RealtimeTool = Symbol('RealtimeTool') as ServiceIdentifier<RealtimeTool>;
