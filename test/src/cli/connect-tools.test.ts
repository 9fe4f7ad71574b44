import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkScenarios } from '@parley/cli';
import { RealtimeSimulator, type Scenario } from '@parley/testkit';
import { cleanEnv, CliProcess, PARLEY_BIN, spawnParley } from '../support/cli-process.js';
import { connectCaptured, pause, processAlive, runCliCaptured } from '../support/cli-helpers.js';
import { spawn } from 'node:child_process';

async function pidsIn(file: string, count: number): Promise<number[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    let pids: number[] = [];
    try {
      pids = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(Number);
    } catch {
      // not yet written
    }
    if (pids.length >= count || Date.now() > deadline) return pids;
    await pause(20);
  }
}

async function allGone(pids: number[], limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (!pids.some(processAlive)) return true;
    await pause(25);
  }
  return false;
}

const FUNCTION_CALL = {
  id: 'item_fc1',
  object: 'realtime.item',
  type: 'function_call',
  status: 'completed',
  name: 'current_time',
  call_id: 'call_1',
  arguments: '{}',
};

/**
 * A scripted V2 server (batch i after the (i+1)-th client message): the text turn's response calls
 * `current_time` (the frames the GA API sends for a finished call), and the next response speaks.
 */
function scriptedToolSession(spoken: string): unknown[][] {
  return [
    [{ type: 'session.updated', session: { type: 'realtime', object: 'realtime.session', id: 'sess_tools' } }],
    [],
    [
      { type: 'response.created', response: { id: 'resp_1', object: 'realtime.response', status: 'in_progress', output: [] } },
      { type: 'response.output_item.done', response_id: 'resp_1', output_index: 0, item: FUNCTION_CALL },
      { type: 'conversation.item.done', item: FUNCTION_CALL },
      { type: 'response.done', response: { id: 'resp_1', object: 'realtime.response', status: 'completed', output: [FUNCTION_CALL] } },
    ],
    [],
    [
      { type: 'response.created', response: { id: 'resp_2', object: 'realtime.response', status: 'in_progress', output: [] } },
      {
        type: 'response.output_audio_transcript.done',
        response_id: 'resp_2',
        item_id: 'item_2',
        output_index: 0,
        content_index: 0,
        transcript: spoken,
      },
      { type: 'response.done', response: { id: 'resp_2', object: 'realtime.response', status: 'completed', output: [] } },
    ],
  ];
}

interface Sent {
  type: string;
  item?: { type?: string; call_id?: string; output?: string };
  session?: { tools?: { name?: string }[] };
}

