import { writeFileSync } from 'node:fs';
import type { Delegation, DelegationTurn, HandoffDelegate, SessionSettings, StartOptions } from '@parley/core';
import type { Scenario, ScenarioStep } from '@parley/testkit';

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
    return {
      name,
      protocol: this.protocol,
      config: this.config,
      session,
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
