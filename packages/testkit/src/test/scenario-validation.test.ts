import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidScenarioError, runScenario, SCENARIO_CLIENT_STEPS, validateScenario } from '../index.js';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const scenarioFolders = [
  join(root, '..', 'shared', 'scenarios'),
  join(root, '..', 'shared', 'scenarios-next'),
  join(root, 'test', 'scenarios'),
  join(root, 'examples', 'relay-protocol', 'scenarios'),
];

function jsonFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .sort()
    .flatMap((entry) => {
      const path = join(folder, entry);
      if (statSync(path).isDirectory()) return jsonFiles(path);
      return entry.endsWith('.json') ? [path] : [];
    });
}

const valid = { protocol: 'v2', steps: [{ at: 0, client: 'text', text: 'hi' }] };
const clientList = SCENARIO_CLIENT_STEPS.map((kind) => JSON.stringify(kind)).join(', ');

// Issue 16 item 13: scenario files are validated against a JSON Schema (ajv), errors name the path.
describe('scenario validation (JSON Schema of spec 05, 08 and 09)', () => {
  it('accepts every public and own scenario file', () => {
    const files = scenarioFolders.flatMap(jsonFiles);
    expect(files.length).to.be.greaterThan(30);
    for (const file of files) expect(validateScenario(JSON.parse(readFileSync(file, 'utf8'))), file).to.deep.equal([]);
  });

  it('names the path and the problem', () => {
    const cases: [unknown, string[]][] = [
      [[], ['scenario: must be an object']],
      [{}, ['protocol: is required', 'steps: is required']],
      [{ protocol: 'v2', steps: {} }, ['steps: must be an array']],
      [{ ...valid, steps: [...valid.steps, { at: 'soon', client: 'close' }] }, ['steps[1].at: must be a number']],
      [{ ...valid, steps: [{ at: -1, client: 'close' }] }, ['steps[0].at: must be >= 0']],
      [{ ...valid, steps: [{ client: 'close' }] }, ['steps[0].at: is required']],
      [{ ...valid, steps: [{ at: 0, client: 'shout' }] }, [`steps[0].client: must be one of ${clientList}`]],
      [
        { ...valid, steps: [{ at: 0 }] },
        ['steps[0]: has no kind: give one of server, serverText, serverBinary, serverClose, client, transport'],
      ],
      [
        { ...valid, steps: [{ at: 0, server: { type: 'x' }, client: 'close' }] },
        ['steps[0]: has server and client: a step does exactly one thing'],
      ],
      [{ ...valid, steps: [{ at: 0, client: 'audio' }] }, ['steps[0].data: is required']],
      [{ ...valid, steps: [{ at: 0, client: 'audio', data: 'AAAA', repeat: 0 }] }, ['steps[0].repeat: must be >= 1']],
      [{ ...valid, steps: [{ at: 0, client: 'playback', itemId: 'i' }] }, ['steps[0].playedMs: is required']],
      [{ ...valid, steps: [{ at: 0, client: 'text', text: 5 }] }, ['steps[0].text: must be a string']],
      [{ ...valid, steps: [{ at: 0, server: 'hello' }] }, ['steps[0].server: must be an object']],
      [{ ...valid, steps: [{ at: 0, serverBinary: 'not base64!' }] }, ['steps[0].serverBinary: must be base64']],
      [{ ...valid, steps: [{ at: 0, transport: 'jam' }] }, ['steps[0].transport: must be one of "stall", "unstall"']],
      [
        { ...valid, steps: [{ at: 0, client: 'toolOutput', callId: 'c' }] },
        ['steps[0]: must have either output or error (a toolOutput step)'],
      ],
      [{ ...valid, steps: [{ at: 0, client: 'finishTurn', handoffId: 7 }] }, ['steps[0].handoffId: must be a string']],
      [{ ...valid, endAt: '1s' }, ['endAt: must be a number']],
      [{ ...valid, protocol: '' }, ['protocol: must not be empty']],
      [{ ...valid, session: { voice: 3 } }, ['session.voice: must be a string']],
      [
        { ...valid, delegate: { replies: [[{ afterMs: 0, say: 'x' }]] } },
        ['delegate.replies[0][0]: must have output or finish: {"afterMs":…,"output":"…"} or {"afterMs":…,"finish":true}'],
      ],
      [{ ...valid, tools: [{ name: 'clock', timeoutMs: 0 }] }, ['tools[0].timeoutMs: must be >= 1']],
      [{ ...valid, tools: [{ name: 'clock', behavior: 'later' }] }, ['tools[0].behavior: must be one of "blocking", "background"']],
      [{ ...valid, tools: [{ description: 'no name' }] }, ['tools[0].name: is required']],
      [{ ...valid, expect: { closed: 'done' } }, ['expect.closed: must be one of "requested", "transport_closed", "error"']],
      [{ ...valid, expect: { events: ['started'] } }, ['expect.events[0]: must be an object']],
      [{ ...valid, expect: { stats: [] } }, ['expect.stats: must be an object']],
    ];
    for (const [scenario, problems] of cases) expect(validateScenario(scenario), JSON.stringify(scenario)).to.deep.equal(problems);
  });

  it('reports every problem at once', () => {
    expect(validateScenario({ protocol: 2, steps: [{ at: 'soon', client: 'text' }], endAt: -5 })).to.deep.equal([
      'protocol: must be a string',
      'steps[0].text: is required',
      'steps[0].at: must be a number',
      'endAt: must be >= 0',
    ]);
  });

  it('allows unknown keys everywhere (spec 05: other tools add their own)', () => {
    const scenario = {
      ...valid,
      recordedBy: 'another tool',
      session: { instructions: 'x', custom: true },
      steps: [{ at: 0, client: 'text', text: 'hi', note: 'typed by hand' }],
      expect: { events: [], ourOwnCheck: { anything: 1 } },
    };
    expect(validateScenario(scenario)).to.deep.equal([]);
  });

  it("covers spec 08's and 09's additions: tools with replies, toolOutput steps, handoffId, expect.stats and expect.connect", () => {
    const scenario = {
      protocol: 'v2',
      tools: [
        {
          name: 'current_time',
          description: 'the time',
          parameters: { type: 'object', properties: {} },
          behavior: 'blocking',
          onInterrupt: 'keep',
          timeoutMs: 5000,
          replies: [[{ afterMs: 120, output: '10:15' }], [{ afterMs: 0, error: 'clock down' }], [{ afterMs: 0, never: true }]],
        },
        { name: 'lookup_order', timeoutMs: 2000 },
      ],
      steps: [
        { at: 0, client: 'toolOutput', callId: 'call_o', output: { status: 'shipped' } },
        { at: 1, client: 'toolOutput', callId: 'call_p', error: 'not found' },
        { at: 2, client: 'assistantOutput', text: 'ok', handoffId: 'd1' },
        { at: 3, client: 'finishTurn', handoffId: 'd1' },
        { at: 4, client: 'commitInput' },
        { at: 5, client: 'clearInput' },
      ],
      expect: { connect: [{ url: 'wss://example.test/v1/live/sessions' }], stats: { toolCalls: 1 } },
    };
    expect(validateScenario(scenario)).to.deep.equal([]);
  });

  it('runScenario refuses an invalid scenario with an InvalidScenarioError before anything runs', async () => {
    const failure = await runScenario({ protocol: 'v2', steps: [{ at: 'soon', client: 'close' }] } as never, { modules: [] }).catch(
      (error: unknown) => error,
    );
    expect(failure).to.be.instanceOf(InvalidScenarioError);
    expect((failure as InvalidScenarioError).problems).to.deep.equal(['steps[0].at: must be a number']);
    expect((failure as Error).message).to.equal('not a valid scenario:\n  steps[0].at: must be a number');
  });
});