describe('parley connect --tool / --tools (spec 09 §13.2)', function () {
  this.timeout(30000);
  let dir: string;
  let simulator: RealtimeSimulator | undefined;
  const processes: CliProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-connect-tools-'));
  });

  afterEach(async () => {
    for (const running of processes.splice(0)) running.kill();
    await simulator?.close();
    simulator = undefined;
  });

  async function serve(replies: unknown[][]): Promise<string> {
    simulator = new RealtimeSimulator({ protocol: 'v2', mode: 'scripted', replies });
    return (await simulator.start()).url;
  }

  const run = runCliCaptured;

  const connect = connectCaptured;

  function sent(): Sent[] {
    return (simulator?.connections[0]?.messages ?? []) as Sent[];
  }

  function toolsFile(definitions: unknown): string {
    const path = join(dir, 'tools.json');
    writeFileSync(path, JSON.stringify(definitions));
    return path;
  }

  it('`parley connect --help` lists --tool and --tools and says how a command is run', async () => {
    const result = await run(['connect', '--help']);
    expect(result.code).to.equal(0);
    expect(result.out).to.match(/--tool <name=command> +bind a function tool <name> whose calls run/);
    expect(result.out).to.match(/--tools <file.json> +tool definitions: a JSON array of \{name,/);
    expect(result.out).to.contain('--tool current_time=\'date -u +%H:%M\' --text "what is the current time"');
    expect(result.out).to.contain('PARLEY_TOOL_NAME and PARLEY_CALL_ID');
    expect(result.out).to.contain('SIGTERM, then SIGKILL after 2 s');
  });

  describe('against the simulator (V2 demo mode, spec 09 §13.1)', () => {
    async function demo(): Promise<string> {
      simulator = new RealtimeSimulator({ protocol: 'v2', mode: 'demo', speed: 20 });
      return (await simulator.start()).url;
    }

    it("spec 09's example: the simulator calls current_time with {}, the command's output is sent, one response.create, the simulator says it", async () => {
      const url = await demo();
      const result = await run([
        'connect',
        '--url',
        url,
        '--tool',
        'current_time=cat > /dev/null; echo 10:15',
        '--text',
        'what is the current time',
        '--duration',
        '1.5',
        '--log-level',
        'silent',
      ]);
      expect(result.code, result.err).to.equal(0);
      const lines = result.out.split('\n').filter((line) => !line.startsWith('[started]') && !line.startsWith('[session]'));
      expect(lines.slice(0, 4)).to.deep.equal([
        'user: what is the current time',
        '[tool] call current_time {} (call_1)',
        '[tool] result current_time: 10:15',
        'assistant: 10:15',
      ]);
      const messages = sent();
      const output = messages.findIndex((message) => message.item?.type === 'function_call_output');
      expect(messages[output]).to.deep.equal({
        type: 'conversation.item.create',
        item: { type: 'function_call_output', call_id: 'call_1', output: '10:15' },
      });
      expect(messages.slice(output + 1).map((message) => message.type)).to.deep.equal(['response.create']);
      expect(messages.filter((message) => message.type === 'response.create')).to.have.length(2);
    });

    it('the README example: `parley simulate` and `date -u +%H:%M`', async () => {
      const simulate = spawnParley(['simulate', '--protocol', 'v2', '--port', '0', '--speed', '10']);
      processes.push(simulate);
      const [, url] = await simulate.waitForOutput(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 15000);
      const result = await run([
        'connect',
        '--url',
        url as string,
        '--tool',
        'current_time=date -u +%H:%M',
        '--text',
        'what is the current time',
        '--duration',
        '2',
      ]);
      expect(result.code, result.err).to.equal(0);
      const time = /\[tool\] result current_time: (\d\d:\d\d)\n/.exec(result.out)?.[1];
      expect(time, result.out).to.be.a('string');
      expect(result.out).to.contain(
        `[tool] call current_time {} (call_1)\n[tool] result current_time: ${time as string}\nassistant: ${time as string}\n`,
      );
    });

    it('two tools named in one request: both run in one response (concurrently), then one response.create; the recording replays', async () => {
      const url = await demo();
      const record = join(dir, 'session.json');
      // Each command waits (up to 5 s) for the other to have started: they pass only when run concurrently.
      const waitFor = (mine: string, other: string, output: string): string =>
        `touch ${join(dir, mine)}; for i in $(seq 50); do [ -e ${join(dir, other)} ] && break; sleep 0.1; done; [ -e ${join(dir, other)} ] && echo ${output}`;
      const result = await connect({
        url,
        protocol: 'v2',
        tool: [`current_time=${waitFor('a', 'b', '10:15')}`, `weather=${waitFor('b', 'a', 'sunny')}`],
        text: ['current time and weather please'],
        record,
        duration: 1.5,
      });
      expect(result.code, result.err).to.equal(0);
      expect(result.out).to.contain('[tool] call current_time {} (call_1)\n[tool] call weather {} (call_2)\n');
      // Outputs are sent in the order they are ready; the simulator speaks them in arrival order.
      expect(result.out).to.match(/\nassistant: (10:15 sunny|sunny 10:15)\n/);
      const messages = sent();
      const outputs = messages.flatMap((message, index) => (message.item?.type === 'function_call_output' ? [index] : []));
      expect(outputs).to.have.length(2);
      expect(messages.slice((outputs[0] as number) + 1).map((message) => message.type)).to.deep.equal([
        'conversation.item.create',
        'response.create',
      ]);
      const lines: string[] = [];
      const check = await checkScenarios([record], { out: (text) => lines.push(text), err: (text) => lines.push(text) });
      expect(check, lines.join('')).to.deep.equal({ passed: 1, failed: 0 });
    });
  });

  describe('usage errors exit 2 before connecting; a protocol that refuses tools fails the start (exit 1)', () => {
    const usage: [string, (dir: string) => string[], (dir: string) => string][] = [
      ['a malformed --tool', () => ['--tool', 'current_time'], () => '--tool expects <name>=<command>, got current_time'],
      ['a --tool without a command', () => ['--tool', 'current_time='], () => '--tool expects <name>=<command>, got current_time='],
      ['a --tool name given twice', () => ['--tool', 'a=echo 1', '--tool', 'a=echo 2'], () => '--tool `a` is given twice'],
      [
        'a --tool name that is not a tool name (rule 2)',
        () => ['--tool', 'current.time=date'],
        () => '--tool `current.time` has an invalid name; a tool name is 1 to 64 letters, digits, underscores or hyphens',
      ],
      [
        'a definition without a command',
        (d) => ['--tools', (writeFileSync(join(d, 't.json'), '[{"name":"lookup_order"}]'), join(d, 't.json'))],
        () => 'tool `lookup_order` has no command: add --tool lookup_order=<command> or a "command" field',
      ],
      [
        'an unknown key in a --tools definition',
        (d) => ['--tools', (writeFileSync(join(d, 't.json'), '[{"name":"x","command":"true","timeout":5}]'), join(d, 't.json'))],
        (d) =>
          `--tools ${join(d, 't.json')}: tool \`x\` has an unknown key \`timeout\`; a tool definition has only the keys name, description, parameters, behavior, onInterrupt, timeoutMs, command`,
      ],
      [
        'a --tools definition failing a start check (rule 6)',
        (d) => ['--tools', (writeFileSync(join(d, 't.json'), '[{"name":"x","command":"true","timeoutMs":0}]'), join(d, 't.json'))],
        (d) => `--tools ${join(d, 't.json')}: tool \`x\` has an invalid timeoutMs; use a whole number of milliseconds from 1 to 2147483647`,
      ],
      [
        'a --tools definition failing a start check (rule 9)',
        (d) => [
          '--tools',
          (writeFileSync(join(d, 't.json'), '[{"name":"x","behavior":"background","onInterrupt":"cancel"}]'), join(d, 't.json')),
          '--tool',
          'x=true',
        ],
        (d) => `--tools ${join(d, 't.json')}: tool \`x\` is a background tool; onInterrupt "cancel" applies only to blocking tools`,
      ],
      [
        'a --tools file that is not JSON',
        (d) => ['--tools', (writeFileSync(join(d, 't.json'), 'name=x'), join(d, 't.json'))],
        (d) => `--tools ${join(d, 't.json')}: not valid JSON (`,
      ],
      [
        'v2: a tool named like the handoff tool',
        () => ['--tool', 'background_agent=true'],
        () => '--tool `background_agent` has the name of the handoff tool Parley always declares; rename your tool',
      ],
    ];
    for (const [what, args, message] of usage) {
      it(`${what}: exit 2`, async () => {
        const url = await serve([]);
        const result = await run(['connect', '--url', url, ...args(dir), '--duration', '5']);
        expect(result.err.startsWith(`error: ${message(dir)}`), result.err).to.equal(true);
        expect(result.err.trim().split('\n')).to.have.length(1);
        expect(result.code).to.equal(2);
        expect(result.out).to.equal('');
        expect(simulator?.connections).to.have.length(0);
      });
    }

    it('--tools given twice: exit 2', async () => {
      const url = await serve([]);
      const result = await run(['connect', '--url', url, '--tools', 'a.json', '--tools', 'b.json']);
      expect(result.code).to.equal(2);
      expect(result.err).to.contain('--tools can be given only once (got a.json and b.json)');
      expect(simulator?.connections).to.have.length(0);
    });

    it('v1 refuses tools: the start fails, exit 1, naming the tools', async () => {
      const url = await serve([]);
      const tools = toolsFile([{ name: 'lookup_order', command: 'true' }]);
      const result = await run(['connect', '--url', url, '--protocol', 'v1', '--tools', tools, '--tool', 'current_time=date']);
      expect(result.err).to.equal(
        'error: protocol `v1` does not support tools; remove the tools (lookup_order, current_time) or use a protocol that does\n',
      );
      expect(result.code).to.equal(1);
      expect(simulator?.connections).to.have.length(0);
    });

    it('live (client mode) refuses tools: exit 1', async () => {
      const url = await serve([]);
      const result = await run(['connect', '--url', url, '--protocol', 'live', '--tool', 'current_time=date']);
      expect(result.err).to.match(/^error: protocol `live` runs tools only with Responses delegation;.*\(current_time\)\n$/);
      expect(result.code).to.equal(1);
    });
  });

  it('v2: the call runs the command, its stdout is the output, then exactly one response.create; readable [tool] lines', async () => {
    const url = await serve(scriptedToolSession('It is 10:15.'));
    const result = await connect({
      url,
      protocol: 'v2',
      tool: ['current_time=printf "%s %s " "$PARLEY_TOOL_NAME" "$PARLEY_CALL_ID"; cat; echo; echo 10:15; echo'],
      text: ['what is the current time'],
      duration: 1,
    });
    expect(result.code, result.err).to.equal(0);
    const lines = result.out.split('\n');
    const call = lines.indexOf('[tool] call current_time {} (call_1)');
    expect(call, result.out).to.be.greaterThan(0);
    expect(lines[call + 1]).to.equal('[tool] result current_time: current_time call_1 {}\n10:15'.replace('\n', '\\n'));
    expect(lines).to.include('assistant: It is 10:15.');
    const messages = sent();
    expect(messages[0]?.session?.tools?.map((tool) => tool.name)).to.deep.equal(['background_agent', 'current_time']);
    expect(messages.slice(1, 5)).to.deep.equal([
      {
        type: 'conversation.item.create',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'what is the current time' }] },
      },
      { type: 'response.create' },
      {
        type: 'conversation.item.create',
        item: { type: 'function_call_output', call_id: 'call_1', output: 'current_time call_1 {}\n10:15' },
      },
      { type: 'response.create' },
    ]);
    expect(messages.filter((message) => message.type === 'response.create')).to.have.length(2);
  });

  it('a failing command: the error output reaches the model, [tool] error with the reason', async () => {
    const url = await serve(scriptedToolSession('Sorry.'));
    const result = await connect({
      url,
      protocol: 'v2',
      tool: ["current_time=echo 'clock service unavailable' >&2; exit 3"],
      text: ['what is the current time'],
      duration: 1,
    });
    const output = '{"error":"tool `current_time` failed: the command exited with code 3: clock service unavailable"}';
    expect(result.out.split('\n')).to.include(`[tool] error current_time (failed): ${output}`);
    expect(sent()[3]).to.deep.equal({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: 'call_1', output },
    });
    expect(sent()[4]).to.deep.equal({ type: 'response.create' });
  });

  it('--json prints toolCall and toolResult like every event', async () => {
    const url = await serve(scriptedToolSession('It is 10:15.'));
    const result = await connect({
      url,
      protocol: 'v2',
      tool: ['current_time=echo 10:15'],
      text: ['what time is it'],
      json: true,
      duration: 1,
    });
    const events = result.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((event) => event.type === 'toolCall' || event.type === 'toolResult')
      .map(({ t, ...event }) => (expect(t).to.be.a('number'), event));
    expect(events).to.deep.equal([
      { type: 'toolCall', callId: 'call_1', name: 'current_time', arguments: '{}', responseId: 'resp_1', itemId: 'item_fc1' },
      { type: 'toolResult', callId: 'call_1', name: 'current_time', output: '10:15', error: false },
    ]);
  });

  it('--record writes each tool with what its executions did; `parley replay --check` reproduces the wire', async () => {
    const url = await serve(scriptedToolSession('It is 10:15.'));
    const record = join(dir, 'session.json');
    const tools = toolsFile([
      {
        name: 'current_time',
        description: 'The current time, HH:MM.',
        parameters: { type: 'object', properties: { timezone: { type: 'string' } } },
        timeoutMs: 5000,
        command: 'sleep 0.2; echo 10:15',
      },
    ]);
    const result = await connect({ url, protocol: 'v2', tools, text: ['what is the current time'], record, duration: 1 });
    expect(result.code).to.equal(0);
    const scenario = JSON.parse(readFileSync(record, 'utf8')) as Scenario;
    const [tool] = scenario.tools ?? [];
    const reply = tool?.replies?.[0]?.[0] as { afterMs: number; output: string };
    expect({ ...tool, replies: undefined }).to.deep.equal({
      name: 'current_time',
      description: 'The current time, HH:MM.',
      parameters: { type: 'object', properties: { timezone: { type: 'string' } } },
      timeoutMs: 5000,
      replies: undefined,
    });
    expect(tool?.replies).to.have.length(1);
    expect(reply.output).to.equal('10:15');
    expect(reply.afterMs).to.be.within(200, 3000);
    expect(JSON.stringify(scenario)).not.to.contain('echo 10:15'); // the command is not part of the scenario
    const lines: string[] = [];
    const check = await checkScenarios([record], { out: (text) => lines.push(text), err: (text) => lines.push(text) });
    expect(check, lines.join('')).to.deep.equal({ passed: 1, failed: 0 });
  });

  it('a command past its timeoutMs: the timeout output is sent, its process group is stopped; the recording replays it', async () => {
    const url = await serve(scriptedToolSession('Sorry.'));
    const pids = join(dir, 'pids');
    const record = join(dir, 'session.json');
    const tools = toolsFile([{ name: 'current_time', timeoutMs: 300 }]);
    const result = await connect({
      url,
      protocol: 'v2',
      tools,
      tool: [`current_time=sleep 100 & echo $! >> ${pids}; echo $$ >> ${pids}; wait`],
      text: ['what is the current time'],
      record,
      duration: 1.5,
    });
    const output = '{"error":"tool `current_time` timed out after 300 ms"}';
    expect(result.out.split('\n')).to.include(`[tool] error current_time (timeout): ${output}`);
    expect(sent()[3]).to.deep.equal({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: 'call_1', output },
    });
    const group = await pidsIn(pids, 2);
    expect(group).to.have.length(2);
    expect(await allGone(group, 1500), 'the shell and its sleep').to.equal(true);
    const scenario = JSON.parse(readFileSync(record, 'utf8')) as Scenario;
    expect(scenario.tools?.[0]?.replies).to.deep.equal([[{ afterMs: 0, never: true }]]);
    const lines: string[] = [];
    expect(
      await checkScenarios([record], { out: (text) => lines.push(text), err: (text) => lines.push(text) }),
      lines.join(''),
    ).to.deep.equal({
      passed: 1,
      failed: 0,
    });
  });

  it('--record with a configured default tool timeout keeps realtime.tools, so the replay times the call out as live', async () => {
    const url = await serve(scriptedToolSession('Sorry.'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ realtime: { tools: { timeoutMs: 250 } } }));
    const record = join(dir, 'session.json');
    const result = await connect({
      url,
      protocol: 'v2',
      config: [config],
      tool: ['current_time=sleep 100'],
      text: ['what is the current time'],
      record,
      duration: 1,
    });
    expect(result.out.split('\n')).to.include(
      '[tool] error current_time (timeout): {"error":"tool `current_time` timed out after 250 ms"}',
    );
    const scenario = JSON.parse(readFileSync(record, 'utf8')) as Scenario & { config: { realtime: { tools?: { timeoutMs?: number } } } };
    expect(scenario.config.realtime.tools?.timeoutMs).to.equal(250);
    const lines: string[] = [];
    expect(
      await checkScenarios([record], { out: (text) => lines.push(text), err: (text) => lines.push(text) }),
      lines.join(''),
    ).to.deep.equal({
      passed: 1,
      failed: 0,
    });
  });

  it('the conversation ends (--duration) while a command runs: no output is sent, its process group is stopped', async () => {
    const url = await serve(scriptedToolSession('Sorry.'));
    const pids = join(dir, 'pids');
    const result = await connect({
      url,
      protocol: 'v2',
      tool: [`current_time=sleep 100 & echo $! >> ${pids}; echo $$ >> ${pids}; wait`],
      text: ['what is the current time'],
      duration: 0.5,
    });
    expect(result.code).to.equal(0);
    expect(result.out).to.contain('[tool] call current_time {} (call_1)');
    expect(result.out).not.to.contain('[tool] result');
    expect(result.out).not.to.contain('[tool] error');
    expect(sent().filter((message) => message.item?.type === 'function_call_output')).to.deep.equal([]);
    const group = await pidsIn(pids, 2);
    expect(group).to.have.length(2);
    expect(await allGone(group, 1500), 'the shell and its sleep').to.equal(true);
  });

  it('the parley process exits with a command still running: no member of its group survives, even one ignoring SIGTERM', async () => {
    const url = await serve(scriptedToolSession('Sorry.'));
    const pids = join(dir, 'pids');
    const child = spawn(
      process.execPath,
      [
        PARLEY_BIN,
        'connect',
        '--url',
        url,
        '--log-level',
        'silent',
        '--tool',
        `current_time=trap '' TERM; sleep 100 & echo $! >> ${pids}; echo $$ >> ${pids}; wait`,
        '--text',
        'what is the current time',
        '--duration',
        '1',
      ],
      { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const parley = new CliProcess(child);
    processes.push(parley);
    const group = await pidsIn(pids, 2);
    expect(group.every(processAlive)).to.equal(true);
    const exit = await parley.exited;
    expect(exit.code, parley.stderr).to.equal(0);
    expect(await allGone(group, 1000), 'SIGKILLed when parley exited, before the 2 s grace').to.equal(true);
  });
});
