import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DelegationTurn, Logger, Steering } from '@parley/core';
import { CommandDelegate, PARLEY_TEXT_MAX_CHARS } from '../command-delegate.js';

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** A turn that records what the delegate answers. */
function turn(controller = new AbortController()): DelegationTurn & { outputs: string[]; steer(steering: Steering): void; abort(): void } {
  const outputs: string[] = [];
  const listeners: ((steering: Steering) => void)[] = [];
  return {
    outputs,
    output: (text) => {
      outputs.push(text);
      return Promise.resolve();
    },
    finish: () => Promise.resolve(),
    onSteering: (listener) => listeners.push(listener),
    signal: controller.signal,
    steer: (steering) => listeners.forEach((listener) => listener(steering)),
    abort: () => controller.abort(),
  };
}

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

describe('CommandDelegate (--delegate-cmd)', function () {
  this.timeout(15000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-delegate-'));
  });

  it('a routed text over 128 KiB reaches the command on stdin; PARLEY_TEXT holds its first 4096 characters', async () => {
    const text = `please look up ${'x'.repeat(200 * 1024)}`;
    const agent = join(dir, 'agent.mjs');
    writeFileSync(
      agent,
      "let data = ''; process.stdin.on('data', (c) => { data += c; if (data.includes('\\n')) { console.log(`stdin ${data.trim().length} env ${process.env.PARLEY_TEXT.length}`); process.exit(0); } });\n",
    );
    const delegate = new CommandDelegate({ command: `node ${agent}`, logger: silent });
    const answer = turn();
    await delegate.delegate({ handoffId: 'call_1', text, transcript: [] }, answer);
    expect(answer.outputs).to.deep.equal([`stdin ${text.length} env ${PARLEY_TEXT_MAX_CHARS}`]);
  });

  it('json framing: one JSON object per delegation and per steering message on stdin', async () => {
    const log = join(dir, 'stdin.jsonl');
    const delegate = new CommandDelegate({
      command: `head -n 2 > ${log}; node -e 'console.log(JSON.stringify({ text: "a" + String.fromCharCode(10) + "b" }))'; echo plain line`,
      format: 'json',
      logger: silent,
    });
    const answer = turn();
    const done = delegate.delegate(
      { handoffId: 'h1', text: 'user: one\nassistant: two', transcript: [{ role: 'user', text: 'one' }] },
      answer,
    );
    await pause(100);
    answer.steer({ handoffId: 'h2', text: 'also\nthis' });
    await done;
    expect(
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as unknown),
    ).to.deep.equal([
      { type: 'delegation', handoffId: 'h1', text: 'user: one\nassistant: two', transcript: [{ role: 'user', text: 'one' }] },
      { type: 'steering', handoffId: 'h2', text: 'also\nthis' },
    ]);
    expect(answer.outputs).to.deep.equal(['a\nb', 'plain line']);
  });

  it('an aborted turn (the conversation closed) ends the command and its children as a group, without a failure', async () => {
    const pids = join(dir, 'pids');
    const delegate = new CommandDelegate({ command: `sleep 30 & echo $! >> ${pids}; echo $$ >> ${pids}; wait`, logger: silent });
    const answer = turn();
    const done = delegate.delegate({ handoffId: 'h1', text: 'x', transcript: [] }, answer);
    const [child, shell] = (await pidsIn(pids, 2)) as [number, number];
    expect(alive(child) && alive(shell)).to.equal(true);
    answer.abort();
    await done; // resolves: a requested stop is not a failure
    await pause(100);
    expect(alive(child), 'the child').to.equal(false);
    expect(alive(shell), 'the shell').to.equal(false);
    expect(delegate.runningCount).to.equal(0);
  });

  it('a command that ignores SIGTERM is killed after the grace', async () => {
    const pids = join(dir, 'pids');
    const delegate = new CommandDelegate({
      command: `trap '' TERM; echo $$ >> ${pids}; while true; do sleep 0.05; done`,
      graceMs: 300,
      logger: silent,
    });
    const answer = turn();
    const done = delegate.delegate({ handoffId: 'h1', text: 'x', transcript: [] }, answer);
    const [shell] = (await pidsIn(pids, 1)) as [number];
    const stopped = Date.now();
    delegate.stopAll();
    await pause(150);
    expect(alive(shell), 'still alive during the grace').to.equal(true);
    await done;
    expect(Date.now() - stopped).to.be.within(250, 2000);
    expect(alive(shell)).to.equal(false);
  });

  it('supersede (v1): a newer delegation stops the command still running for the older one', async () => {
    const pids = join(dir, 'pids');
    const delegate = new CommandDelegate({ command: `echo $$ >> ${pids}; exec sleep 30`, supersede: true, logger: silent });
    const first = turn();
    const firstDone = delegate.delegate({ handoffId: 'handoff_1', text: 'one', transcript: [] }, first);
    const [older] = (await pidsIn(pids, 1)) as [number];
    const second = turn();
    const secondDone = delegate.delegate({ handoffId: 'handoff_2', text: 'two', transcript: [] }, second);
    let firstSettled = false;
    void firstDone.then(() => (firstSettled = true));
    const [, newer] = (await pidsIn(pids, 2)) as [number, number];
    await pause(200);
    expect(alive(older), 'the superseded command').to.equal(false);
    expect(alive(newer), 'the newest command').to.equal(true);
    expect(first.outputs).to.deep.equal([]);
    // V1 finishing a turn ends the newest handoff: the superseded turn finishes only after the newest.
    expect(firstSettled, 'the superseded turn is held until the newest finishes').to.equal(false);
    delegate.stopAll();
    await secondDone;
    await firstDone;
    expect(alive(newer)).to.equal(false);
  });

  it('the timeout kills the group and fails the turn', async () => {
    const pids = join(dir, 'pids');
    const delegate = new CommandDelegate({ command: `sleep 30 & echo $! >> ${pids}; wait`, timeoutMs: 300, logger: silent });
    const failure = await delegate.delegate({ handoffId: 'h1', text: 'x', transcript: [] }, turn()).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(String(failure)).to.equal('Error: the delegate command timed out after 300 ms');
    const [child] = (await pidsIn(pids, 1)) as [number];
    // The SIGTERM reached the shell and its child together; the child may take a moment to exit
    // on a loaded machine (still well before the 1 s SIGKILL grace).
    for (let waited = 0; alive(child) && waited < 500; waited += 20) await pause(20);
    expect(alive(child)).to.equal(false);
  });
});
