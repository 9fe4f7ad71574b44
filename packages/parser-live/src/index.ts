export * from './append-chunker.js';
export * from './live-decoder.js';
export * from './live-delegations.js';
export * from './live-messages.js';
export * from './live-protocol-strategy.js';
export * from './live-session-policy.js';
export * from './live-session.js';
export * from './parser-live-module.js';
