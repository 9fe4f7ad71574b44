import type { Clock, JsonObject, RealtimeTool, ToolBehavior, ToolInterruptMode } from '@parley/core';

/** One action of a scripted tool reply (spec 09 §12). */
export type ToolReplyAction = { afterMs: number; output: unknown } | { afterMs: number; error: string } | { afterMs: number; never: true };

/** A scenario's tool (spec 09 §12): scripted (with `replies`) or declared (answered by `toolOutput` steps). */
export interface ScenarioTool {
  name: string;
  description?: string;
  parameters?: JsonObject;
  behavior?: ToolBehavior;
  onInterrupt?: ToolInterruptMode;
  timeoutMs?: number;
  replies?: ToolReplyAction[][];
}

/**
 * The scenario runner's bound tool: its k-th execution plays the k-th reply list on the virtual
 * clock, each action `afterMs` after the previous (the first after `execute` was invoked):
 * `output` fulfils with the value, `error` rejects with `new Error(message)`, `never` never settles;
 * the first settling action ends the list. An execution with no list left never settles. It
 * ignores its signal, so a result after a timeout or a cancellation is late (and counted).
 */
export class ScriptedTool implements RealtimeTool {
  readonly name: string;
  readonly description: string;
  readonly parameters: JsonObject;
  readonly timeoutMs?: number;
  readonly behavior?: ToolBehavior;
  readonly onInterrupt?: ToolInterruptMode;
  private executions = 0;

  constructor(
    definition: ScenarioTool,
    private readonly clock: Clock,
  ) {
    this.name = definition.name;
    this.description = definition.description ?? '';
    this.parameters = definition.parameters ?? { type: 'object', properties: {} };
    if (definition.timeoutMs !== undefined) this.timeoutMs = definition.timeoutMs;
    if (definition.behavior !== undefined) this.behavior = definition.behavior;
    if (definition.onInterrupt !== undefined) this.onInterrupt = definition.onInterrupt;
    this.replies = definition.replies ?? [];
  }

  private readonly replies: ToolReplyAction[][];

  execute(): Promise<unknown> {
    const actions = this.replies[this.executions] ?? [];
    this.executions += 1;
    return new Promise((resolve, reject) => {
      const play = (index: number): void => {
        const action = actions[index];
        if (action === undefined) return;
        this.clock.setTimer(action.afterMs, () => {
          if ('never' in action) return;
          if ('error' in action) reject(new Error(action.error));
          else if ('output' in action) resolve(action.output);
          else play(index + 1);
        });
      };
      play(0);
    });
  }
}

/** A scenario tool without `replies`, as a start-options entry (declared tool, Parley fields kept). */
export function declaredScenarioTool(definition: ScenarioTool): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    type: 'function',
    name: definition.name,
    description: definition.description ?? '',
    parameters: definition.parameters ?? { type: 'object', properties: {} },
  };
  if (definition.timeoutMs !== undefined) entry.timeoutMs = definition.timeoutMs;
  if (definition.onInterrupt !== undefined) entry.onInterrupt = definition.onInterrupt;
  if (definition.behavior !== undefined) entry.behavior = definition.behavior;
  return entry;
}
