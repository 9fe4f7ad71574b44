import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli.js';

function capture(): { out: string[]; err: string[]; output: { out(text: string): void; err(text: string): void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, output: { out: (text) => out.push(text), err: (text) => err.push(text) } };
}

const scenario = {
  name: 'v2 text',
  protocol: 'v2',
  session: { instructions: 'x' },
  steps: [
    { at: 0, server: { type: 'session.updated', session: { id: 'sess_1' } } },
    { at: 5, client: 'text', text: 'hi' },
  ],
  endAt: 10,
  expect: { events: [{ t: 0, type: 'sessionUpdated', sessionId: 'sess_1' }], closed: 'requested' },
};

describe('parley replay', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-replay-'));
  });

  it('--help lists the commands, and replay --help explains replay', async () => {
    const top = capture();
    expect(await runCli(['--help'], top.output)).to.equal(0);
    expect(top.out.join('')).to.contain('replay').and.contain('connect');
    const replay = capture();
    expect(await runCli(['replay', '--help'], replay.output)).to.equal(0);
    expect(replay.out.join('')).to.contain('--check').and.contain('--trace');
  });

  it('writes the trace as JSON Lines: started, the session.update at t=0, events, closed', async () => {
    const file = join(dir, 's.json');
    writeFileSync(file, JSON.stringify(scenario));
    const io = capture();
    expect(await runCli(['replay', file], io.output)).to.equal(0);
    const records = io.out
      .join('')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records[0]).to.deep.equal({ t: 0, connect: { url: 'wss://api.openai.com/v1/realtime?model=gpt-realtime-1.5' } });
    expect(records[1]).to.deep.include({ t: 0 });
    expect((records[1]?.wire as { type: string }).type).to.equal('session.update');
    expect(records[2]).to.deep.equal({ t: 0, event: { type: 'started', protocol: 'v2' } });
    expect(records).to.deep.include({
      t: 5,
      wire: { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] } },
    });
    expect(records[records.length - 2]).to.deep.equal({ t: 10, event: { type: 'closed', reason: 'requested' } });
    // Spec 09 §12: after the last record, one stats record with stats() of the conversation.
    expect(records[records.length - 1]).to.deep.include({ t: 10 });
    expect(records[records.length - 1]?.stats).to.include({ state: 'ended', framesIn: 1, toolCalls: 0 });
  });

  it('--trace writes the trace to a file', async () => {
    const file = join(dir, 's.json');
    const trace = join(dir, 'out', 'trace.jsonl');
    writeFileSync(file, JSON.stringify(scenario));
    expect(await runCli(['replay', file, '--trace', trace], capture().output)).to.equal(0);
    expect(readFileSync(trace, 'utf8').split('\n').filter(Boolean).length).to.be.greaterThan(3);
  });

  it('--check passes a matching scenario and fails a mismatch with a readable diff and exit 1', async () => {
    writeFileSync(join(dir, 'good.json'), JSON.stringify(scenario));
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({ ...scenario, expect: { events: [{ t: 1, type: 'sessionUpdated' }], closed: 'error' } }),
    );
    const io = capture();
    const results = join(dir, 'results.json');
    expect(await runCli(['replay', '--check', dir, '--results', results], io.output)).to.equal(1);
    const text = io.out.join('');
    expect(text).to.contain('ok    good.json');
    expect(text).to.contain('FAIL  bad.json');
    expect(text).to.contain('[events] expected event #0 not found in order');
    expect(text).to.contain('[closed] closed reason: expected "error", actual "requested"');
    expect(text).to.contain('scenarios: 1 passed, 1 failed');
    expect(JSON.parse(readFileSync(results, 'utf8'))).to.deep.equal({ passed: 1, failed: 1 });
  });

  it('an unregistered protocol is a failed start: a start error record, steps fail with not running', async () => {
    const file = join(dir, 's.json');
    writeFileSync(
      file,
      JSON.stringify({
        ...scenario,
        protocol: 'v7',
        expect: { errors: [{ step: 'start' }, { step: 1, message: 'conversation is not running' }] },
      }),
    );
    const io = capture();
    expect(await runCli(['replay', '--check', file], io.output)).to.equal(0);
  });

  it('a file that is not JSON fails that scenario only', async () => {
    writeFileSync(join(dir, 'a.json'), '{ nope');
    writeFileSync(join(dir, 'b.json'), JSON.stringify(scenario));
    const io = capture();
    expect(await runCli(['replay', '--check', dir], io.output)).to.equal(1);
    expect(io.out.join('')).to.contain('not valid JSON').and.contain('1 passed, 1 failed');
  });

  it('usage errors exit 2', async () => {
    const io = capture();
    expect(await runCli(['replay'], io.output)).to.equal(2);
    expect(io.err.join('')).to.contain('exactly one scenario');
  });
});
