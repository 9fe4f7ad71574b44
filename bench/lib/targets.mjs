// The bench's targets, in one place for run.mjs (one run's table) and summarize.mjs (several runs):
// spec 07's (the original bar) and issue 17's (stricter, with the figures the issue measured as
// "today" on a quiet 2-core machine, 2026-11-25), so every run shows them side by side.

/** A figure's value in a results object, by its dotted path (`throughput.ratio_vs_baseline`). */
export function valueAt(results, path) {
  let value = results;
  for (const key of path.split('.')) value = value?.[key];
  return typeof value === 'number' ? value : null;
}

/**
 * Every figure with a target. `spec07` / `issue17`: `{ min }` (≥), `{ max }` (≤) or
 * `{ max, strict: true }` (<), with the text shown; `today`: issue 17's figure before its work.
 */
export const TARGETED_FIGURES = [
  {
    key: 'ratio_vs_baseline',
    path: 'throughput.ratio_vs_baseline',
    spec07: { min: 0.8, text: '≥ 0.80' },
    issue17: { min: 1.0, text: '≥ 1.0' },
    today: 0.858,
  },
  {
    key: 'ratio_vs_baseline_batches',
    path: 'throughput.ratio_vs_baseline_batches',
    issue17: { min: 1.0, text: '≥ 1.0' },
    today: 0.86,
  },
  {
    key: 'ratio_vs_peer',
    path: 'throughput.ratio_vs_peer',
    spec07: { min: 2.0, text: '≥ 2.0' },
    issue17: { min: 3.0, text: '≥ 3' },
    today: 3.2,
  },
  { key: 'outbound_ratio', path: 'outbound.ratio_vs_bare', issue17: { min: 0.9, text: '≥ 0.90' }, today: null },
  { key: 'conversations', path: 'concurrency.conversations', spec07: { min: 1000, text: '≥ 1,000' }, today: 700 },
  {
    key: 'conversations_vs_floor',
    path: 'concurrency.conversations_vs_floor',
    issue17: { min: 0.9, text: '≥ 0.90' },
    today: 0.7,
  },
  {
    key: 'cpu_ratio_vs_floor_at_400',
    path: 'concurrency.cpu_ratio_vs_floor_at_400',
    issue17: { max: 1.15, text: '≤ 1.15' },
    today: 1.3,
  },
  { key: 'lag_p99_ms', path: 'concurrency.lag_p99_ms', spec07: { max: 50, strict: true, text: '< 50' }, today: null },
  {
    key: 'dropped_audio_frames',
    path: 'concurrency.dropped_audio_frames',
    spec07: { max: 0, text: '0' },
    today: 0,
  },
  {
    key: 'rss_per_conversation_kb',
    path: 'concurrency.rss_per_conversation_kb',
    spec07: { max: 150, text: '≤ 150' },
    issue17: { max: 64, text: '≤ 64' },
    today: 67.5,
  },
  { key: 'loaded_p99_ms', path: 'barge_in.loaded_p99_ms', spec07: { max: 10, text: '≤ 10' }, today: 25 },
  { key: 'loaded_80_p99_ms', path: 'barge_in.loaded_80_p99_ms', issue17: { max: 10, text: '≤ 10' }, today: null },
];

/** Whether `value` meets `target` (`null` when there is no value or no target). */
export function meets(value, target) {
  if (value === null || value === undefined || target === undefined) return null;
  if (target.min !== undefined) return value >= target.min;
  return target.strict ? value < target.max : value <= target.max;
}

/** `results.targets`: per figure, each set's target text and whether this run met it. */
export function evaluateTargets(results) {
  const targets = {};
  for (const figure of TARGETED_FIGURES) {
    const value = valueAt(results, figure.path);
    targets[figure.key] = {
      path: figure.path,
      value,
      ...(figure.spec07 && { target: figure.spec07.text, pass: meets(value, figure.spec07) }),
      ...(figure.issue17 && { issue17_target: figure.issue17.text, issue17_pass: meets(value, figure.issue17) }),
      issue17_today: figure.today,
    };
  }
  return targets;
}
