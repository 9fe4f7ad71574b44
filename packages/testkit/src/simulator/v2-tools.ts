import { AGENT_FINAL_MESSAGE_PREFIX } from './demo-model.js';
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
 * The user's function tools the model may call (spec 09 §13.1 "candidates"): the `function`
 * entries of `tools` with a string name other than `background_agent`, in declaration order (a
 * name declared twice counts once, at its first place).
 */
export function candidateTools(tools: readonly unknown[]): Record<string, unknown>[] {
  const seen = new Set<string>();
  const candidates: Record<string, unknown>[] = [];
  for (const entry of tools) {
    const tool = asRecord(entry);
    const name = tool?.['name'];
    if (tool === undefined || tool['type'] !== 'function' || typeof name !== 'string') continue;
    if (name === HANDOFF_TOOL_NAME || seen.has(name)) continue;
    seen.add(name);
    candidates.push(tool);
  }
  return candidates;
}

/** Lowercase, every character outside `a-z0-9` a space, spaces collapsed, one space each side. */
export function normalizedText(text: string): string {
  return padded(text.toLowerCase().replace(/[^a-z0-9]/g, ' '));
}

/** A tool's phrase: its name lowercased, `_` and `-` read as spaces, collapsed, padded. */
export function toolPhrase(name: string): string {
  return padded(name.toLowerCase().replace(/[_-]/g, ' '));
}

function padded(text: string): string {
  return ` ${text.replace(/\s+/g, ' ').trim()} `;
}

/** Whether the user text names the tool (spec 09 §13.1 "match"). */
export function matchesTool(text: string, name: string): boolean {
  const phrase = toolPhrase(name);
  return phrase.trim().length > 0 && normalizedText(text).includes(phrase);
}

/** A placeholder value of a JSON Schema `type` (`string` "", numbers 0, `boolean` false, …). */
function valueOfType(type: unknown): unknown {
  switch (type) {
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return {};
    case 'null':
      return null;
    default:
      return '';
  }
}

/**
 * The arguments the simulated model writes for a tool (spec 09 §13.1 "arguments"): each name of
 * `parameters.required` (in order) that has an object in `parameters.properties` gets its
 * `examples[0]`, else `default`, else `enum[0]`, else a value of its `type`; other properties are
 * left out; no usable schema gives `{}`.
 */
export function toolArguments(parameters: unknown): Record<string, unknown> {
  const schema = asRecord(parameters);
  const properties = asRecord(schema?.['properties']);
  const required = schema?.['required'];
  const args: Record<string, unknown> = {};
  if (properties === undefined || !Array.isArray(required)) return args;
  for (const name of required) {
    if (typeof name !== 'string') continue;
    const property = asRecord(properties[name]);
    if (property === undefined) continue;
    const examples = property['examples'];
    const choices = property['enum'];
    if (Array.isArray(examples) && examples.length > 0) args[name] = examples[0];
    else if (property['default'] !== undefined) args[name] = property['default'];
    else if (Array.isArray(choices) && choices.length > 0) args[name] = choices[0];
    else args[name] = valueOfType(property['type']);
  }
  return args;
}

/**
 * Which function calls, if any, the demo model makes for a user request, as a model bound by the
 * session's tools would (spec 09 §13.1; nothing when `tool_choice` is `none`):
 * 1. every candidate user tool that `tool_choice` allows and the request names ({@link matchesTool}),
 *    in declaration order, all in one response (parallel calls);
 * 2. else the handoff tool (`background_agent`, `{"prompt": request}`) when it is declared and
 *    allowed, for a request that asks for it ("agent" / "look up") or when `tool_choice` forces a
 *    call;
 * 3. else, when `tool_choice` forces a call (`required`, or a named function), the first allowed
 *    candidate (the named one);
 * 4. else none: the model answers in speech.
 */
export function chooseToolCalls(
  request: { text: string; wantsHandoff: boolean },
  tools: readonly unknown[],
  toolChoice: unknown,
): V2ToolCall[] {
  if (toolChoice === 'none') return [];
  const allowed = candidateTools(tools).filter((tool) => allowsFunction(toolChoice, String(tool['name'])));
  const matching = allowed.filter((tool) => matchesTool(request.text, String(tool['name'])));
  if (matching.length > 0) return matching.map(toolCall);
  const handoff = declaresFunction(tools, HANDOFF_TOOL_NAME) && allowsFunction(toolChoice, HANDOFF_TOOL_NAME);
  if (handoff && (request.wantsHandoff || forcesCall(toolChoice))) {
    return [{ name: HANDOFF_TOOL_NAME, arguments: JSON.stringify({ prompt: request.text }) }];
  }
  const forced = allowed[0];
  return forced !== undefined && forcesCall(toolChoice) ? [toolCall(forced)] : [];
}

function toolCall(tool: Record<string, unknown>): V2ToolCall {
  return { name: String(tool['name']), arguments: JSON.stringify(toolArguments(tool['parameters'])) };
}

/**
 * What the model says for a `function_call_output` (spec 09 §13.1 "speaking"): a handoff result
 * without Parley's final-message prefix; a JSON object whose only key is a string `error` as
 * `Sorry, that did not work: <error>`; any other output as is.
 */
export function outputSpeech(output: string): string {
  if (output.startsWith(AGENT_FINAL_MESSAGE_PREFIX)) return output.slice(AGENT_FINAL_MESSAGE_PREFIX.length);
  const error = errorOnly(output);
  return error === undefined ? output : `Sorry, that did not work: ${error}`;
}

/** What the model says for a `system` message item: the text after its first blank line, else all of it. */
export function systemItemSpeech(text: string): string {
  const cut = text.indexOf('\n\n');
  return cut < 0 ? text : text.slice(cut + 2);
}

function errorOnly(output: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(output);
  } catch {
    return undefined;
  }
  const record = asRecord(value);
  if (record === undefined) return undefined;
  const keys = Object.keys(record);
  return keys.length === 1 && keys[0] === 'error' && typeof record['error'] === 'string' ? record['error'] : undefined;
}
