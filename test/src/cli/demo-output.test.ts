import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '@parley/cli';

function samplesOf(wav: Buffer): Int16Array {
  const data = wav.subarray(44);
  return new Int16Array(data.buffer, data.byteOffset, data.length / 2);
}

describe('parley demo: the WAV it writes', function () {
  this.timeout(120000);

  it('is byte-identical across runs, with silence between answers and no click at the barge-in cuts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-demo-'));
    const files = [join(dir, 'first.wav'), join(dir, 'second.wav')];
    const quiet = { out: () => undefined, err: () => undefined };
    for (const out of files) expect(await runDemo({ out }, quiet)).to.equal(0);
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
    expect(gaps.length).to.be.at.least(8); // v1: 6 answers, v2: 4 answers, one audio stream
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
