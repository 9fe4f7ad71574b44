import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '@parley/cli';

function samplesOf(wav: Buffer): Int16Array {
  const data = wav.subarray(44);
  return new Int16Array(data.buffer, data.byteOffset, data.length / 2);
}

/** The demo's clock, fixed: its current_time tool says 10:15 on every run. */
const now = (): Date => new Date(2026, 0, 1, 10, 15);

describe('parley demo: the WAV it writes and its timeline', function () {
  this.timeout(120000);
  const dir = mkdtempSync(join(tmpdir(), 'parley-demo-'));
  const files = [join(dir, 'first.wav'), join(dir, 'second.wav')];
  /** What each run printed. */
  const printed: string[] = [];

  before(async function () {
    this.timeout(120000);
    for (const out of files) {
      let text = '';
      expect(await runDemo({ out, now }, { out: (chunk) => (text += chunk), err: (chunk) => (text += chunk) })).to.equal(0);
      printed.push(text);
    }
  });

  it('v2: the scripted user asks the time once; the timeline shows the tool call, its output, one response.create, the spoken time', () => {
    const v2 = (printed[0] as string).slice((printed[0] as string).indexOf('protocol v2'));
    const lines = v2.split('\n').map((line) => line.replace(/^\s*\d+\.\d\ds {2}/, ''));
    const from = lines.indexOf('user: What is the current time?');
    expect(from, v2).to.be.greaterThan(0);
    const to = lines.findIndex((line, index) => index > from && line.startsWith('user: '));
    expect(lines.slice(from, to).filter((line) => !line.startsWith('[session]'))).to.deep.equal([
      'user: What is the current time?',
      '→ response.create',
      '[tool] call current_time {} (call_1)',
      '[tool] result current_time: 10:15',
      '→ function_call_output call_1: "10:15"', // the wire tap prints when the socket writes: after the event
      '→ response.create',
      'assistant: 10:15',
    ]);
    expect(printed[0]).not.to.include('[fatal error]');
  });

  it('live: the timeline shows the delegation offset, the late fragments, the routing time and why, the commentary spoken back, the server barge-in, the fixed end', () => {
    for (const text of printed) {
      const live = text.slice(text.indexOf('protocol live'));
      const lines = live.split('\n').map((line) => line.replace(/^\s*\d+\.\d\ds\s+t=\d+\s+/, ''));
      const find = (pattern: RegExp): number => lines.findIndex((line) => pattern.test(line));
      const delegation = find(/^\[delegation\] deleg_1 at offset_ms \d+ \(target client\); the transcript reaches \d+ ms: it waits/);
      const late = find(/^\[late fragment\] " Paris\?" \[\d+, \d+\) after the delegation$/);
      const routed = find(/^\[routed\] deleg_1 \d+ ms after it arrived, because the transcript caught up with its offset: "user: /);
      const commentary = find(/^→ commentary \(deleg_1\): "It is 18 degrees and sunny in Paris, with a light breeze from the west\."/);
      const spoken = find(/^assistant: It is 18 degrees and sunny in Paris, with a light breeze from the west\.$/);
      const bargeIn = find(/^\[barge-in\] the server stopped the model by itself/);
      const end = find(/^\[end\] the timeline reached 36000 ms/);
      expect(
        [delegation, late, routed, commentary, spoken, bargeIn, end].every((index) => index >= 0),
        live,
      ).to.equal(true);
      expect(
        delegation < late && late < routed && routed < commentary && commentary < spoken && spoken < bargeIn && bargeIn < end,
        live,
      ).to.equal(true);
      expect(live).to.include('[closed] requested');
      expect(live).not.to.include('[error]');
    }
  });

  it('is byte-identical across runs, with silence between answers and no click at the barge-in cuts', () => {
    const [first, second] = files.map((file) => readFileSync(file)) as [Buffer, Buffer];
    expect(first.length).to.equal(second.length);
    expect(first.equals(second)).to.equal(true);

    const samples = samplesOf(first);
    // Silence between turns: runs of at least 500 ms of exact zeros, one fewer than the answers.
    const gaps: number[] = [];
    let run = 0;
    for (const sample of samples) {
      if (sample === 0) run += 1;
      else {
        if (run >= 12000) gaps.push(run);
        run = 0;
      }
    }
    expect(gaps.length).to.be.at.least(14); // v1: 6 answers, v2: 5 (the time included), live: 5 utterances; one audio stream
    // No hard cut: where an answer ends and a gap begins, the last samples are (nearly) silent.
    let edges = 0;
    for (let i = 1; i < samples.length; i += 1) {
      if (
        samples[i] === 0 &&
        samples[i - 1] !== 0 &&
        i + 12000 < samples.length &&
        samples.subarray(i, i + 12000).every((sample) => sample === 0)
      ) {
        edges += 1;
        expect(Math.abs(samples[i - 1] as number), `the sample before the gap at ${i}`).to.be.below(600);
      }
    }
    expect(edges).to.equal(gaps.length);
  });
});
