export * from './in-memory-transport.js';
export * from './scenario.js';
export * from './scenario-check.js';
export * from './scenario-runner.js';
export * from './scripted-delegate.js';
export * from './virtual-clock.js';
export * from './simulator/index.js';
