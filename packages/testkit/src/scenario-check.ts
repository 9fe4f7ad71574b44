import { isDeepStrictEqual } from 'node:util';
import type { ScenarioExpect, TraceRecord } from './scenario.js';

/** One difference between a trace and a scenario's `expect`. */
export interface Mismatch {
  /** Which part of `expect`: `connect`, `wire`, `events`, `delegate`, `errors`, `closed` or `stats`. */
  part: string;
  /** What is wrong, readable. */
  message: string;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

/** True when `actual` equals `expected` on every field `expected` names (deep equality). */
export function matchesNamedFields(expected: Record<string, unknown>, actual: Record<string, unknown>): boolean {
  for (const [key, value] of Object.entries(expected)) {
    if (!Object.prototype.hasOwnProperty.call(actual, key)) return false;
    if (!isDeepStrictEqual(actual[key], value)) return false;
  }
  return true;
}

function withTime<T extends object>(record: { t: number }, body: T): Record<string, unknown> {
  return { ...body, t: record.t };
}

function compareExactList(part: string, expected: Record<string, unknown>[], actual: Record<string, unknown>[], out: Mismatch[]): void {
  const count = Math.max(expected.length, actual.length);
  for (let i = 0; i < count; i += 1) {
    const want = expected[i];
    const got = actual[i];
    if (want === undefined) {
      out.push({ part, message: `unexpected ${part} #${i}: ${show(got)}` });
    } else if (got === undefined) {
      out.push({ part, message: `missing ${part} #${i}: expected ${show(want)}` });
    } else if (!matchesNamedFields(want, got)) {
      out.push({ part, message: `${part} #${i} differs:\n    expected ${show(want)}\n    actual   ${show(got)}` });
    }
  }
}

/**
 * Compares a trace with `expect` (spec 05): `connect` the exact list of connection attempts (named
 * fields, e.g. `url`); `wire` exact (deep equality of parsed JSON, in order);
 * `events` an ordered subsequence matched on named fields (`t` compares the time); `delegate` and
 * `errors` exact lists matched on named fields; `closed` the reason of the single `closed` event.
 * Returns the mismatches (empty when the trace passes).
 */
export function checkTrace(trace: TraceRecord[], expect: ScenarioExpect | undefined): Mismatch[] {
  const out: Mismatch[] = [];
  if (expect === undefined) return out;
  if (expect.wire !== undefined) {
    const wire = trace.flatMap((record) => ('wire' in record ? [record.wire] : []));
    const count = Math.max(expect.wire.length, wire.length);
    for (let i = 0; i < count; i += 1) {
      if (i >= expect.wire.length) out.push({ part: 'wire', message: `unexpected wire message #${i}: ${show(wire[i])}` });
      else if (i >= wire.length) out.push({ part: 'wire', message: `missing wire message #${i}: expected ${show(expect.wire[i])}` });
      else if (!isDeepStrictEqual(wire[i], expect.wire[i])) {
        out.push({
          part: 'wire',
          message: `wire message #${i} differs:\n    expected ${show(expect.wire[i])}\n    actual   ${show(wire[i])}`,
        });
      }
    }
  }
  const events = trace.flatMap((record) => ('event' in record ? [withTime(record, record.event)] : []));
  if (expect.events !== undefined) {
    let from = 0;
    for (const [index, want] of expect.events.entries()) {
      let found = -1;
      for (let i = from; i < events.length; i += 1) {
        if (matchesNamedFields(want, events[i] as Record<string, unknown>)) {
          found = i;
          break;
        }
      }
      if (found < 0) {
        const sameType = events.slice(from).filter((event) => event.type === want.type);
        const hint =
          sameType.length > 0 ? `; events of that type after the previous match: ${sameType.slice(0, 3).map(show).join(', ')}` : '';
        out.push({ part: 'events', message: `expected event #${index} not found in order: ${show(want)}${hint}` });
      } else {
        from = found + 1;
      }
    }
  }
  if (expect.connect !== undefined) {
    const connects = trace.flatMap((record) => ('connect' in record ? [withTime(record, record.connect)] : []));
    compareExactList('connect', expect.connect, connects, out);
  }
  if (expect.delegate !== undefined) {
    const delegations = trace.flatMap((record) => ('delegate' in record ? [withTime(record, record.delegate)] : []));
    compareExactList('delegate', expect.delegate, delegations, out);
  }
  if (expect.errors !== undefined) {
    const errors = trace.flatMap((record) => ('error' in record ? [withTime(record, record.error)] : []));
    compareExactList('errors', expect.errors, errors, out);
  }
  if (expect.closed !== undefined) {
    const closed = events.filter((event) => event.type === 'closed');
    if (closed.length !== 1) out.push({ part: 'closed', message: `expected exactly one closed event, got ${closed.length}` });
    else if (closed[0]?.reason !== expect.closed) {
      out.push({ part: 'closed', message: `closed reason: expected ${show(expect.closed)}, actual ${show(closed[0]?.reason)}` });
    }
  }
  if (expect.stats !== undefined) {
    const record = trace.find((candidate): candidate is { t: number; stats: Record<string, unknown> } => 'stats' in candidate);
    for (const [field, want] of Object.entries(expect.stats)) {
      const got = record?.stats[field];
      if (!isDeepStrictEqual(got, want))
        out.push({ part: 'stats', message: `stats.${field}: expected ${show(want)}, actual ${show(got)}` });
    }
  }
  return out;
}

/** Renders a trace as JSON Lines. */
export function formatTrace(trace: TraceRecord[]): string {
  return trace.map((record) => JSON.stringify(record)).join('\n') + (trace.length > 0 ? '\n' : '');
}
