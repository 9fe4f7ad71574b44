// Reads a V8 .cpuprofile (node --cpu-prof) and sums self time per function and per package.
import { readFileSync } from 'node:fs';

/** Where a frame's code lives: a workspace package, a dependency, node internals, or V8. */
export function areaOf(url) {
  if (url === '') return '(v8/native)';
  if (url.startsWith('node:')) return 'node';
  const parley = /packages\/([^/]+)\/dist\//.exec(url);
  if (parley) return `@parley/${parley[1]}`;
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (dependency) return dependency[1];
  if (url.includes('/bench/')) return 'bench';
  return url;
}

function shortUrl(url) {
  const parley = /packages\/([^/]+\/)dist\/(.+)$/.exec(url);
  if (parley) return `${parley[1]}${parley[2]}`;
  const dependency = /node_modules\/(.+)$/.exec(url);
  if (dependency) return dependency[1];
  const bench = /\/(bench\/.+)$/.exec(url);
  if (bench) return bench[1];
  return url;
}

/**
 * Self time per function (name, file, line) and per area, in ms and % of the sampled time
 * (idle excluded from the %), sorted by self time; only the samples inside `window` when given.
 */
export function summarizeProfile(path, top = 25, window = undefined) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  const deltas = profile.timeDeltas;
  // Sample timestamps are on V8's monotonic clock (µs), the clock of process.hrtime on Linux:
  // `window` ([startUs, endUs] from process.hrtime) keeps only the samples of the measured part.
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    at += deltas[i] ?? 0;
    if (window !== undefined && (at < window[0] || at > window[1])) continue;
    const id = profile.samples[i];
    const dt = deltas[i + 1] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  }
  const functions = new Map();
  const areas = new Map();
  let total = 0;
  let idle = 0;
  let gc = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    const frame = node.callFrame;
    const name = frame.functionName || '(anonymous)';
    if (name === '(idle)') {
      idle += us;
      continue;
    }
    if (name === '(garbage collector)') gc += us;
    total += us;
    const key = `${name} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
    const area = name.startsWith('(') ? name : areaOf(frame.url);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const rows = (map) =>
    [...map.entries()].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000, percent: (us / total) * 100 }));
  return {
    busyMs: total / 1000,
    idleMs: idle / 1000,
    gcPercent: (gc / total) * 100,
    functions: rows(functions).slice(0, top),
    areas: rows(areas),
  };
}
