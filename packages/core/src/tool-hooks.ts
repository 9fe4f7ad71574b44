/**
 * The seam between core's tool runner and a protocol strategy (spec 09 §9). A strategy that sets
 * `supportsTools: true` reports every sighting of a finished function call with
 * {@link ToolsHandle.call}, says which calls a barge-in interrupts with {@link ToolsHandle.interrupt},
 * and implements the two `SessionPolicy` hooks `toolOutput` and `backgroundToolResult`, which
 * encode an answer as wire messages. Everything else — echo and duplicate detection, admission,
 * unknown/invalid/cut-off answers, running, timeouts, signals, `sendToolOutput`, the output text,
 * the `toolCall`/`toolResult` events, the counters and late results — is core's.
 */

/** Why a call was answered with an error. */
export type ToolErrorReason = 'unknown_tool' | 'invalid_arguments' | 'failed' | 'timeout' | 'cancelled';

/** One server frame reporting a finished function call (a sighting). */
export interface ToolCallReport {
  callId: string;
  /** The tool's name (`""` when the server gave none: it is answered as an unknown tool). */
  name: string;
  /** The raw arguments text. */
  arguments: string;
  itemId?: string;
  responseId?: string;
  /** False when the server cut the call off (V2: item status `incomplete`): it is answered as cancelled, never run. */
  complete: boolean;
}

/** What {@link ToolsHandle.call} made of a sighting. */
export type ToolCallAdmission = 'new' | 'echo' | 'duplicate';

/** The tool runner, as a policy sees it (`PolicyHandle.tools`). Both methods are synchronous. */
export interface ToolsHandle {
  /**
   * Reports a sighting. `new`: the call was admitted (`toolCall` emitted; it will be answered
   * exactly once through the `toolOutput` hook). `echo`: the same item seen again. `duplicate`:
   * another item claiming an admitted call id (ignored, counted, logged).
   */
  call(report: ToolCallReport): ToolCallAdmission;
  /**
   * The user interrupted this call: a blocking call with `onInterrupt: 'cancel'` that is not
   * answered yet is cancelled (its signal aborted, answered at once with reason `cancelled`);
   * anything else is left alone.
   */
  interrupt(callId: string): void;
}

/** A call's one answer, handed to the policy's `toolOutput` hook to encode and send. */
export interface ToolAnswer {
  callId: string;
  name: string;
  /** The output text to send (spec 09 §3.2). */
  output: string;
  error: boolean;
  /** Only when `error`. */
  reason?: ToolErrorReason;
  /** True for a background call's immediate "started" answer (its result comes later). */
  started: boolean;
}

/** A background call's result, handed to the policy's `backgroundToolResult` hook. */
export interface BackgroundToolResult {
  callId: string;
  name: string;
  output: string;
  error: boolean;
  reason?: ToolErrorReason;
}
