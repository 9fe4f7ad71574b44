/** The URL rules of spec 06 live in the core (the key check and every transport use them); re-exported here. */
export { buildRealtimeUrl, type RealtimeUrlInput } from '@parley/core';
