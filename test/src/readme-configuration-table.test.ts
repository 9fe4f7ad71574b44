import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { loadParleyConfig, ParleyError } from '@parley/core';
import { createHarness } from './support/harness.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** The rows of README's "Configuration" table: [key cell, default cell]. */
function configurationRows(): [string, string][] {
  const text = readFileSync(README, 'utf8');
  const section = text.slice(text.indexOf('\n## Configuration'), text.indexOf('\n## ', text.indexOf('\n## Configuration') + 5));
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const cells = line.split('|').map((cell) => cell.trim());
      return [cells[1] as string, cells[2] as string];
    });
}

/** `a.b.c / d / e` → `a.b.c`, `a.b.d`, `a.b.e`; `` `x`, `y` `` → `x`, `y`. */
function keysOf(cell: string): string[] {
  const keys: string[] = [];
  for (const part of cell.split(',')) {
    const names = part.replace(/`/g, '').trim().split(' / ');
    const first = names[0] as string;
    const prefix = first.slice(0, first.lastIndexOf('.') + 1);
    keys.push(first, ...names.slice(1).map((name) => prefix + name));
  }
  return keys;
}

/** The documented default as a value: `none (…)` and `protocol default` are `""` (unset); `not set (…)` is `undefined` (omitted). */
function valueOf(text: string): unknown {
  const plain = text.replace(/`/g, '').trim();
  if (plain.startsWith('not set')) return undefined;
  if (plain.startsWith('none') || plain === 'protocol default' || plain.startsWith('""')) return '';
  if (plain === '{}') return {};
  if (plain === 'true' || plain === 'false') return plain === 'true';
  if (/^-?\d+$/.test(plain)) return Number(plain);
  return plain;
}

function read(config: unknown, key: string): unknown {
  let value = config;
  for (const part of key.split('.')) {
    if (typeof value !== 'object' || value === null || !(part in value)) return { missing: key };
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

describe("README's configuration table", () => {
  const rows = configurationRows();

  it('is found and lists the keys', () => {
    expect(rows.length).to.be.greaterThan(15);
  });

  it('every documented key exists in the schema with its documented default (loadParleyConfig)', () => {
    const config = loadParleyConfig();
    const checked: string[] = [];
    for (const [keyCell, defaultCell] of rows) {
      const keys = keysOf(keyCell);
      const defaults = keys.length > 1 && defaultCell.includes(' / ') ? defaultCell.split(' / ') : keys.map(() => defaultCell);
      expect(defaults.length, `defaults of ${keyCell}`).to.equal(keys.length);
      keys.forEach((key, index) => {
        expect(read(config, key), key).to.deep.equal(valueOf(defaults[index] as string));
        checked.push(key);
      });
    }
    expect(checked).to.include('realtime.transcript.maxEntryChars');
  });

  it('documents every realtime.live key of the schema (protocol live, spec 08)', () => {
    const documented = new Set(rows.flatMap(([keyCell]) => keysOf(keyCell)));
    const schema = Object.keys(loadParleyConfig().realtime.live).map((key) => `realtime.live.${key}`);
    expect(schema.filter((key) => !documented.has(key))).to.deep.equal([]);
    expect(schema).to.include('realtime.live.delegation');
  });

  it('every documented key can be set (an undeclared one fails with "not declared in the schema")', () => {
    for (const [keyCell] of rows) {
      for (const key of keysOf(keyCell)) {
        const value = read(loadParleyConfig(), key);
        const override: Record<string, unknown> = {};
        let cursor = override;
        const parts = key.split('.');
        parts.slice(0, -1).forEach((part) => {
          cursor = cursor[part] = {};
        });
        cursor[parts[parts.length - 1] as string] = value;
        expect(() => loadParleyConfig(override), key).not.to.throw(ParleyError);
      }
    }
  });

  it('realtime.transcript.maxEntryChars (default 16384) bounds an entry: 64 deltas of 1 MiB keep the newest 16384 characters, the rest counted', async () => {
    const h = createHarness();
    await h.manager.start();
    const mib = 1024 * 1024;
    for (let i = 0; i < 64; i += 1) h.server().serverJson({ type: 'say', text: String(i % 10).repeat(mib) });
    expect(h.of('outputTranscriptDelta')).to.have.length(64);
    const stats = h.manager.stats();
    expect(stats.transcriptEntries).to.equal(1);
    expect(stats.droppedTranscriptChars).to.equal(64 * mib - 16384);
    expect(stats.skippedFrames).to.equal(0);
    await h.manager.close();
  });

  it('realtime.transcript.maxEntryChars can be set (8) and must be a positive integer', () => {
    expect(loadParleyConfig({ realtime: { transcript: { maxEntryChars: 8 } } }).realtime.transcript.maxEntryChars).to.equal(8);
    expect(() => loadParleyConfig({ realtime: { transcript: { maxEntryChars: 0 } } })).to.throw(ParleyError, 'maxEntryChars');
  });
});
