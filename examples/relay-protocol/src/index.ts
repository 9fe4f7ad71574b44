export * from './relay-policy.js';
export * from './relay-protocol.js';
export * from './relay-protocol-module.js';
