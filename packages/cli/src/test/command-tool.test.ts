import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger, ToolCall } from '@parley/core';
import { CommandTool, TOOL_OUTPUT_MAX_BYTES, type CommandToolOptions } from '../command-tool.js';

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Live (not zombie) processes whose process group is `pgid`, from /proc. */
function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses: read after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z' && Number(fields[2]) === pgid) members.push(Number(entry));
  }
  return members;
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

/** Waits until the group has no live member; resolves with how long that took (ms), or -1 after `limitMs`. */
async function groupGone(pgid: number, limitMs: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < limitMs) {
    if (groupMembers(pgid).length === 0) return Date.now() - start;
    await pause(25);
  }
  return -1;
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await pause(20);
  }
}

function call(args: string, controller = new AbortController(), callId = 'call_7'): ToolCall {
  return { callId, name: 'current_time', arguments: args, signal: controller.signal, logger: silent };
}

function tool(command: string, options?: CommandToolOptions): CommandTool {
  return new CommandTool({ name: 'current_time', command }, options);
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the call to fail');
}

describe('CommandTool (--tool): runs a command per call', function () {
  this.timeout(20000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-tool-'));
  });

  it('gets the raw arguments text on stdin (then closed) and PARLEY_TOOL_NAME, PARLEY_CALL_ID in its environment', async () => {
    const output = await tool('printf "%s|%s|" "$PARLEY_TOOL_NAME" "$PARLEY_CALL_ID"; cat').execute(
      {},
      call('{"timezone": "Europe/Paris"}', undefined, 'call_42'),
    );
    expect(output).to.equal('current_time|call_42|{"timezone": "Europe/Paris"}');
  });

  it('empty arguments arrive as {}', async () => {
    expect(await tool('cat').execute({}, call(''))).to.equal('{}');
  });

  it('arguments over 200 KiB reach stdin whole; a command that does not read stdin is not disturbed', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(200 * 1024) });
    expect(await tool('wc -c').execute({}, call(big))).to.equal(String(Buffer.byteLength(big)));
    expect(await tool('echo ignored').execute({}, call(big))).to.equal('ignored');
  });

  it('exit 0: the output is stdout (UTF-8) without its trailing newlines', async () => {
    expect(await tool("printf 'a\\n\\nb\\n\\n\\n'").execute({}, call('{}'))).to.equal('a\n\nb');
    expect(await tool("printf '10:15\\r\\n'").execute({}, call('{}'))).to.equal('10:15');
    expect(await tool('node -e "process.stdout.write(\'h\\u00e9llo \\u2713 \\ud83d\\ude00\\n\')"').execute({}, call('{}'))).to.equal(
      'héllo ✓ 😀',
    );
    expect(await tool('true').execute({}, call('{}'))).to.equal('');
  });

  it('a non-zero exit fails with the code and the last non-empty stderr line', async () => {
    const message = await failure(
      tool("echo first >&2; echo 'clock service unavailable  ' >&2; echo >&2; echo '   ' >&2; exit 3").execute({}, call('{}')),
    );
    expect(message).to.equal('the command exited with code 3: clock service unavailable');
  });

  it('a non-zero exit with nothing on stderr fails with the code alone', async () => {
    expect(await failure(tool('echo some output; exit 4').execute({}, call('{}')))).to.equal('the command exited with code 4');
    expect(await failure(tool('nosuchcommand-parley').execute({}, call('{}')))).to.match(
      /^the command exited with code 127: .*nosuchcommand-parley.*not found$/,
    );
  });

  it('a command killed by a signal fails naming the signal', async () => {
    expect(await failure(tool('kill -KILL $$').execute({}, call('{}')))).to.equal('the command was killed by SIGKILL');
    expect(await failure(tool('kill -TERM $$').execute({}, call('{}')))).to.equal('the command was killed by SIGTERM');
  });

  it('a command that cannot start fails with "could not start" and the reason', async () => {
    expect(await failure(tool('echo hi', { shell: '/nonexistent/sh' }).execute({}, call('{}')))).to.equal(
      'the command could not start: spawn /nonexistent/sh ENOENT',
    );
    // A command line holding a NUL character (possible in a --tools file) cannot be passed to a process.
    expect(await failure(tool('echo a\u0000b').execute({}, call('{}')))).to.match(
      /^the command could not start: .*must be a string without null bytes/,
    );
  });

  it(`exactly ${TOOL_OUTPUT_MAX_BYTES} bytes of stdout are the output; one more fails it`, async () => {
    const exact = await tool(`head -c ${TOOL_OUTPUT_MAX_BYTES} /dev/zero | tr '\\0' a`).execute({}, call('{}'));
    expect(exact).to.have.length(TOOL_OUTPUT_MAX_BYTES);
    expect(await failure(tool(`head -c ${TOOL_OUTPUT_MAX_BYTES + 1} /dev/zero | tr '\\0' a`).execute({}, call('{}')))).to.equal(
      'the command wrote more than 1048576 bytes',
    );
  });

  it('a command that writes without end is failed at the bound and killed with its whole group', async () => {
    const pids = join(dir, 'pids');
    const command = tool(`echo $$ >> ${pids}; yes`, { graceMs: 300 });
    const started = Date.now();
    expect(await failure(command.execute({}, call('{}')))).to.equal('the command wrote more than 1048576 bytes');
    expect(Date.now() - started).to.be.below(5000);
    const [shell] = (await pidsIn(pids, 1)) as [number];
    expect(await groupGone(shell, 3000), 'the group of the command').to.be.at.least(0);
    await until(() => command.runningCount === 0);
  });

  it('an aborted call settles at once and its process group gets SIGTERM: a shell and its `sleep 100 & wait` child both end', async () => {
    const pids = join(dir, 'pids');
    const controller = new AbortController();
    const command = tool(`sleep 100 & echo $! >> ${pids}; echo $$ >> ${pids}; wait`);
    const running = command.execute({}, call('{}', controller));
    const [child, shell] = (await pidsIn(pids, 2)) as [number, number];
    expect(groupMembers(shell).sort()).to.deep.equal([child, shell].sort());
    const aborted = Date.now();
    controller.abort();
    expect(await failure(running)).to.equal('the call was answered before the command finished');
    expect(Date.now() - aborted).to.be.below(100);
    const gone = await groupGone(shell, 1500);
    expect(gone, 'no member of the group survives SIGTERM').to.be.at.least(0);
    expect(gone).to.be.below(1500);
    await until(() => command.runningCount === 0);
  });

  it('a group that ignores SIGTERM gets SIGKILL 2000 ms after the abort; no orphan survives', async () => {
    const pids = join(dir, 'pids');
    const controller = new AbortController();
    // `trap '' TERM` ignores SIGTERM in the shell and in the sleep it starts.
    const running = tool(`trap '' TERM; sleep 100 & echo $! >> ${pids}; echo $$ >> ${pids}; wait`).execute({}, call('{}', controller));
    const [child, shell] = (await pidsIn(pids, 2)) as [number, number];
    const aborted = Date.now();
    controller.abort();
    await failure(running);
    await pause(1500);
    expect(groupMembers(shell).sort(), 'both still alive before the grace ends').to.deep.equal([child, shell].sort());
    const gone = await groupGone(shell, 5000);
    expect(gone, 'the group was killed').to.be.at.least(0);
    expect(Date.now() - aborted, 'not before the 2000 ms grace').to.be.at.least(2000);
  });

  it('whatever the command leaves running in its group when it exits is stopped; the output is not held back', async () => {
    const pids = join(dir, 'pids');
    const started = Date.now();
    const output = await tool(`sleep 100 & echo $! >> ${pids}; echo done`).execute({}, call('{}'));
    expect(output).to.equal('done');
    expect(Date.now() - started).to.be.below(1500);
    const [child] = (await pidsIn(pids, 1)) as [number];
    expect(await groupGone(child, 1500), 'the leftover sleep').to.be.at.least(0);
  });

  it('calls run concurrently, each with its own call id', async () => {
    const command = tool('sleep 0.3; echo "$PARLEY_CALL_ID"');
    const started = Date.now();
    const outputs = await Promise.all(['a', 'b', 'c'].map((id) => command.execute({}, call('{}', undefined, `call_${id}`))));
    expect(outputs).to.deep.equal(['call_a', 'call_b', 'call_c']);
    expect(Date.now() - started).to.be.below(2500);
  });

  it('commands of many tools running at once share one exit hook (no listener warning)', async () => {
    const before = process.listenerCount('exit');
    const controller = new AbortController();
    const tools = Array.from({ length: 12 }, (_, index) => new CommandTool({ name: `t${index}`, command: 'sleep 100' }));
    const running = tools.map((each) => each.execute({}, call('{}', controller)).catch(() => undefined));
    expect(process.listenerCount('exit')).to.equal(before + 1);
    expect(tools.map((each) => each.runningCount)).to.deep.equal(tools.map(() => 1));
    controller.abort();
    await Promise.all(running);
    await until(() => tools.every((each) => each.runningCount === 0));
    expect(process.listenerCount('exit')).to.equal(before);
  });

  it('keeps its definition: description "" and empty object parameters by default', () => {
    const bare = tool('true');
    expect({ name: bare.name, description: bare.description, parameters: bare.parameters }).to.deep.equal({
      name: 'current_time',
      description: '',
      parameters: { type: 'object', properties: {} },
    });
    expect([bare.timeoutMs, bare.behavior, bare.onInterrupt]).to.deep.equal([undefined, undefined, undefined]);
    const full = new CommandTool({
      name: 'book_table',
      description: 'Books a table.',
      parameters: { type: 'object', properties: { at: { type: 'string' } } },
      timeoutMs: 5000,
      behavior: 'background',
      onInterrupt: 'keep',
      command: 'true',
    });
    expect([full.timeoutMs, full.behavior, full.onInterrupt, full.command]).to.deep.equal([5000, 'background', 'keep', 'true']);
  });
});
