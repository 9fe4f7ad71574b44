/**
 * The JSON Schema (draft-07) of a scenario file: everything spec 05 defines, with the additions of
 * spec 08 (`handoffId` on `assistantOutput`/`finishTurn` steps, `expect.connect`) and spec 09 §12
 * (`tools`, the `toolOutput` step, `expect.stats`). Unknown keys are allowed everywhere (spec 05:
 * keys a checker does not know are ignored, so other tools can add their own); known keys must have
 * the documented type. `config` is checked by the configuration schema itself when the scenario runs.
 */

const nonNegative = { type: 'number', minimum: 0 } as const;
const positiveInteger = { type: 'integer', minimum: 1 } as const;
const listOfObjects = { type: 'array', items: { type: 'object' } } as const;

/** The step kinds of spec 05 (+ 09's `toolOutput`), by the key that names them. */
export const SCENARIO_STEP_KINDS = ['server', 'serverText', 'serverBinary', 'serverClose', 'client', 'transport'] as const;

/** The values of a step's `client` (spec 05, + 09's `toolOutput`). */
export const SCENARIO_CLIENT_STEPS = [
  'audio',
  'text',
  'assistantOutput',
  'finishTurn',
  'requestResponse',
  'commitInput',
  'clearInput',
  'playback',
  'close',
  'toolOutput',
] as const;

/** The parts of `expect` that spec 05, 08 and 09 define (`--check` compares them). */
export const SCENARIO_EXPECT_PARTS = ['connect', 'wire', 'events', 'delegate', 'errors', 'closed', 'stats'] as const;

function clientStep(kind: string, required: string[]): object {
  return {
    if: { required: ['client'], properties: { client: { const: kind } } },
    then: { required },
  };
}

const delegateAction = {
  type: 'object',
  required: ['afterMs'],
  properties: { afterMs: nonNegative, output: { type: 'string' }, finish: { const: true } },
  anyOf: [{ required: ['output'] }, { required: ['finish'] }],
  description: 'must have output or finish: {"afterMs":…,"output":"…"} or {"afterMs":…,"finish":true}',
} as const;

const toolAction = {
  type: 'object',
  required: ['afterMs'],
  properties: { afterMs: nonNegative, error: { type: 'string' }, never: { const: true } },
  anyOf: [{ required: ['output'] }, { required: ['error'] }, { required: ['never'] }],
  description: 'must have output, error or never: {"afterMs":…,"output":<JSON>}, {"afterMs":…,"error":"…"} or {"afterMs":…,"never":true}',
} as const;

const step = {
  type: 'object',
  required: ['at'],
  properties: {
    at: nonNegative,
    server: { type: 'object' },
    serverText: { type: 'string' },
    serverBinary: { type: 'string', pattern: '^[A-Za-z0-9+/]*={0,2}$' },
    serverClose: { type: 'object', properties: { code: { type: 'integer' }, reason: { type: 'string' } } },
    client: { enum: SCENARIO_CLIENT_STEPS },
    transport: { enum: ['stall', 'unstall'] },
    data: { type: 'string' },
    sampleRate: positiveInteger,
    numChannels: positiveInteger,
    samplesPerChannel: positiveInteger,
    repeat: positiveInteger,
    itemId: { type: 'string' },
    text: { type: 'string' },
    handoffId: { type: 'string' },
    playedMs: nonNegative,
    callId: { type: 'string' },
    error: { type: 'string' },
  },
  oneOf: SCENARIO_STEP_KINDS.map((kind) => ({ required: [kind] })),
  allOf: [
    clientStep('audio', ['data']),
    clientStep('text', ['text']),
    clientStep('assistantOutput', ['text']),
    clientStep('playback', ['itemId', 'playedMs']),
    {
      if: { required: ['client'], properties: { client: { const: 'toolOutput' } } },
      then: {
        required: ['callId'],
        oneOf: [{ required: ['output'] }, { required: ['error'] }],
        description: 'must have either output or error (a toolOutput step)',
      },
    },
  ],
  description: `a step does one thing: exactly one of ${SCENARIO_STEP_KINDS.join(', ')}`,
} as const;

const tool = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    parameters: { type: 'object' },
    behavior: { enum: ['blocking', 'background'] },
    onInterrupt: { enum: ['keep', 'cancel'] },
    timeoutMs: { type: 'integer', minimum: 1, maximum: 2147483647 },
    replies: { type: 'array', items: { type: 'array', items: toolAction } },
  },
} as const;

/** The scenario schema (spec 05, 08, 09). */
export const scenarioSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Parley scenario',
  type: 'object',
  required: ['protocol', 'steps'],
  properties: {
    name: { type: 'string' },
    protocol: { type: 'string', minLength: 1 },
    config: { type: 'object' },
    session: {
      type: 'object',
      properties: {
        instructions: { type: 'string' },
        voice: { type: 'string' },
        model: { type: 'string' },
        outputModality: { type: 'string' },
        mode: { type: 'string' },
        sessionId: { type: 'string' },
        apiKey: { type: 'string' },
        tools: listOfObjects,
      },
    },
    delegate: {
      type: 'object',
      properties: { replies: { type: 'array', items: { type: 'array', items: delegateAction } } },
    },
    tools: { type: 'array', items: tool },
    steps: { type: 'array', items: step },
    endAt: nonNegative,
    expect: {
      type: 'object',
      properties: {
        connect: listOfObjects,
        wire: { type: 'array' },
        events: listOfObjects,
        delegate: listOfObjects,
        errors: listOfObjects,
        closed: { enum: ['requested', 'transport_closed', 'error'] },
        stats: { type: 'object' },
      },
    },
  },
} as const;
