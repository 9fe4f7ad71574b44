import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealtimeSimulator, type RealtimeSimulatorOptions } from '@parley/testkit';
import { spawnParley, writeSpeechWav, type CliProcess } from '../support/cli-process.js';
import { connectCaptured, pause, processAlive } from '../support/cli-helpers.js';

describe('parley connect: audio input, the heard text, delegate commands, the transcript', function () {
  this.timeout(30000);
  let dir: string;
  let simulator: RealtimeSimulator | undefined;
  const processes: CliProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-conversation-'));
  });

  afterEach(async () => {
    for (const running of processes.splice(0)) running.kill();
    await simulator?.close();
    simulator = undefined;
  });

  async function serve(options: RealtimeSimulatorOptions): Promise<string> {
    simulator = new RealtimeSimulator(options);
    return (await simulator.start()).url;
  }

  const connect = connectCaptured;

  function messages(): { type: string; item?: { type?: string; call_id?: string; output?: string }; output_text?: string }[] {
    return (simulator?.connections[0]?.messages ?? []) as never;
  }

  for (const protocol of ['v1', 'v2'] as const) {
    it(`${protocol}: a WAV that ends right at the end of speech gets an answer (trailing silence ends the VAD turn)`, async () => {
      const url = await serve({ protocol, mode: 'demo', speed: 20, heard: ['what time is it'] });
      const input = join(dir, 'question.wav');
      writeSpeechWav(input, 'what time is it');
      const result = await connect({ url, protocol, in: input, duration: 1.5 });
      expect(result.code).to.equal(0);
      // v2 transcribes the user only when the session asks for it; v1 always does.
      if (protocol === 'v2') expect(result.out).to.contain('[user speaking]');
      else expect(result.out).to.contain('user: what time is it');
      expect(result.out).to.contain('assistant: You said: what time is it.');
      expect(result.out).not.to.contain('[no response]');
    });
  }

  it('v2 with turn detection none (push-to-talk): the end of --in commits the input and asks for a response', async () => {
    const url = await serve({ protocol: 'v2', mode: 'demo', speed: 20, heard: ['what time is it'] });
    const input = join(dir, 'question.wav');
    writeSpeechWav(input, 'what time is it');
    const config = join(dir, 'push-to-talk.json');
    writeFileSync(config, JSON.stringify({ realtime: { v2: { turnDetection: { type: 'none' } } } }));
    const result = await connect({ url, protocol: 'v2', in: input, config: [config], duration: 1.5 });
    expect(result.code).to.equal(0);
    expect(result.out).to.contain('assistant: You said: what time is it.');
    const types = messages().map((message) => message.type);
    const commit = types.indexOf('input_audio_buffer.commit');
    expect(commit).to.be.greaterThan(0);
    expect(types[commit - 1]).to.equal('input_audio_buffer.append');
    expect(types[commit + 1]).to.equal('response.create');
    expect(types.lastIndexOf('input_audio_buffer.append')).to.be.below(commit);
  });

  it('says so when no response starts within a few seconds after the input ended', async () => {
    const url = await serve({ protocol: 'v2', mode: 'scripted', replies: [] });
    const input = join(dir, 'question.wav');
    writeSpeechWav(input);
    const result = await connect({ url, protocol: 'v2', in: input, duration: 1, noResponseAfterMs: 300 });
    expect(result.out).to.contain('[no response] nothing started within 0.3 s after the input ended');
  });

  it('`parley simulate --heard` is what the user is heard saying: speaking to it can hand off', async () => {
    const simulate = spawnParley(['simulate', '--protocol', 'v2', '--port', '0', '--heard', 'please look up the weather']);
    processes.push(simulate);
    const [, url] = await simulate.waitForOutput(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 15000);
    expect(simulate.stdout).to.contain(
      'it does not recognise speech: each utterance its VAD detects in your audio is heard as "please look up the weather"',
    );
    const input = join(dir, 'question.wav');
    writeSpeechWav(input, 'something the simulator cannot understand');
    const result = await connect({ url, protocol: 'v2', in: input, duration: 1.5 });
    expect(result.out).to.contain('[delegation] call_1: "please look up the weather"');
  });

  it('a handoff with no delegate prints a one-line hint', async () => {
    const url = await serve({ protocol: 'v2', mode: 'demo', speed: 20 });
    const result = await connect({ url, protocol: 'v2', text: ['please look up the weather'], duration: 1 });
    expect(result.out).to.contain('[delegation] call_1: "please look up the weather"');
    const hints = result.out.split('\n').filter((line) => line.startsWith('[hint]'));
    expect(hints).to.deep.equal([
      '[hint] nobody answers delegations in this run: add --delegate-cmd "<command>" to run your agent (see parley connect --help)',
    ]);
  });

  it('--delegate-format json (v2): one JSON object per delegation and per steering message; JSON answers may span lines', async () => {
    const url = await serve({ protocol: 'v2', mode: 'demo', speed: 20 });
    const log = join(dir, 'stdin.jsonl');
    const agent = join(dir, 'agent.mjs');
    writeFileSync(
      agent,
      `import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
let lines = 0;
createInterface({ input: process.stdin }).on('line', (line) => {
  appendFileSync(${JSON.stringify(log)}, line + '\\n');
  lines += 1;
  if (lines === 2) { console.log(JSON.stringify({ text: 'first line\\nsecond line' })); process.exit(0); }
});
`,
    );
    const result = await connect({
      url,
      protocol: 'v2',
      text: ['please look up the weather', 'ask the agent about Paris too'],
      delegateCmd: `node ${agent}`,
      delegateFormat: 'json',
      duration: 2,
    });
    expect(result.code).to.equal(0);
    const received = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(received).to.have.length(2);
    expect(received[0]).to.deep.include({ type: 'delegation', handoffId: 'call_1', text: 'please look up the weather' });
    expect(received[0]?.transcript).to.be.an('array');
    expect(received[1]).to.deep.equal({ type: 'steering', handoffId: 'call_2', text: 'ask the agent about Paris too' });
    const final = messages().find((message) => message.item?.type === 'function_call_output' && message.item.call_id === 'call_1');
    expect(final?.item?.output).to.equal('"Agent Final Message":\n\nfirst line\nsecond line');
  });

  it('v1 --delegate-format json: the multi-line routed text arrives as one JSON line', async () => {
    const url = await serve({ protocol: 'v1', mode: 'demo', speed: 20, handoffLateMs: 50 });
    const log = join(dir, 'stdin.jsonl');
    const result = await connect({
      url,
      protocol: 'v1',
      text: ['please look up the news'],
      delegateCmd: `head -n 1 > ${log}; echo done`,
      delegateFormat: 'json',
      duration: 2.5,
    });
    expect(result.code).to.equal(0);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines).to.have.length(1);
    const delegation = JSON.parse(lines[0] as string) as { type: string; text: string };
    expect(delegation.type).to.equal('delegation');
    expect(delegation.text).to.equal('user: please look up the news\nassistant: On it.');
  });

  it('a requested close stops the delegate command as a process group, logs no error, and the CLI exits promptly', async () => {
    const url = await serve({ protocol: 'v2', mode: 'demo', speed: 20 });
    const pidFile = join(dir, 'sleep.pid');
    const cli = spawnParley([
      'connect',
      '--url',
      url,
      '--protocol',
      'v2',
      '--text',
      'please look up the weather',
      '--delegate-cmd',
      `sleep 30 & echo $! > ${pidFile}; wait`,
      '--duration',
      '1.5',
    ]);
    processes.push(cli);
    const begun = Date.now();
    const exit = await cli.exited;
    expect(exit.code).to.equal(0);
    expect(exit.at - begun, 'exits promptly after closed, not when sleep 30 ends').to.be.below(8000);
    expect(cli.stdout).to.contain('[closed] requested');
    expect(cli.stderr).to.equal('');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const deadline = Date.now() + 2000;
    while (processAlive(pid) && Date.now() < deadline) await pause(50);
    expect(processAlive(pid), 'the command’s child is gone too').to.equal(false);
  });

  it('--delegate-timeout kills the whole group and finishes the turn with the failure text', async () => {
    const url = await serve({ protocol: 'v2', mode: 'demo', speed: 20 });
    const pidFile = join(dir, 'sleep.pid');
    const result = await connect({
      url,
      protocol: 'v2',
      text: ['please look up the weather'],
      delegateCmd: `sleep 30 & echo $! > ${pidFile}; wait`,
      delegateTimeout: 500,
      duration: 2,
    });
    expect(result.code).to.equal(0);
    const final = messages().find((message) => message.item?.type === 'function_call_output');
    expect(final?.item?.output).to.equal(
      '"Agent Final Message":\n\nThe background agent failed: the delegate command timed out after 500 ms',
    );
    expect(processAlive(Number(readFileSync(pidFile, 'utf8')))).to.equal(false);
  });

  it('v1: a newer handoff supersedes the running delegation: its command is stopped and the newest answer is delivered', async () => {
    const url = await serve({ protocol: 'v1', mode: 'demo', speed: 20, handoffLateMs: 50 });
    const pids = join(dir, 'pids');
    const result = await connect({
      url,
      protocol: 'v1',
      text: ['please look up the weather', 'please look up the news'],
      delegateCmd: `echo $$ >> ${pids}; read line; sleep 0.5; echo "answer for $PARLEY_HANDOFF_ID"`,
      duration: 3,
    });
    expect(result.code).to.equal(0);
    expect(result.out).to.contain('[delegation] handoff_2:');
    const appends = messages().filter((message) => message.type === 'conversation.handoff.append');
    expect(appends).to.deep.equal([
      { type: 'conversation.handoff.append', handoff_id: 'handoff_2', output_text: '"Agent Final Message":\n\nanswer for handoff_2' },
    ]);
    for (const pid of readFileSync(pids, 'utf8').trim().split('\n').map(Number)) expect(processAlive(pid)).to.equal(false);
  });

  it('the readable transcript escapes control characters; --json keeps the exact text', async () => {
    const hostile = 'hi \u001b]0;owned\u0007 \u001b]52;c;aGk=\u0007 \u001b[2J \u009b31m done';
    const replies = [
      [{ type: 'session.updated', session: { id: 'sess_1' } }],
      [
        { type: 'response.created', response: { id: 'resp_1' } },
        { type: 'response.output_audio_transcript.delta', response_id: 'resp_1', item_id: 'item_1', delta: hostile },
        { type: 'response.output_audio_transcript.done', response_id: 'resp_1', item_id: 'item_1', transcript: hostile },
        { type: 'error', error: { message: `bad \u001b[31mred\u001b[0m thing` } },
      ],
    ];
    const readable = await connect({
      url: await serve({ protocol: 'v2', mode: 'scripted', replies }),
      protocol: 'v2',
      text: ['x'],
      duration: 0.5,
    });
    // eslint-disable-next-line no-control-regex
    expect(readable.out).not.to.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(readable.out).to.contain('assistant: hi \\u001b]0;owned\\u0007 \\u001b]52;c;aGk=\\u0007 \\u001b[2J \\u009b31m done\n');
    expect(readable.out).to.contain('[fatal error] bad \\u001b[31mred\\u001b[0m thing\n');
    await simulator?.close();
    const json = await connect({
      url: await serve({ protocol: 'v2', mode: 'scripted', replies }),
      protocol: 'v2',
      text: ['x'],
      json: true,
      duration: 0.5,
    });
    // eslint-disable-next-line no-control-regex
    expect(json.out).not.to.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    const events = json.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; text?: string; message?: string });
    expect(events.find((event) => event.type === 'outputTranscriptDone')?.text).to.equal(hostile);
  });

  it('v2 echoes --text as a user line; one line per message', async () => {
    const url = await serve({ protocol: 'v2', mode: 'demo', speed: 20 });
    const result = await connect({ url, protocol: 'v2', text: ['Hello there', 'And again'], duration: 2 });
    const lines = result.out.split('\n');
    expect(lines.filter((line) => line.startsWith('user: '))).to.deep.equal(['user: Hello there', 'user: And again']);
    expect(lines.filter((line) => line.startsWith('assistant: '))).to.deep.equal([
      'assistant: You said: Hello there.',
      'assistant: You said: And again.',
    ]);
  });

  it('v1 echoes --text once (the server echo is not printed again); one line per message', async () => {
    const url = await serve({ protocol: 'v1', mode: 'demo', speed: 20 });
    const result = await connect({ url, protocol: 'v1', text: ['Hello there', 'And again'], duration: 2 });
    const lines = result.out.split('\n');
    expect(lines.filter((line) => line.startsWith('user: '))).to.deep.equal(['user: Hello there', 'user: And again']);
    expect(lines.filter((line) => line.startsWith('assistant: '))).to.deep.equal([
      'assistant: You said: Hello there.',
      'assistant: You said: And again.',
    ]);
  });
});
