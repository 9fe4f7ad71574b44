export * from './delayed-delegation-policy.js';
export * from './parser-v1-module.js';
export * from './v1-decoder.js';
export * from './v1-messages.js';
export * from './v1-protocol-strategy.js';
export * from './v1-session.js';
