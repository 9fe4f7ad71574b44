#!/usr/bin/env node
// The `parley` command. A committed shim (npm links it at install time, before the TypeScript
// build exists), which runs the compiled CLI.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(compiled)) {
  console.error('parley: the CLI is not built yet; run `npm run build` (or `npm start`) first.');
  process.exit(1);
}
await import(compiled.href);
