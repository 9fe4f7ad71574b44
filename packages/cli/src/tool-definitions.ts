import { readFileSync } from 'node:fs';
import { checkTools, isParleyError, type JsonObject } from '@parley/core';
import type { CommandToolDefinition } from './command-tool.js';
import { UsageError } from './usage-error.js';

/** The keys a definition of a `--tools` file may have (spec 09 §13.2); any other is a usage error. */
export const TOOL_DEFINITION_KEYS = ['name', 'description', 'parameters', 'behavior', 'onInterrupt', 'timeoutMs', 'command'] as const;

/** One definition before its checks: the values as given, and where it came from. */
interface RawDefinition {
  values: Record<string, unknown>;
  /** How the command line names it in a message: `--tools <file>: tool …` or `--tool …`. */
  where: string;
  /** Its command, from `--tool` (wins) or the file's `command`. */
  command: string | undefined;
}

function readProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a folder';
  return error instanceof Error ? error.message : String(error);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Splits `--tool` values into name → command (command-line order); malformed or repeated names are usage errors. */
function parseToolFlags(values: readonly string[]): Map<string, string> {
  const commands = new Map<string, string>();
  for (const value of values) {
    const equals = value.indexOf('=');
    const name = equals < 0 ? '' : value.slice(0, equals);
    const command = equals < 0 ? '' : value.slice(equals + 1);
    if (name === '' || command.trim() === '') throw new UsageError(`--tool expects <name>=<command>, got ${value}`);
    if (commands.has(name)) throw new UsageError(`--tool \`${name}\` is given twice`);
    commands.set(name, command);
  }
  return commands;
}

/** Reads a `--tools` file: a JSON array of definition objects with known keys only. */
function readToolsFile(file: string): RawDefinition[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--tools ${file}: cannot be read (${readProblem(error)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--tools ${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const shape = `{${TOOL_DEFINITION_KEYS.map((key) => `"${key}"`).join(', ')}}`;
  if (!Array.isArray(value)) throw new UsageError(`--tools ${file}: a tools file holds a JSON array of tool definitions ${shape}`);
  return value.map((entry: unknown, index) => {
    if (!isObject(entry)) throw new UsageError(`--tools ${file}: tool #${index} is not a JSON object; a tool definition is ${shape}`);
    const where = `--tools ${file}: ${typeof entry.name === 'string' ? `tool \`${entry.name}\`` : `tool #${index}`}`;
    for (const key of Object.keys(entry)) {
      if (!(TOOL_DEFINITION_KEYS as readonly string[]).includes(key)) {
        throw new UsageError(
          `${where} has an unknown key \`${key}\`; a tool definition has only the keys ${TOOL_DEFINITION_KEYS.join(', ')}`,
        );
      }
    }
    if (entry.command !== undefined && (typeof entry.command !== 'string' || entry.command.trim() === '')) {
      throw new UsageError(`${where} has an invalid command; use a non-empty string (a shell command line)`);
    }
    return { values: entry, where, command: entry.command as string | undefined };
  });
}

/**
 * Rewrites a tool check's message (spec 09 §1.3, which names a bound tool ``RealtimeTool `<name>` ``
 * or `RealtimeTool #<i>`) in the command line's words: the flag or file that defined the tool.
 * Returns undefined when the message names none of `definitions`.
 */
export function toolProblemInCliWords(message: string, definitions: readonly { name: unknown; where: string }[]): string | undefined {
  for (const [index, definition] of definitions.entries()) {
    const where = typeof definition.name === 'string' ? `RealtimeTool \`${definition.name}\`` : `RealtimeTool #${index}`;
    const rest = message.slice(where.length);
    if (message.startsWith(where) && (rest.startsWith(' ') || rest.startsWith(':'))) return `${definition.where}${rest}`;
  }
  return undefined;
}

/**
 * The tool definitions of `parley connect` (spec 09 §13.2): the `--tools` file's definitions (file
 * order), then each `--tool` whose name the file does not define (command-line order), with
 * description `""` and parameters `{"type":"object","properties":{}}`. A definition's command comes
 * from `--tool <name>=<command>`, else its `command` field. Everything is checked before connecting;
 * each problem is a {@link UsageError} naming the flag or the file:
 * - `--tool expects <name>=<command>, got <value>`; ``--tool `<name>` is given twice``;
 * - the file cannot be read, is not JSON, not an array of objects, or a definition has an unknown
 *   key or a command that is not a non-empty string;
 * - the definitions fail spec 09 §1.3 rules 2–13 (the core's checks, in their words, with the tool
 *   named as ``--tools <file>: tool `<name>` `` or ``--tool `<name>` ``);
 * - ``tool `<name>` has no command: add --tool <name>=<command> or a "command" field``.
 */
export function loadToolDefinitions(toolFlags: readonly string[], toolsFile: string | undefined): CommandToolDefinition[] {
  const commands = parseToolFlags(toolFlags);
  const raw = toolsFile === undefined ? [] : readToolsFile(toolsFile);
  const named = new Set<string>();
  for (const definition of raw) {
    const name = definition.values.name;
    if (typeof name !== 'string') continue;
    named.add(name);
    const command = commands.get(name);
    if (command !== undefined) definition.command = command;
  }
  for (const [name, command] of commands) {
    if (!named.has(name)) raw.push({ values: { name }, where: `--tool \`${name}\``, command });
  }

  // Spec 09 §1.3 rules 2–13, as the core runs them at start, on the definitions as given.
  const candidates = raw.map(({ values }) => ({
    ...values,
    description: 'description' in values ? values.description : '',
    parameters: 'parameters' in values ? values.parameters : { type: 'object', properties: {} },
    execute: () => undefined,
  }));
  try {
    checkTools({ id: 'cli', supportsTools: true }, candidates, []);
  } catch (error) {
    if (!isParleyError(error, 'ERR_INVALID_SESSION')) throw error;
    const located = toolProblemInCliWords(
      error.message,
      raw.map((definition) => ({ name: definition.values.name, where: definition.where })),
    );
    throw new UsageError(located ?? (toolsFile === undefined ? error.message : `--tools ${toolsFile}: ${error.message}`));
  }

  return raw.map(({ values, command }, index) => {
    const name = values.name as string;
    if (command === undefined) throw new UsageError(`tool \`${name}\` has no command: add --tool ${name}=<command> or a "command" field`);
    const candidate = candidates[index] as Record<string, unknown>;
    const definition: CommandToolDefinition = {
      name,
      description: candidate.description as string,
      parameters: candidate.parameters as JsonObject,
      command,
    };
    if (values.timeoutMs !== undefined) definition.timeoutMs = values.timeoutMs as number;
    if (values.behavior !== undefined) definition.behavior = values.behavior as CommandToolDefinition['behavior'];
    if (values.onInterrupt !== undefined) definition.onInterrupt = values.onInterrupt as CommandToolDefinition['onInterrupt'];
    return definition;
  });
}
