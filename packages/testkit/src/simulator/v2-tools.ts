import { asRecord } from './simulator-dialect.js';
import { HANDOFF_TOOL_NAME } from './v2-events.js';

/** A function call the simulated model decided to make. */
export interface V2ToolCall {
  name: string;
  /** The `arguments` JSON text. */
  arguments: string;
}

/** Whether `tools` declares a function tool called `name`. */
export function declaresFunction(tools: readonly unknown[], name: string): boolean {
  return tools.some((tool) => asRecord(tool)?.['type'] === 'function' && asRecord(tool)?.['name'] === name);
}

/** Whether `toolChoice` lets the model call the function `name` (`auto`, `required`, or that function). */
export function allowsFunction(toolChoice: unknown, name: string): boolean {
  if (toolChoice === undefined || toolChoice === 'auto' || toolChoice === 'required') return true;
  const choice = asRecord(toolChoice);
  return choice?.['type'] === 'function' && choice['name'] === name;
}

/** Whether `toolChoice` forces a function call (`required`, or a named function). */
export function forcesCall(toolChoice: unknown): boolean {
  return toolChoice === 'required' || asRecord(toolChoice)?.['type'] === 'function';
}

/**
 * Which tool, if any, the demo model calls for a user request, as a model bound by the session's
 * tools would: the handoff tool (`background_agent`, `{"prompt": request}`) only when it is declared
 * and `tool_choice` allows it, for a request that asks for it ("agent" / "look up") or when
 * `tool_choice` forces it. Undefined: the model answers in speech. (User tools are spec 09's, added
 * by the tools work: this is the seam.)
 */
export function chooseToolCall(
  request: { text: string; wantsHandoff: boolean },
  tools: readonly unknown[],
  toolChoice: unknown,
): V2ToolCall | undefined {
  if (toolChoice === 'none') return undefined;
  const handoff = declaresFunction(tools, HANDOFF_TOOL_NAME) && allowsFunction(toolChoice, HANDOFF_TOOL_NAME);
  if (handoff && (request.wantsHandoff || forcesCall(toolChoice))) {
    return { name: HANDOFF_TOOL_NAME, arguments: JSON.stringify({ prompt: request.text }) };
  }
  return undefined;
}
