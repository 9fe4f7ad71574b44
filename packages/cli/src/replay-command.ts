import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { checkTrace, formatTrace, runScenario, type Scenario } from '@parley/testkit';
import { protocolModules } from './protocol-modules.js';

/** Where output goes (stdout/stderr in the command, buffers in tests). */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** Reads and parses a scenario file; throws with the file name on bad JSON. */
export function readScenario(file: string): Scenario {
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as Scenario;
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

/** Expands files and folders (recursively) into the scenario files (`*.json`), sorted per folder. */
export function scenarioFiles(paths: string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    if (statSync(path).isDirectory()) {
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

/** `parley replay <scenario> [--trace <file>]`: writes the trace as JSON Lines. Returns the exit code. */
export async function replayOne(file: string, traceFile: string | undefined, output: Output): Promise<number> {
  const scenario = readScenario(file);
  const trace = await runScenario(scenario, { modules: [...protocolModules] });
  const text = formatTrace(trace);
  if (traceFile === undefined) output.out(text);
  else {
    mkdirSync(dirname(traceFile), { recursive: true });
    writeFileSync(traceFile, text);
  }
  return 0;
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
