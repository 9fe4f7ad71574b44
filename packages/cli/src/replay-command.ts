import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { checkTrace, expectedParts, formatTrace, parseScenario, runScenario, SCENARIO_EXPECT_PARTS, type Scenario } from '@parley/testkit';
import { protocolModules } from './protocol-modules.js';

/** Where output goes (stdout/stderr in the command, buffers in tests). */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/**
 * Reads, parses and validates a scenario file (the JSON Schema of spec 05, 08 and 09); throws with
 * the file name: unreadable, not JSON, or every schema problem with its path (`steps[3].at: must be
 * a number`).
 */
export function readScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a scenario file' : String(code ?? error);
    throw new Error(`${file}: ${why}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  return parseScenario(value, file);
}

/** Expands files and folders (recursively) into the scenario files (`*.json`), sorted per folder. */
export function scenarioFiles(paths: string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    if (isFolder(path)) {
      const entries = readdirSync(path).sort();
      files.push(
        ...scenarioFiles(
          entries.map((entry) => join(path, entry)).filter((entry) => statSync(entry).isDirectory() || entry.endsWith('.json')),
        ),
      );
    } else {
      files.push(path);
    }
  }
  return files;
}

/**
 * `parley replay <scenario> [--trace <file>]`: writes the trace as JSON Lines. Returns the exit
 * code: 2 (with the reason on stderr) when the file is a folder, unreadable, or not a valid scenario.
 */
export async function replayOne(file: string, traceFile: string | undefined, output: Output): Promise<number> {
  if (isFolder(file)) {
    output.err(`error: ${file} is a folder: name one scenario file, or use --check to check every scenario in it\n`);
    return 2;
  }
  let scenario: Scenario;
  try {
    scenario = readScenario(file);
  } catch (error) {
    output.err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const trace = await runScenario(scenario, { modules: [...protocolModules] });
  const text = formatTrace(trace);
  if (traceFile === undefined) output.out(text);
  else {
    mkdirSync(dirname(traceFile), { recursive: true });
    writeFileSync(traceFile, text);
  }
  return 0;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Result counts of a check. */
export interface CheckResult {
  passed: number;
  failed: number;
}

/**
 * `parley replay --check <files or folders>`: replays each scenario and compares its trace with
 * `expect`, printing a readable diff for each mismatch. Exit code 1 when any scenario fails.
 */
export async function checkScenarios(paths: string[], output: Output): Promise<CheckResult> {
  const result: CheckResult = { passed: 0, failed: 0 };
  for (const file of scenarioFiles(paths)) {
    let label = basename(file);
    try {
      const scenario = readScenario(file);
      label = `${basename(file)}${scenario.name ? ` — ${scenario.name}` : ''}`;
      if (expectedParts(scenario).length === 0) {
        result.failed += 1;
        output.out(`  FAIL  ${label}\n        nothing to check: give "expect" one of ${SCENARIO_EXPECT_PARTS.join(', ')}\n`);
        continue;
      }
      const trace = await runScenario(scenario, { modules: [...protocolModules] });
      const mismatches = checkTrace(trace, scenario.expect);
      if (mismatches.length === 0) {
        result.passed += 1;
        output.out(`  ok    ${label}\n`);
      } else {
        result.failed += 1;
        output.out(`  FAIL  ${label}\n`);
        for (const mismatch of mismatches) output.out(`        [${mismatch.part}] ${mismatch.message}\n`);
      }
    } catch (error) {
      result.failed += 1;
      output.out(`  FAIL  ${label}\n        ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  output.out(`scenarios: ${result.passed} passed, ${result.failed} failed\n`);
  return result;
}
