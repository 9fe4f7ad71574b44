#!/usr/bin/env node
import { runCli } from './cli.js';

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// The command is done: whatever is still pending (a socket's last close, a stopped delegate
// command's grace) must not keep the process alive past a short moment.
setTimeout(() => process.exit(code), 300).unref();
