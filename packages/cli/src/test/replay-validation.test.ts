import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli.js';

function capture(): { out: string[]; err: string[]; output: { out(text: string): void; err(text: string): void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, output: { out: (text) => out.push(text), err: (text) => err.push(text) } };
}

// Issue 16 item 13: what `parley replay` says about files that are not scenarios.
describe('parley replay: invalid scenario files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-replay-invalid-'));
  });

  async function replay(content: unknown, ...flags: string[]): Promise<{ code: number; out: string; err: string }> {
    const file = join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify(content));
    const io = capture();
    const code = await runCli(['replay', ...flags, file], io.output);
    return { code, out: io.out.join(''), err: io.err.join('') };
  }

  it('[] and {} are refused with exit 2, naming what is wrong, never a TypeError', async () => {
    const list = await replay([]);
    expect(list.code).to.equal(2);
    expect(list.err).to.equal(`error: ${join(dir, 'scenario.json')}: not a valid scenario:\n  scenario: must be an object\n`);
    expect(list.out).to.equal('');
    const empty = await replay({});
    expect(empty.code).to.equal(2);
    expect(empty.err).to.equal(
      `error: ${join(dir, 'scenario.json')}: not a valid scenario:\n  protocol: is required\n  steps: is required\n`,
    );
  });

  it('a step with "at":"soon" is refused, naming the step, instead of being dropped', async () => {
    const result = await replay({
      protocol: 'v2',
      steps: [
        { at: 0, client: 'text', text: 'hi' },
        { at: 'soon', client: 'close' },
      ],
    });
    expect(result.code).to.equal(2);
    expect(result.err).to.contain('\n  steps[1].at: must be a number\n');
  });

  it('--check: an invalid file fails with its problems, the others still run', async () => {
    const result = await replay({ protocol: 'v2', steps: [{ at: 0, client: 'shout' }], expect: { closed: 'requested' } }, '--check');
    expect(result.code).to.equal(1);
    expect(result.out).to.contain('  FAIL  scenario.json\n').and.contain('steps[0].client: must be one of "audio", "text"');
    expect(result.out).to.contain('scenarios: 0 passed, 1 failed');
  });

  it('--check: a scenario with nothing to check says so and fails, whatever its protocol', async () => {
    const result = await replay({ protocol: 'v9', steps: [] }, '--check');
    expect(result.code).to.equal(1);
    expect(result.out).to.equal(
      '  FAIL  scenario.json\n        nothing to check: give "expect" one of connect, wire, events, delegate, errors, closed, stats\n' +
        'scenarios: 0 passed, 1 failed\n',
    );
    const unknownOnly = await replay({ protocol: 'v2', steps: [], expect: { mine: 1 } }, '--check');
    expect(unknownOnly.out).to.contain('nothing to check');
  });

  it('replay <folder> without --check says to name a file or use --check (exit 2), not EISDIR', async () => {
    const io = capture();
    expect(await runCli(['replay', dir], io.output)).to.equal(2);
    expect(io.err.join('')).to.equal(`error: ${dir} is a folder: name one scenario file, or use --check to check every scenario in it\n`);
  });

  it('a missing file: exit 2 naming it; with --check it fails that entry only', async () => {
    const missing = join(dir, 'missing.json');
    const io = capture();
    expect(await runCli(['replay', missing], io.output)).to.equal(2);
    expect(io.err.join('')).to.equal(`error: ${missing}: no such file\n`);
    const check = capture();
    expect(await runCli(['replay', '--check', missing], check.output)).to.equal(1);
    expect(check.out.join('')).to.contain(`${missing}: no such file`);
  });
});
