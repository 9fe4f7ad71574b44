import { describeError } from './describe-error.js';
import { ParleyError } from './parley-error.js';
import type { JsonObject } from './frame-fields.js';
import type { RealtimeTool, ToolBehavior, ToolInterruptMode } from './realtime-tool.js';

/** A bound tool as the strategy declares it on the wire (`SessionSettings.boundTools`). */
export interface BoundToolDeclaration {
  name: string;
  description: string;
  parameters: JsonObject;
}

/** A checked tool the runner can answer calls of: bound (with `tool`) or declared (answered by `sendToolOutput`). */
export interface ToolSpec {
  name: string;
  /** The bound tool; `undefined` for a declared tool. */
  tool: RealtimeTool | undefined;
  /** The tool's own timeout, if it set one. */
  timeoutMs: number | undefined;
  behavior: ToolBehavior;
  onInterrupt: ToolInterruptMode;
}

/** The outcome of {@link checkTools}. */
export interface ToolSetup {
  /** Every tool calls can reach, bound first (binding order), then declared (given order). */
  specs: ToolSpec[];
  /** The bound tools as declared on the wire. */
  boundTools: BoundToolDeclaration[];
  /** The start options' `tools`, with the Parley fields of declared tools removed. */
  tools: unknown[];
}

/** The Parley fields of a declared tool, removed before it is sent. */
const PARLEY_FIELDS = new Set(['timeoutMs', 'onInterrupt', 'behavior']);
const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_TIMEOUT_MS = 2147483647;

type Entry = Record<string, unknown>;

