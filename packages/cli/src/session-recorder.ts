import { writeFileSync } from 'node:fs';
import type {
  Delegation,
  DelegationTurn,
  HandoffDelegate,
  JsonObject,
  RealtimeTool,
  SessionSettings,
  StartOptions,
  ToolCall,
} from '@parley/core';
import type { Scenario, ScenarioStep, ScenarioTool, ToolReplyAction } from '@parley/testkit';

/** Records how one execution of a recorded tool ended (the first call counts). */
export interface ToolExecutionRecorder {
  /** It settled with this result (`output`) or failure message (`error`), now. */
  settled(outcome: { output: unknown } | { error: string }): void;
  /** Its call was answered otherwise first (timeout, cancel, the end): a replay never settles it. */
  never(): void;
}

/** One tool of a recording: its definition and, per execution, how it settled (undefined: not yet). */
interface RecordedTool {
  definition: ScenarioTool;
  executions: (ToolReplyAction | undefined)[];
}

/**
 * Records a live session as a scenario file (spec 05) for `parley replay`: server frames with their
 * times, the application's inputs, and the client messages seen on the wire as `expect.wire`, so a
 * replay checks that Parley sends exactly what it sent live. Never records the API key or headers.
 * Time 0 is when `session.update` was sent.
 */
export class SessionRecorder {
  private origin: number | undefined;
  private readonly steps: ScenarioStep[] = [];
  private readonly wire: unknown[] = [];
  private readonly tools: RecordedTool[] = [];
  /** When the last server frame arrived (recording time). */
  private lastFrameAt: number | undefined;
  /** When the last tool execution settled (recording time). */
  private lastToolSettledAt: number | undefined;
  private changed = false;

  constructor(
    private readonly now: () => number,
    private readonly protocol: string,
    private readonly config: Record<string, unknown>,
    private readonly session: StartOptions,
  ) {}

  /** A client frame was sent. */
  sent(text: string): void {
    if (this.origin === undefined) this.origin = this.now();
    this.wire.push(JSON.parse(text) as unknown);
    this.changed = true;
  }

  /** A server text frame arrived. */
  received(text: string): void {
    this.lastFrameAt = this.time();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (value !== undefined && typeof value === 'object' && value !== null && !Array.isArray(value))
      this.steps.push({ at: this.at(), server: value });
    else this.steps.push({ at: this.at(), serverText: text });
  }

  /** The server closed. */
  closed(code: number, reason: string): void {
    this.steps.push({ at: this.at(), serverClose: { code, reason } });
  }

  /** An application input. */
  input(step: Omit<ScenarioStep, 'at'>): void {
    this.steps.push({ at: this.at(), ...step } as ScenarioStep);
  }

  /**
   * A tool the session binds (spec 09 §12): recorded as a scenario tool whose `replies` are what
   * happened, one list per execution. Returns the function to call when `execute` is invoked; it
   * returns the execution's recorder: `settled` with its output or error, or `never` when the call
   * was answered otherwise first. Times are on this recording's timeline, so a replay settles the
   * execution exactly where the session did: `afterMs` counts from the last server frame before the
   * invocation (the frame that admitted the call, where a replay invokes it) to the settlement, and
   * settlements of all tools are kept in their live order (one that would land on the same
   * millisecond as an earlier one is put 1 ms later, since a replay settles ties in invocation order).
   */
  tool(definition: ScenarioTool): () => ToolExecutionRecorder {
    const recorded: RecordedTool = { definition, executions: [] };
    this.tools.push(recorded);
    this.changed = true;
    return () => {
      const index = recorded.executions.push(undefined) - 1;
      const from = this.lastFrameAt ?? this.time();
      this.changed = true;
      const reply = (action: ToolReplyAction): void => {
        if (recorded.executions[index] !== undefined) return;
        recorded.executions[index] = action;
        this.changed = true;
      };
      return {
        settled: (outcome) => {
          if (recorded.executions[index] !== undefined) return;
          let at = Math.max(this.time(), from);
          if (this.lastToolSettledAt !== undefined && at <= this.lastToolSettledAt) at = this.lastToolSettledAt + 1;
          this.lastToolSettledAt = at;
          reply({ afterMs: at - from, ...outcome } as ToolReplyAction);
        },
        never: () => reply({ afterMs: 0, never: true }),
      };
    };
  }

