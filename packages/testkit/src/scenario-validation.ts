import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Scenario } from './scenario.js';
import { SCENARIO_EXPECT_PARTS, SCENARIO_STEP_KINDS, scenarioSchema } from './scenario-schema.js';

/** A scenario that does not match {@link scenarioSchema}: `problems` name the path of each. */
export class InvalidScenarioError extends Error {
  /** One line per problem, `steps[3].at: must be a number`. */
  readonly problems: readonly string[];

  constructor(problems: string[], source?: string) {
    const where = source === undefined ? 'not a valid scenario' : `${source}: not a valid scenario`;
    super(`${where}:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'InvalidScenarioError';
    this.problems = problems;
  }
}

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  // allErrors: every problem at once; strict off for the schema's descriptions on subschemas.
  compiled ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(scenarioSchema);
  return compiled;
}

/** `/steps/3/at` → `steps[3].at`; the root is `scenario`. */
export function scenarioPath(pointer: string): string {
  if (pointer === '') return 'scenario';
  let path = '';
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(key)) path += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) path += path === '' ? key : `.${key}`;
    else path += `[${JSON.stringify(key)}]`;
  }
  return path;
}

const article: Record<string, string> = {
  number: 'a number',
  integer: 'a whole number',
  string: 'a string',
  object: 'an object',
  array: 'an array',
  boolean: 'true or false',
};

function explain(error: ErrorObject): { path: string; message: string } | undefined {
  const path = scenarioPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'if':
      return undefined; // the failing "then" says what is wrong
    case 'type': {
      const type = String(params.type);
      return { path, message: `must be ${article[type] ?? type}` };
    }
    case 'required': {
      const missing = String(params.missingProperty);
      return { path: path === 'scenario' ? missing : `${path}.${missing}`, message: 'is required' };
    }
    case 'enum':
      return { path, message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'const':
      return { path, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'oneOf':
    case 'anyOf': {
      const schema = error.parentSchema as { description?: string } | undefined;
      if (schema?.description?.startsWith('a step does one thing')) {
        const data = error.data as Record<string, unknown>;
        const kinds = SCENARIO_STEP_KINDS.filter((kind) => Object.prototype.hasOwnProperty.call(data, kind));
        return kinds.length === 0
          ? { path, message: `has no kind: give one of ${SCENARIO_STEP_KINDS.join(', ')}` }
          : { path, message: `has ${kinds.join(' and ')}: a step does exactly one thing` };
      }
      return { path, message: schema?.description ?? error.message ?? error.keyword };
    }
    case 'minLength':
      return { path, message: params.limit === 1 ? 'must not be empty' : (error.message ?? error.keyword) };
    case 'pattern':
      return { path, message: path.endsWith('serverBinary') ? 'must be base64' : `must match ${String(params.pattern)}` };
    default:
      return { path, message: error.message ?? error.keyword };
  }
}

/**
 * Checks a parsed scenario file against {@link scenarioSchema}. Returns one line per problem,
 * each naming its path (`steps[3].at: must be a number`), or `[]` when the scenario is valid.
 */
export function validateScenario(value: unknown): string[] {
  const validate = validator();
  if (validate(value)) return [];
  const problems: string[] = [];
  for (const error of validate.errors ?? []) {
    // Inside a failing oneOf/anyOf every branch reports too; its own line says it better.
    if (/\/(oneOf|anyOf)\/\d+\//.test(error.schemaPath)) continue;
    const described = explain(error);
    if (described === undefined) continue;
    const line = `${described.path}: ${described.message}`;
    if (!problems.includes(line)) problems.push(line);
  }
  return problems;
}

/** Returns `value` as a {@link Scenario}, or throws an {@link InvalidScenarioError} naming every problem. */
export function parseScenario(value: unknown, source?: string): Scenario {
  const problems = validateScenario(value);
  if (problems.length > 0) throw new InvalidScenarioError(problems, source);
  return value as Scenario;
}

/**
 * The parts of the scenario's `expect` that `--check` compares (spec 05, 08, 09). Empty when there
 * is nothing to check: no `expect`, or one with none of those parts.
 */
export function expectedParts(scenario: Scenario): string[] {
  const expect = scenario.expect;
  if (expect === undefined) return [];
  return SCENARIO_EXPECT_PARTS.filter((part) => expect[part] !== undefined);
}
