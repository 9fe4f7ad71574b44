// `node bench/run.mjs --profile`: CPU profiles of the hot paths (node --cpu-prof), summarized as
// self time per function and per package. Profiles go to bench/results/profiles/*.cpuprofile (open
// them in Chrome DevTools → Performance, or VS Code), the summary to bench/results/profile.json.
//   throughput-parley   the parley throughput client on the full stream (as in section 1)
//   throughput-baseline the bare ws client on the same stream (the floor, for comparison)
//   live-parley         the live client with K Parley conversations (as in section 2)
//   live-ws             the live client with K bare ws sockets doing the same work (the floor)
// Options: --frames=N (default 200,000), --conversations=K (default 400), --seconds=S (default 5),
//          --only=throughput-parley,live-parley,...
// Only the samples of the measured part count (the measured stream; the live window), not start-up.
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { summarizeProfile } from './lib/cpu-profile.mjs';
import { Child } from './lib/proc.mjs';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const OUT = `${BENCH}results/profiles`;

async function profiled(name, script, args, interval) {
  const dir = `${OUT}/tmp-${name}`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const child = new Child(script, args, {
    execArgv: ['--expose-gc', '--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${interval}`],
  });
  const result = await child.next('result', 300_000);
  await child.exited;
  const file = readdirSync(dir).find((entry) => entry.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no profile written for ${name}`);
  const target = `${OUT}/${name}.cpuprofile`;
  renameSync(`${dir}/${file}`, target);
  rmSync(dir, { recursive: true, force: true });
  return { result, path: target };
}

function print(name, summary, note) {
  const log = (line) => process.stdout.write(`${line}\n`);
  log(`\n== ${name}: ${note}`);
  log(`   busy ${summary.busyMs.toFixed(0)} ms (idle ${summary.idleMs.toFixed(0)} ms), GC ${summary.gcPercent.toFixed(1)}% of busy`);
  log('   self time by package:');
  for (const row of summary.areas.slice(0, 10)) log(`     ${row.percent.toFixed(1).padStart(5)}%  ${row.name}`);
  log('   self time by function:');
  for (const row of summary.functions) log(`     ${row.percent.toFixed(1).padStart(5)}%  ${row.ms.toFixed(0).padStart(6)} ms  ${row.name}`);
}

export async function runProfiles(args) {
  mkdirSync(OUT, { recursive: true });
  const frames = Number(args.frames ?? 200_000);
  const conversations = Number(args.conversations ?? 400);
  const seconds = Number(args.seconds ?? 5);
  const only = (args.only ?? 'throughput-parley,throughput-baseline,live-parley,live-ws').split(',');
  const summaries = {};

  if (only.some((name) => name.startsWith('throughput-'))) {
    const server = new Child('servers/stream-server.mjs');
    const { port } = await server.next('ready', 10_000);
    try {
      for (const kind of ['parley', 'baseline']) {
        const name = `throughput-${kind}`;
        if (!only.includes(name)) continue;
        const { result, path } = await profiled(name, 'clients/throughput-client.mjs', [kind, String(port), String(frames), '20000'], 100);
        const summary = summarizeProfile(path, 30, result.windowUs);
        summaries[name] = { eps_under_profiler: Math.round(result.eps), frames, profile: path, window_us: result.windowUs, ...summary };
        print(
          name,
          summary,
          `${frames.toLocaleString('en-US')} frames (+20,000 warm-up), ${Math.round(result.eps).toLocaleString('en-US')} events/s under the profiler`,
        );
      }
    } finally {
      await server.stop();
    }
  }

  for (const stack of ['parley', 'ws']) {
    const name = `live-${stack}`;
    if (!only.includes(name)) continue;
    const server = new Child('servers/live-server.mjs');
    const { port } = await server.next('ready', 10_000);
    try {
      const options = JSON.stringify({ port, conversations, seconds, warmSeconds: 1, stack });
      const { result, path } = await profiled(name, 'clients/live-client.mjs', [options], 250);
      const summary = summarizeProfile(path, 30, result.windowUs);
      summaries[name] = {
        conversations,
        seconds,
        cpu_percent: result.cpuPercent,
        lag_p99_ms: result.lagP99Ms,
        profile: path,
        window_us: result.windowUs,
        ...summary,
      };
      print(name, summary, `${conversations} conversations for ${seconds} s, cpu ${result.cpuPercent.toFixed(1)}% in the window`);
    } finally {
      await server.stop();
    }
  }
  writeFileSync(
    `${BENCH}results/profile.json`,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, summaries }, null, 2)}\n`,
  );
  process.stdout.write(`\nwrote bench/results/profile.json and bench/results/profiles/*.cpuprofile\n`);
}
