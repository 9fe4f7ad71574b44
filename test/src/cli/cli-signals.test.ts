import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealtimeSimulator } from '@parley/testkit';
import { CliProcess, cleanEnv, REPO_ROOT, spawnParley, wavSizes, writeLongWav } from '../support/cli-process.js';

function appends(simulator: RealtimeSimulator): number {
  return ((simulator.connections[0]?.messages ?? []) as { type?: string }[]).filter(
    (message) => message.type === 'input_audio_buffer.append',
  ).length;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('parley under signals (real processes)', function () {
  this.timeout(30000);
  let dir: string;
  let simulator: RealtimeSimulator | undefined;
  const processes: CliProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-signals-'));
  });

  afterEach(async () => {
    for (const running of processes.splice(0)) running.kill();
    await simulator?.close();
    simulator = undefined;
  });

  function parley(args: string[]): CliProcess {
    const running = spawnParley(args);
    processes.push(running);
    return running;
  }

  async function serve(): Promise<string> {
    simulator = new RealtimeSimulator({ protocol: 'v2', mode: 'demo', speed: 20 });
    return (await simulator.start()).url;
  }

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} during connect --in: no more audio is sent, the conversation closes, exit 0 within 1 s, --out is a valid WAV`, async () => {
      const url = await serve();
      const input = join(dir, 'thirty-seconds.wav');
      writeLongWav(input, 30);
      const out = join(dir, 'reply.wav');
      const cli = parley(['connect', '--url', url, '--protocol', 'v2', '--in', input, '--out', out]);
      await cli.waitForOutput(/\[started\]/);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const sentBefore = appends(simulator as RealtimeSimulator);
      const signalled = Date.now();
      cli.child.kill(signal);
      const exit = await cli.exited;
      expect(exit.at - signalled, 'exit within 1 s of the signal').to.be.below(1000);
      expect(exit.code).to.equal(0);
      expect(cli.stdout).to.contain('[closed] requested');
      await new Promise((resolve) => setTimeout(resolve, 100));
      // 30 s of audio is 1500 frames; at most the frames of the moment the signal arrived follow.
      expect(appends(simulator as RealtimeSimulator) - sentBefore).to.be.at.most(3);
      expect(simulator?.connections[0]?.open).to.equal(false);
      const sizes = wavSizes(readFileSync(out));
      expect(sizes.data).to.equal(sizes.actual);
      expect(sizes.riff).to.equal(sizes.actual + 36);
    });
  }

  it('Ctrl-C while connecting aborts the start at once (exit 0, no wait for the connect timeout)', async () => {
    const held: Socket[] = [];
    const silent: Server = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const cli = parley(['connect', '--url', `http://127.0.0.1:${port}`, '--protocol', 'v2']);
      const deadline = Date.now() + 10000;
      while (held.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(held.length, 'the CLI is connecting').to.equal(1);
      const signalled = Date.now();
      cli.child.kill('SIGINT');
      const exit = await cli.exited;
      expect(exit.at - signalled).to.be.below(1000);
      expect(exit.code).to.equal(0);
      expect(cli.stderr).to.equal('');
      expect(cli.stdout).to.contain('[interrupted] the start was cancelled');
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('--out and --record are written as the session goes: a killed session keeps what arrived', async () => {
    const url = await serve();
    const out = join(dir, 'reply.wav');
    const record = join(dir, 'session.json');
    const cli = parley([
      'connect',
      '--url',
      url,
      '--protocol',
      'v2',
      '--text',
      'tell me something long please',
      '--out',
      out,
      '--record',
      record,
    ]);
    await cli.waitForOutput(/assistant: You said/);
    await new Promise((resolve) => setTimeout(resolve, 700));
    cli.child.kill('SIGKILL');
    await cli.exited;
    const sizes = wavSizes(readFileSync(out));
    expect(sizes.actual).to.be.greaterThan(0);
    expect(sizes.data).to.equal(sizes.actual);
    const scenario = JSON.parse(readFileSync(record, 'utf8')) as { steps: { client?: string; server?: { type?: string } }[] };
    expect(scenario.steps.some((step) => step.client === 'text')).to.equal(true);
    expect(scenario.steps.some((step) => step.server?.type === 'response.done')).to.equal(true);
  });

  it('SIGTERM to `npx parley simulate` reaches the process that holds the port', async () => {
    const npx = new CliProcess(
      spawn('npx', ['parley', 'simulate', '--protocol', 'v1', '--port', '0'], {
        cwd: REPO_ROOT,
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    processes.push(npx);
    const [, port, pid] = await npx.waitForOutput(/listening on http:\/\/127\.0\.0\.1:(\d+) \(pid (\d+)\)/, 20000);
    try {
      expect(await portOpen(Number(port))).to.equal(true);
      npx.child.kill('SIGTERM');
      await npx.exited;
      const deadline = Date.now() + 2000;
      while ((await portOpen(Number(port))) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await portOpen(Number(port)), 'the port is released').to.equal(false);
      // Gone, or a zombie waiting for a reaper (a container's PID 1 may not reap).
      const alive = (): boolean => {
        try {
          return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
        } catch {
          return false;
        }
      };
      while (alive() && Date.now() < deadline + 1000) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(alive(), 'the simulator process is gone').to.equal(false);
    } finally {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
});
