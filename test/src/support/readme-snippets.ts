import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repositoryRoot } from './tarball-project.js';

/** Where every README snippet lives: compiled by the pack-and-install test under `tsconfig.json` there. */
export const snippetFolder = 'examples/readme';

/** A fenced code block of a README. */
export interface ReadmeBlock {
  /** The README, relative to the repository root. */
  readme: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The fence's language (`ts`, `json`, `sh`, …). */
  language: string;
  /** The block's text (without the fences, no final newline). */
  text: string;
  /** The `<!-- snippet: path[#region] -->` marker just above, if any. */
  source?: { path: string; region?: string };
}

const markerPattern = /^<!-- snippet: ([^\s#]+)(?:#([\w-]+))? -->$/;
const skipped = new Set(['node_modules', 'dist', '.git', '.test-results', 'results']);

/** Every README.md of the repository (not in node_modules or build output), sorted. */
export function readmeFiles(folder = repositoryRoot): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!skipped.has(entry.name)) found.push(...readmeFiles(join(folder, entry.name)));
    } else if (entry.name === 'README.md') {
      found.push(join(folder, entry.name));
    }
  }
  return found.sort();
}

/** The fenced code blocks of a README, with the snippet marker above each (if any). */
export function readmeBlocks(file: string): ReadmeBlock[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^```(\w*)\s*$/.exec(lines[i] ?? '');
    if (open === null) continue;
    const start = i;
    let end = i + 1;
    while (end < lines.length && lines[end] !== '```') end += 1;
    let previous = start - 1;
    while (previous >= 0 && (lines[previous] ?? '').trim() === '') previous -= 1;
    const marker = markerPattern.exec((lines[previous] ?? '').trim());
    const block: ReadmeBlock = {
      readme: relative(repositoryRoot, file),
      line: start + 1,
      language: open[1] ?? '',
      text: lines.slice(start + 1, end).join('\n'),
    };
    if (marker !== null) block.source = marker[2] === undefined ? { path: marker[1] ?? '' } : { path: marker[1] ?? '', region: marker[2] };
    blocks.push(block);
    i = end;
  }
  return blocks;
}

/**
 * The text a snippet marker stands for: the whole file without its `// #region` lines, or the
 * lines between `// #region <name>` and `// #endregion <name>`. No final newline.
 */
export function snippetText(source: { path: string; region?: string }): string {
  const lines = readFileSync(join(repositoryRoot, source.path), 'utf8').replace(/\n$/, '').split('\n');
  const isRegionLine = (line: string): boolean => /^\s*\/\/ #(end)?region\b/.test(line);
  if (source.region === undefined) return lines.filter((line) => !isRegionLine(line)).join('\n');
  const start = lines.findIndex((line) => line.trim() === `// #region ${source.region}`);
  const end = lines.findIndex((line) => line.trim() === `// #endregion ${source.region}`);
  if (start === -1 || end < start) throw new Error(`${source.path} has no region ${source.region}`);
  return lines
    .slice(start + 1, end)
    .filter((line) => !isRegionLine(line))
    .join('\n');
}

/** True for a TypeScript block. */
export function isTypeScript(block: ReadmeBlock): boolean {
  return ['ts', 'typescript', 'tsx', 'mts'].includes(block.language);
}

/** Rewrites every marked block of every README from its snippet file (`npm run readme:snippets`). */
export function writeSnippets(): string[] {
  const changed: string[] = [];
  for (const file of readmeFiles()) {
    const original = readFileSync(file, 'utf8');
    const lines = original.split('\n');
    for (const block of readmeBlocks(file).reverse()) {
      if (block.source === undefined) continue;
      const count = block.text === '' ? 0 : block.text.split('\n').length;
      lines.splice(block.line, count, ...snippetText(block.source).split('\n'));
    }
    const updated = lines.join('\n');
    if (updated !== original) {
      writeFileSync(file, updated);
      changed.push(relative(repositoryRoot, file));
    }
  }
  return changed;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const changed = writeSnippets();
  console.log(changed.length === 0 ? 'README snippets are up to date' : `updated ${changed.join(', ')}`);
}