function isObject(value: unknown): value is Entry {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for a start-option entry that is a declared tool: `"type":"function"` with a string `name`. */
export function isDeclaredTool(entry: unknown): entry is Entry & { name: string } {
  return isObject(entry) && entry.type === 'function' && typeof entry.name === 'string';
}

function invalid(message: string): ParleyError {
  return new ParleyError('ERR_INVALID_SESSION', message);
}

function validTimeout(value: unknown): boolean {
  return value === undefined || (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_TIMEOUT_MS);
}

function serializeError(value: unknown): string | undefined {
  try {
    JSON.stringify(value);
    return undefined;
  } catch (error) {
    return describeError(error);
  }
}

/**
 * The tool checks of a start (spec 09 §1.3), run after the protocol strategy is resolved and before
 * it validates the session. Throws `ERR_INVALID_SESSION` at the first failure; returns the tools
 * calls can reach and what the strategy declares.
 *
 * @param protocol the strategy's id and whether it declares `supportsTools`.
 * @param bound the bound {@link RealtimeTool}s, binding order.
 * @param entries the start options' `tools`, given order.
 */
export function checkTools(
  protocol: { id: string; supportsTools?: boolean },
  bound: readonly unknown[],
  entries: readonly unknown[],
): ToolSetup {
  const boundWhere = (tool: unknown, index: number): string => {
    const name = isObject(tool) ? tool.name : undefined;
    return typeof name === 'string' ? `RealtimeTool \`${name}\`` : `RealtimeTool #${index}`;
  };
  const entryWhere = (entry: unknown, index: number): string => {
    const name = isObject(entry) ? entry.name : undefined;
    return typeof name === 'string' ? `tools[${index}] (\`${name}\`)` : `tools[${index}]`;
  };

  // 1: the protocol supports tools.
  if ((bound.length > 0 || entries.length > 0) && protocol.supportsTools !== true) {
    const names = [
      ...bound.map((tool, index) => {
        const name = isObject(tool) ? tool.name : undefined;
        return typeof name === 'string' ? name : `RealtimeTool #${index}`;
      }),
      ...entries.map((entry, index) => {
        if (isObject(entry) && typeof entry.name === 'string') return entry.name;
        if (isObject(entry) && typeof entry.server_label === 'string') return entry.server_label;
        return `tools[${index}]`;
      }),
    ];
    throw new ParleyError(
      'ERR_INVALID_SESSION',
      `protocol \`${protocol.id}\` does not support tools; remove the tools (${names.join(', ')}) or use a protocol that does`,
    );
  }

  // 2–9: bound tools, each rule over all of them in binding order.
  const boundRules: [(tool: Entry) => boolean, (where: string) => string][] = [
    [
      (tool) => typeof tool.name === 'string' && NAME.test(tool.name),
      (where) => `${where} has an invalid name; a tool name is 1 to 64 letters, digits, underscores or hyphens`,
    ],
    [(tool) => typeof tool.description === 'string', (where) => `${where} needs a string description`],
    [
      (tool) => isObject(tool.parameters) && tool.parameters.type === 'object',
      (where) => `${where} needs parameters: a JSON Schema object with "type": "object"`,
    ],
    [(tool) => typeof tool.execute === 'function', (where) => `${where} needs an execute function`],
    [
      (tool) => validTimeout(tool.timeoutMs),
      (where) => `${where} has an invalid timeoutMs; use a whole number of milliseconds from 1 to 2147483647`,
    ],
    [
      (tool) => tool.behavior === undefined || tool.behavior === 'blocking' || tool.behavior === 'background',
      (where) => `${where} has an invalid behavior; use "blocking" or "background"`,
    ],
    [
      (tool) => tool.onInterrupt === undefined || tool.onInterrupt === 'keep' || tool.onInterrupt === 'cancel',
      (where) => `${where} has an invalid onInterrupt; use "keep" or "cancel"`,
    ],
    [
      (tool) => !(tool.behavior === 'background' && tool.onInterrupt === 'cancel'),
      (where) => `${where} is a background tool; onInterrupt "cancel" applies only to blocking tools`,
    ],
  ];
  for (const [holds, message] of boundRules) {
    bound.forEach((tool, index) => {
      if (!isObject(tool) || !holds(tool)) throw invalid(message(boundWhere(tool, index)));
    });
  }

  // 10, 11: declared tools, given order.
  entries.forEach((entry, index) => {
    if (!isDeclaredTool(entry)) return;
    const where = entryWhere(entry, index);
    if (!NAME.test(entry.name))
      throw invalid(`${where} has an invalid name; a tool name is 1 to 64 letters, digits, underscores or hyphens`);
    if (!validTimeout(entry.timeoutMs))
      throw invalid(`${where} has an invalid timeoutMs; use a whole number of milliseconds from 1 to 2147483647`);
    if (entry.onInterrupt !== undefined && entry.onInterrupt !== 'keep' && entry.onInterrupt !== 'cancel') {
      throw invalid(`${where} has an invalid onInterrupt; use "keep" or "cancel"`);
    }
  });
  entries.forEach((entry, index) => {
    if (isDeclaredTool(entry) && entry.behavior !== undefined && entry.behavior !== 'blocking') {
      throw invalid(`${entryWhere(entry, index)}: behavior "background" needs an execute function; bind a RealtimeTool instead`);
    }
  });

  // 12: unique names, declaration order (bound, then declared).
  const seen = new Set<string>();
  const names = [...(bound as Entry[]).map((tool) => tool.name as string), ...entries.filter(isDeclaredTool).map((entry) => entry.name)];
  for (const name of names) {
    if (seen.has(name)) throw invalid(`tool name \`${name}\` is used twice; tool names must be unique`);
    seen.add(name);
  }

  // 13: everything that is sent serializes.
  (bound as Entry[]).forEach((tool, index) => {
    const problem = serializeError({ description: tool.description, parameters: tool.parameters });
    if (problem !== undefined) throw invalid(`${boundWhere(tool, index)} cannot be sent: it is not JSON-serializable (${problem})`);
  });
  entries.forEach((entry, index) => {
    const problem = serializeError(entry);
    if (problem !== undefined) throw invalid(`${entryWhere(entry, index)} cannot be sent: it is not JSON-serializable (${problem})`);
  });

  const boundTools = (bound as RealtimeTool[]).map((tool) => ({
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
  }));
  const specs: ToolSpec[] = (bound as RealtimeTool[]).map((tool) => ({
    name: tool.name,
    tool,
    timeoutMs: tool.timeoutMs,
    behavior: tool.behavior ?? 'blocking',
    onInterrupt: tool.onInterrupt ?? 'keep',
  }));
  const tools = entries.map((entry) => {
    if (!isDeclaredTool(entry)) return entry;
    specs.push({
      name: entry.name,
      tool: undefined,
      timeoutMs: entry.timeoutMs as number | undefined,
      behavior: 'blocking',
      onInterrupt: (entry.onInterrupt as ToolInterruptMode | undefined) ?? 'keep',
    });
    // fromEntries defines own properties: a `__proto__` key stays a key, never a prototype.
    return Object.fromEntries(Object.entries(entry).filter(([key]) => !PARLEY_FIELDS.has(key)));
  });
  return { specs, boundTools, tools };
}
