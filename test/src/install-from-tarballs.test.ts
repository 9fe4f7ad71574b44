import { expect } from 'chai';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { RealtimeSimulator } from '@parley/testkit';
import { snippetFolder } from './support/readme-snippets.js';
import {
  cleanEnvironment,
  installableWorkspaces,
  offlineProject,
  packWorkspaces,
  repositoryRoot,
  runIn,
  writeJson,
  type PackedPackage,
} from './support/tarball-project.js';

/** The environment of a user's shell: no npm variables of ours, no key, no Parley settings. */
function userEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = cleanEnvironment();
  for (const key of Object.keys(env)) if (key === 'OPENAI_API_KEY' || key.startsWith('PARLEY_')) delete env[key];
  return { ...env, ...extra };
}

function failure(result: { code: number; stdout: string; stderr: string }): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}`;
}

// Issue 16 item 1: `npm pack` every package, install the tarballs (and nothing from a registry) into
// a fresh project outside the workspace, type-check the README's snippets there with
// `skipLibCheck: false` under the tsconfig the README documents, and run them against the simulator.
describe('Installing the packed packages into a fresh project, offline', function () {
  this.timeout(240_000);
  let project: string;
  let packed: PackedPackage[];
  const rootLicense = readFileSync(join(repositoryRoot, 'LICENSE'), 'utf8');

  before(async function () {
    project = mkdtempSync(join(tmpdir(), 'parley-install-'));
    mkdirSync(join(project, 'tarballs'));
    packed = await packWorkspaces(installableWorkspaces(), join(project, 'tarballs'));
  });

  after(() => {
    if (project !== undefined) rmSync(project, { recursive: true, force: true });
  });

  it('packs every workspace package that has an entry point (discovered from the workspace list)', () => {
    const names = packed.map((p) => p.manifest.name).sort();
    expect(names).to.include.members([
      '@parley/cli',
      '@parley/core',
      '@parley/parser-v1',
      '@parley/parser-v2',
      '@parley/testkit',
      '@parley/transport-ws',
    ]);
    expect(names).to.deep.equal(
      installableWorkspaces()
        .map((w) => w.manifest.name)
        .sort(),
    );
  });

  it('tarballs hold only compiled JS, declarations, README, LICENSE, and source maps with their sources', () => {
    for (const p of packed) {
      const files = new Set(p.files);
      const where = p.manifest.name;
      for (const required of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']) {
        expect(files.has(required), `${where} ships ${required}`).to.equal(true);
      }
      for (const file of p.files) {
        const allowed =
          ['package.json', 'README.md', 'LICENSE'].includes(file) ||
          /^dist\/.+\.(js|d\.ts|js\.map|d\.ts\.map)$/.test(file) ||
          /^src\/.+\.(ts|md)$/.test(file) ||
          /^bin\/[\w-]+\.js$/.test(file);
        expect(allowed, `${where} ships ${file}`).to.equal(true);
        expect(file, `${where}: no build info`).not.to.match(/tsbuildinfo/);
        expect(file, `${where}: no tests`).not.to.match(/^(dist|src)\/test\//);
      }
      for (const file of p.files) {
        const text = readFileSync(join(repositoryRoot, p.dir, file), 'utf8');
        if (file.endsWith('.map')) {
          const map = JSON.parse(text) as { sources: string[] };
          for (const source of map.sources) {
            const target = posix.normalize(posix.join(posix.dirname(file), source));
            expect(files.has(target), `${where}: ${file} points at ${target}, which is shipped`).to.equal(true);
          }
        } else if (/\.(js|d\.ts)$/.test(file)) {
          const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
          if (url !== undefined) {
            const target = posix.join(posix.dirname(file), url);
            expect(files.has(target), `${where}: ${file} names its map ${target}, which is shipped`).to.equal(true);
          }
        }
      }
    }
  });

  it('every package is Apache-2.0, with the root LICENSE in its tarball', () => {
    expect(rootLicense).to.match(/^\s+Apache License\s+Version 2\.0, January 2004/);
    const rootManifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as { license?: string };
    expect(rootManifest.license).to.equal('Apache-2.0');
    for (const p of packed) {
      expect(p.manifest.license, p.manifest.name).to.equal('Apache-2.0');
      expect(readFileSync(join(repositoryRoot, p.dir, 'LICENSE'), 'utf8'), `${p.manifest.name}/LICENSE`).to.equal(rootLicense);
    }
  });

  it('siblings depend on each other by caret ranges that the packed versions satisfy', () => {
    const versions = new Map(packed.map((p) => [p.manifest.name, p.manifest.version]));
    for (const p of packed) {
      for (const [name, range] of Object.entries({ ...p.manifest.dependencies, ...p.manifest.devDependencies })) {
        if (!name.startsWith('@parley/')) continue;
        expect(range, `${p.manifest.name} → ${name}`).to.equal(`^${versions.get(name)}`);
      }
    }
  });

  describe('in a fresh project outside the workspace', () => {
    before(async function () {
      const { manifest, lock } = offlineProject(
        packed,
        { dependencies: ['inversify'], devDependencies: ['typescript', '@types/node'] },
        'tarballs',
      );
      writeJson(join(project, 'package.json'), manifest);
      writeJson(join(project, 'package-lock.json'), lock);
      const started = Date.now();
      const install = await runIn(project, 'npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], userEnvironment());
      expect(install.code, `npm ci --offline from the tarballs:\n${failure(install)}`).to.equal(0);
      expect(Date.now() - started, 'the offline install takes well under a minute').to.be.below(60_000);
      for (const file of readdirSync(join(repositoryRoot, snippetFolder))) {
        if (file.endsWith('.ts') || file === 'tsconfig.json') copyFileSync(join(repositoryRoot, snippetFolder, file), join(project, file));
      }
    });

    it('installed every package from its tarball, not from a link into the workspace', () => {
      for (const p of packed) {
        const installed = join(project, 'node_modules', ...p.manifest.name.split('/'));
        expect(existsSync(join(installed, 'package.json')), p.manifest.name).to.equal(true);
        expect(existsSync(join(installed, 'dist', 'test')), `${p.manifest.name} without tests`).to.equal(false);
        expect(existsSync(join(installed, 'LICENSE')), `${p.manifest.name}/LICENSE`).to.equal(true);
      }
    });

    it('type-checks every README snippet with skipLibCheck: false under the documented tsconfig', async () => {
      const tsconfig = JSON.parse(readFileSync(join(project, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
      expect(tsconfig.compilerOptions.skipLibCheck).to.equal(false);
      expect(tsconfig.compilerOptions.strict).to.equal(true);
      expect(tsconfig.compilerOptions.experimentalDecorators, 'the snippets need no decorators').to.equal(undefined);
      const check = await runIn(project, process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], userEnvironment());
      expect(check.code, `tsc in the fresh project:\n${failure(check)}`).to.equal(0);
      expect(existsSync(join(project, 'dist', 'quick-start.js'))).to.equal(true);
    });

    it('runs the Quick start against the simulator on 127.0.0.1: it prints the answer and ends by itself', async () => {
      const simulator = new RealtimeSimulator({ protocol: 'v2', speed: 50 });
      try {
        const { url } = await simulator.start();
        const run = await runIn(project, process.execPath, ['dist/quick-start.js'], userEnvironment({ PARLEY_REALTIME_URL: url }), 30_000);
        expect(run.code, failure(run)).to.equal(0);
        expect(run.stdout).to.match(/^assistant: \S.*\n$/);
        const sent = simulator.connections[0]?.messages.map((message) => (message as { type?: string }).type);
        expect(sent?.slice(0, 3)).to.deep.equal(['session.update', 'conversation.item.create', 'response.create']);
      } finally {
        await simulator.close();
      }
    });

    it('the Quick start without a key says what to set, with no stack trace, and exits 1 (before any connection)', async () => {
      const run = await runIn(project, process.execPath, ['dist/quick-start.js'], userEnvironment(), 30_000);
      expect(run.code).to.equal(1);
      expect(run.stderr).to.include(
        'No API key: set OPENAI_API_KEY, or set PARLEY_REALTIME_URL to a local server (npx parley simulate).\n',
      );
      expect(run.stderr).not.to.match(/^\s+at /m);
      expect(run.stdout).to.equal('');
    });

    it('runs the simulator and testkit snippets to their end', async () => {
      for (const snippet of ['simulator', 'simulator-test', 'testkit']) {
        const run = await runIn(project, process.execPath, [`dist/${snippet}.js`], userEnvironment(), 30_000);
        expect(run.code, `${snippet}: ${failure(run)}`).to.equal(0);
      }
    });

    it('the installed parley command runs', async () => {
      const run = await runIn(project, join(project, 'node_modules', '.bin', 'parley'), ['--help'], userEnvironment(), 30_000);
      expect(run.code, failure(run)).to.equal(0);
      expect(run.stdout).to.include('replay');
    });
  });
});
