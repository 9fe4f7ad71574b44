/** The loopback rule lives in the core (its API-key check uses it); re-exported here. */
export { isLoopbackHost } from '@parley/core';
