// Summarizes several bench runs (issue 17: "several full runs, with their range"):
//   node bench/summarize.mjs [results.json …]   (default: every bench/results/run-*.json that is not --quick)
// For each figure with a target: the median over the runs, the range (min–max), and how many runs
// met spec 07's and issue 17's targets, beside issue 17's "today". Prints Markdown.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median, round } from './lib/stats.mjs';
import { TARGETED_FIGURES, meets, valueAt } from './lib/targets.mjs';

const RESULTS = fileURLToPath(new URL('results/', import.meta.url));
const OTHER_FIGURES = [
  'throughput.baseline_eps',
  'throughput.parley_eps',
  'throughput.parley_batches_eps',
  'throughput.peer_eps',
  'throughput.cpu_ratio_vs_baseline',
  'outbound.bare_fps',
  'outbound.parley_fps',
  'outbound.cpu_ratio_vs_bare',
  'concurrency.floor.conversations',
  'concurrency.lag_p50_ms',
  'concurrency.cpu_percent',
  'concurrency.rss_marginal_per_conversation_kb',
  'barge_in.idle_p99_ms',
  'barge_in.loaded_80_beside_conversations',
];

const files =
  process.argv.length > 2
    ? process.argv.slice(2)
    : readdirSync(RESULTS)
        .filter((name) => /^run-.*\.json$/.test(name) && !name.endsWith('-quick.json'))
        .sort()
        .map((name) => `${RESULTS}${name}`);
if (files.length === 0) {
  process.stderr.write('summarize: no full runs in bench/results (run `npm run bench` first, or name result files)\n');
  process.exit(2);
}
const runs = files.map((file) => JSON.parse(readFileSync(file, 'utf8')));

const fmt = (value) => (value === null || value === undefined ? 'n/a' : value.toLocaleString('en-US'));
const spread = (path) => {
  const values = runs.map((run) => valueAt(run, path)).filter((value) => value !== null);
  if (values.length === 0) return { values, text: 'n/a', range: 'n/a' };
  const range = values.length === 1 ? fmt(values[0]) : `${fmt(Math.min(...values))} – ${fmt(Math.max(...values))}`;
  return { values, text: fmt(round(median(values), 3)), range };
};
const met = (path, target) => {
  if (target === undefined) return '';
  const passes = runs.map((run) => meets(valueAt(run, path), target)).filter((pass) => pass !== null);
  return `${target.text}: ${passes.filter(Boolean).length}/${passes.length}`;
};

const out = [];
out.push(`${runs.length} run(s): ${runs.map((run) => `${run.date} (${run.quick ? 'quick' : 'full'}, ${run.duration_s} s)`).join(', ')}`);
out.push(`node ${runs[0].node}, ${runs[0].cpus} × ${runs[0].cpu_model}`);
out.push('');
out.push('| figure | median | range | spec 07 target: runs met | issue 17 target: runs met | issue 17 "today" |');
out.push('| --- | --- | --- | --- | --- | --- |');
for (const figure of TARGETED_FIGURES) {
  const { text, range } = spread(figure.path);
  out.push(
    `| \`${figure.path}\` | ${text} | ${range} | ${met(figure.path, figure.spec07)} | ${met(figure.path, figure.issue17)} | ${fmt(figure.today)} |`,
  );
}
for (const path of OTHER_FIGURES) {
  const { text, range } = spread(path);
  out.push(`| \`${path}\` | ${text} | ${range} | | | |`);
}
process.stdout.write(`${out.join('\n')}\n`);
