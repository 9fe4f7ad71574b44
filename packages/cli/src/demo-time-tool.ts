import type { RealtimeTool } from '@parley/core';

/** The local time of `date` as `HH:MM` (24-hour, zero-padded). */
export function localTimeHHMM(date: Date): string {
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

/**
 * The demo's one built-in tool (spec 09 §13.3): `current_time`, description
 * `The current local time, HH:MM.`, no parameters; `execute` returns the local time of `now()` as
 * `HH:MM`. `now` is the clock it reads: the machine's by default; a test fixes it so that the demo's
 * output is the same on every run.
 */
export function demoTimeTool(now: () => Date = () => new Date()): RealtimeTool {
  return {
    name: 'current_time',
    description: 'The current local time, HH:MM.',
    parameters: { type: 'object', properties: {} },
    execute: () => localTimeHHMM(now()),
  };
}
