import { expect } from 'chai';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isTypeScript, readmeBlocks, readmeFiles, snippetFolder, snippetText } from './support/readme-snippets.js';
import { repositoryRoot } from './support/tarball-project.js';

// Every TypeScript snippet of every README is a file of examples/readme (or a region of one), which
// the pack-and-install test compiles under the tsconfig the README documents. Here: the READMEs
// show exactly those files (`npm run readme:snippets` rewrites the blocks from them).
describe('README snippets', () => {
  const blocks = readmeFiles().flatMap((file) => readmeBlocks(file));

  it('finds the READMEs and their TypeScript snippets', () => {
    expect(blocks.filter(isTypeScript).length).to.be.greaterThan(5);
  });

  it('every TypeScript block of a README comes from a snippet file of examples/readme', () => {
    const unmarked = blocks.filter((block) => isTypeScript(block) && block.source === undefined).map((b) => `${b.readme}:${b.line}`);
    expect(unmarked, 'TypeScript blocks without a <!-- snippet: … --> marker').to.deep.equal([]);
    const elsewhere = blocks
      .filter((block) => isTypeScript(block) && block.source !== undefined && !block.source.path.startsWith(`${snippetFolder}/`))
      .map((b) => `${b.readme}:${b.line} → ${b.source?.path}`);
    expect(elsewhere, `snippets outside ${snippetFolder}`).to.deep.equal([]);
  });

  it('every marked block equals its snippet file, word for word', () => {
    for (const block of blocks) {
      if (block.source === undefined) continue;
      const where = `${block.readme}:${block.line} (${block.source.path}${block.source.region ? `#${block.source.region}` : ''})`;
      expect(existsSync(join(repositoryRoot, block.source.path)), `${where}: the file exists`).to.equal(true);
      expect(block.text, `${where} differs from its file; run npm run readme:snippets`).to.equal(snippetText(block.source));
    }
  });

  it('every snippet file is shown by some README', () => {
    const shown = new Set(blocks.map((block) => block.source?.path));
    const files = readdirSync(join(repositoryRoot, snippetFolder)).filter((file) => file.endsWith('.ts'));
    expect(files.filter((file) => !shown.has(`${snippetFolder}/${file}`))).to.deep.equal([]);
  });
});
