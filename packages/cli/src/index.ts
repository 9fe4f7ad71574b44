export * from './cli.js';
export * from './protocol-modules.js';
export * from './replay-command.js';