  /** The scenario as recorded so far. */
  scenario(name: string): Scenario {
    const session: StartOptions = {};
    for (const key of [
      'instructions',
      'voice',
      'model',
      'outputModality',
      'mode',
      'sessionId',
      'tools',
    ] as const satisfies readonly (keyof SessionSettings)[]) {
      const value = this.session[key];
      if (value !== undefined) (session as Record<string, unknown>)[key] = value;
    }
    const last = this.steps[this.steps.length - 1];
    // An execution still running never settled as far as this recording knows.
    const tools = this.tools.map(({ definition, executions }) => ({
      ...definition,
      replies: executions.map((action) => [action ?? { afterMs: 0, never: true as const }]),
    }));
    return {
      name,
      protocol: this.protocol,
      config: this.config,
      session,
      ...(tools.length > 0 ? { tools } : {}),
      steps: this.steps,
      endAt: last?.at ?? 0,
      expect: { wire: this.wire },
    };
  }

  /** Writes the scenario as JSON. */
  write(path: string, name: string): void {
    this.changed = false;
    writeFileSync(path, JSON.stringify(this.scenario(name), null, 2) + '\n');
  }

  /**
   * Keeps `path` up to date while the session runs: the scenario so far is written every
   * `intervalMs` when something changed, so an interrupted session keeps what was recorded. Returns
   * a function that stops the autosave and writes the final scenario.
   */
  autosave(path: string, name: string, intervalMs = 500): () => void {
    this.write(path, name);
    const timer = setInterval(() => {
      if (!this.changed) return;
      try {
        this.write(path, name);
      } catch {
        // reported by the final write
      }
    }, intervalMs);
    timer.unref();
    return () => {
      clearInterval(timer);
      this.write(path, name);
    };
  }

  private at(): number {
    this.changed = true;
    return this.time();
  }

  /** Now, in ms since the recording's time 0 (rounded; 0 before it). */
  private time(): number {
    if (this.origin === undefined) return 0;
    return Math.max(0, Math.round(this.now() - this.origin));
  }
}

/**
 * Wraps a delegate so a recording holds what it answered, as the application's `assistantOutput`
 * and `finishTurn` steps: the replay (which binds no delegate) then sends exactly the same messages.
 */
export function recordingDelegate(inner: HandoffDelegate, recorder: SessionRecorder): HandoffDelegate {
  return {
    delegate(delegation: Delegation, turn: DelegationTurn): Promise<void> | void {
      let finished = false;
      const recorded: DelegationTurn = {
        output: (text) => {
          if (!finished && !turn.signal.aborted) recorder.input({ client: 'assistantOutput', text });
          return turn.output(text);
        },
        finish: () => {
          if (!finished && !turn.signal.aborted) recorder.input({ client: 'finishTurn' });
          finished = true;
          return turn.finish();
        },
        onSteering: (listener) => turn.onSteering(listener),
        signal: turn.signal,
      };
      const result = inner.delegate(delegation, recorded);
      // The core finishes the turn when the promise settles; record that finish too.
      return Promise.resolve(result).then(
        () => recorded.finish(),
        async (error: unknown) => {
          await recorded.output(`The background agent failed: ${error instanceof Error ? error.message : String(error)}`);
          await recorded.finish();
        },
      );
    },
  };
}

/**
 * Wraps a bound tool so a recording holds it as a scenario tool (spec 09 §12) whose `replies` are
 * what each execution did: `{"afterMs":<ms from the frame that admitted the call to the settlement>,"output":"<result>"}`,
 * `{"afterMs":…,"error":"<message>"}`, or `{"afterMs":0,"never":true}` when the call was answered
 * otherwise first (its signal aborted: timeout, cancel, the end). Replaying the recording then
 * sends exactly the same answers at the same times.
 */
export function recordingTool(inner: RealtimeTool, recorder: SessionRecorder): RealtimeTool {
  const fields = {
    name: inner.name,
    description: inner.description,
    parameters: inner.parameters,
    ...(inner.behavior === undefined ? {} : { behavior: inner.behavior }),
    ...(inner.onInterrupt === undefined ? {} : { onInterrupt: inner.onInterrupt }),
    ...(inner.timeoutMs === undefined ? {} : { timeoutMs: inner.timeoutMs }),
  };
  const execution = recorder.tool({ ...fields });
  return {
    ...fields,
    execute(args: JsonObject, call: ToolCall): unknown {
      const recording = execution();
      const never = (): void => recording.never();
      if (call.signal.aborted) never();
      else call.signal.addEventListener('abort', never, { once: true });
      const settled = (outcome: { output: unknown } | { error: string }): void => {
        call.signal.removeEventListener('abort', never);
        if (!call.signal.aborted) recording.settled(outcome);
      };
      const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
      let result: unknown;
      try {
        result = inner.execute(args, call);
      } catch (error) {
        settled({ error: message(error) });
        throw error;
      }
      return Promise.resolve(result).then(
        (value) => {
          settled({ output: value });
          return value;
        },
        (error: unknown) => {
          settled({ error: message(error) });
          throw error;
        },
      );
    },
  };
}
