import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root (this file runs from `test/dist/support/`). */
export const repositoryRoot = join(import.meta.dirname, '..', '..', '..');

/** A package.json, as far as these tests read it. */
export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  exports?: unknown;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  [key: string]: unknown;
}

/** A workspace package of the repository. */
export interface WorkspacePackage {
  /** Its folder, relative to the root (`packages/core`). */
  dir: string;
  manifest: Manifest;
}

/** What `npm pack --json` says about one tarball. */
export interface PackedPackage extends WorkspacePackage {
  filename: string;
  integrity: string;
  /** The paths inside the package (`dist/index.js`, `LICENSE`, …). */
  files: string[];
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/**
 * The workspace packages a user can install: every workspace of the root package.json with an
 * entry point (`exports`). Discovered, so a package added to the workspace list is packed too.
 */
export function installableWorkspaces(): WorkspacePackage[] {
  const root = readJson<{ workspaces: string[] }>(join(repositoryRoot, 'package.json'));
  return root.workspaces
    .map((dir) => ({ dir, manifest: readJson<Manifest>(join(repositoryRoot, dir, 'package.json')) }))
    .filter((workspace) => workspace.manifest.exports !== undefined);
}

/** An environment for child npm processes without the `npm_*` variables of the `npm test` around us. */
export function cleanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.toLowerCase().startsWith('npm_')) env[key] = value;
  return { ...env, ...extra };
}

/** Packs the workspaces (one `npm pack` call) into `destination`. */
export async function packWorkspaces(workspaces: WorkspacePackage[], destination: string): Promise<PackedPackage[]> {
  const args = ['pack', '--json', '--pack-destination', destination, ...workspaces.flatMap((w) => ['-w', w.dir])];
  const { stdout } = await run('npm', args, { cwd: repositoryRoot, env: cleanEnvironment(), maxBuffer: 64 * 1024 * 1024 });
  const results = JSON.parse(stdout) as { name: string; filename: string; integrity: string; files: { path: string }[] }[];
  return results.map((result) => {
    const workspace = workspaces.find((w) => w.manifest.name === result.name);
    if (workspace === undefined) throw new Error(`npm pack packed ${result.name}, which is not a workspace asked for`);
    return { ...workspace, filename: result.filename, integrity: result.integrity, files: result.files.map((file) => file.path) };
  });
}

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

interface Lockfile {
  packages: Record<string, LockEntry>;
}

/** Where Node finds `name` from the package at `from` (a path of the root lock's `packages`). */
function locate(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
    if (packages[candidate] !== undefined) return candidate;
    if (base === '') return undefined;
    const up = base.lastIndexOf('/node_modules/');
    base = up === -1 ? '' : base.slice(0, up);
  }
}

/**
 * The package-lock.json of a fresh project that depends on the tarballs (as `file:` specs) and on
 * `extra` registry packages (versions as the repository's lock has them): every registry package
 * is the exact version and integrity the repository's lock installed, so `npm ci --offline`
 * takes them from the npm cache that the repository's own `npm ci` filled, and nothing from a
 * registry. Returns the lock and the matching package.json.
 */
export function offlineProject(
  packed: PackedPackage[],
  extra: { dependencies: string[]; devDependencies: string[] },
  tarballFolder: string,
): { manifest: Manifest; lock: object } {
  const rootLock = readJson<Lockfile>(join(repositoryRoot, 'package-lock.json'));
  const source = rootLock.packages;
  const byDir = new Map(packed.map((p) => [p.dir, p]));
  const entries: Record<string, LockEntry> = {};
  const seen = new Set<string>();
  const target = (lockPath: string): string => {
    for (const [dir, p] of byDir) {
      if (lockPath === dir) return `node_modules/${p.manifest.name}`;
      if (lockPath.startsWith(`${dir}/`)) return `node_modules/${p.manifest.name}/${lockPath.slice(dir.length + 1)}`;
    }
    return lockPath;
  };
  const visit = (lockPath: string): void => {
    if (seen.has(lockPath)) return;
    seen.add(lockPath);
    const entry = source[lockPath];
    if (entry === undefined) throw new Error(`the lock has no ${lockPath}`);
    const tarball = byDir.get(lockPath);
    const copy: LockEntry = { ...entry };
    delete copy.dev;
    delete copy.devOptional;
    delete copy.peer;
    delete copy.devDependencies;
    if (tarball !== undefined) {
      delete copy.name;
      copy.version = tarball.manifest.version;
      copy.resolved = `file:${tarballFolder}/${tarball.filename}`;
      copy.integrity = tarball.integrity;
    }
    entries[target(lockPath)] = copy;
    const optional = new Set([
      ...Object.keys(entry.optionalDependencies ?? {}),
      ...Object.entries(entry.peerDependenciesMeta ?? {})
        .filter(([, meta]) => meta.optional === true)
        .map(([name]) => name),
    ]);
    const names = new Set([
      ...Object.keys(entry.dependencies ?? {}),
      ...Object.keys(entry.optionalDependencies ?? {}),
      ...Object.keys(entry.peerDependencies ?? {}),
    ]);
    for (const name of names) {
      const found = locate(source, lockPath, name);
      if (found === undefined) {
        if (optional.has(name)) continue;
        throw new Error(`the lock does not say where ${lockPath} finds ${name}`);
      }
      visit(resolveLink(source, found));
    }
  };
  const resolveLink = (packages: Record<string, LockEntry>, lockPath: string): string => {
    const entry = packages[lockPath];
    if (entry?.link === true && typeof entry.resolved === 'string') {
      if (!byDir.has(entry.resolved)) throw new Error(`${lockPath} is a workspace that was not packed (${entry.resolved})`);
      return entry.resolved;
    }
    return lockPath;
  };

  const dependencies: Record<string, string> = {};
  const devDependencies: Record<string, string> = {};
  for (const p of packed) {
    dependencies[p.manifest.name] = `file:${tarballFolder}/${p.filename}`;
    visit(p.dir);
  }
  const registry = (names: string[], into: Record<string, string>): void => {
    for (const name of names) {
      const found = locate(source, '', name);
      const version = found === undefined ? undefined : source[found]?.version;
      if (found === undefined || version === undefined) throw new Error(`the repository's lock has no ${name}`);
      into[name] = `^${version}`;
      visit(found);
    }
  };
  registry(extra.dependencies, dependencies);
  registry(extra.devDependencies, devDependencies);
  const manifest: Manifest = {
    name: 'parley-install-check',
    version: '1.0.0',
    private: true,
    type: 'module',
    dependencies,
    devDependencies,
  };
  const lock = {
    name: manifest.name,
    version: manifest.version,
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name: manifest.name, version: manifest.version, dependencies, devDependencies }, ...sortKeys(entries) },
  };
  return { manifest, lock };
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** Writes a JSON file the way npm does (two spaces, final newline). */
export function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Runs a command in `cwd`; resolves with its output and exit code (never rejects on a non-zero exit). */
export async function runIn(
  cwd: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = cleanEnvironment(),
  timeoutMs = 120_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: unknown; stdout?: string; stderr?: string };
    return {
      code: typeof failure.code === 'number' ? failure.code : -1,
      stdout: failure.stdout ?? '',
      stderr: failure.stderr ?? String(error),
    };
  }
}

/** A path relative to the repository root, for messages. */
export function fromRoot(path: string): string {
  return relative(repositoryRoot, path);
}
