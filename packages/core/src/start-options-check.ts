import { ParleyError } from './parley-error.js';
import type { StartOptions } from './session-settings.js';

const SESSION_STRINGS = ['instructions', 'voice', 'model', 'sessionId'] as const;
const CHOICES = { outputModality: ['audio', 'text'], mode: ['conversational', 'transcription'] } as const;

/**
 * Reads the start options once (a getter is read exactly once) and checks their types before
 * anything else happens, so a bad option never opens a connection: session fields
 * (`instructions`, `voice`, `model`, `sessionId`: strings; `outputModality`, `mode`: one of their
 * values; `tools`: an array; its entries are spec 09's tool checks) fail with `ERR_INVALID_SESSION`, the
 * connection fields (`apiKey`: a string; `headers`: an object of string values) and options that are
 * not an object with `ERR_INVALID_ARGUMENT`; every message names the field. Returns the snapshot.
 */
export function checkStartOptions(options: unknown): StartOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ParleyError('ERR_INVALID_ARGUMENT', 'start: options must be an object (or omitted)');
  }
  const given = options as Record<string, unknown>;
  const snapshot: Record<string, unknown> = {};
  for (const key of [...SESSION_STRINGS, 'outputModality', 'mode', 'apiKey', 'headers', 'tools']) {
    const value = given[key];
    if (value !== undefined) snapshot[key] = value;
  }
  for (const key of SESSION_STRINGS) {
    if (snapshot[key] !== undefined && typeof snapshot[key] !== 'string') {
      throw new ParleyError('ERR_INVALID_SESSION', `start: ${key} must be a string (got ${kind(snapshot[key])})`);
    }
  }
  for (const [key, allowed] of Object.entries(CHOICES)) {
    const value = snapshot[key];
    if (value !== undefined && !(allowed as readonly unknown[]).includes(value)) {
      throw new ParleyError('ERR_INVALID_SESSION', `start: ${key} must be ${allowed.map((choice) => `"${choice}"`).join(' or ')}`);
    }
  }
  if (snapshot.apiKey !== undefined && typeof snapshot.apiKey !== 'string') {
    throw new ParleyError('ERR_INVALID_ARGUMENT', `start: apiKey must be a string (got ${kind(snapshot.apiKey)})`);
  }
  const headers = snapshot.headers;
  if (headers !== undefined) {
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
      throw new ParleyError('ERR_INVALID_ARGUMENT', 'start: headers must be an object of string values');
    }
    const copy: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value !== 'string') throw new ParleyError('ERR_INVALID_ARGUMENT', `start: headers.${name} must be a string`);
      copy[name] = value;
    }
    snapshot.headers = copy;
  }
  const tools = snapshot.tools;
  if (tools !== undefined) {
    if (!Array.isArray(tools)) throw new ParleyError('ERR_INVALID_SESSION', `start: tools must be an array (got ${kind(tools)})`);
    // Whether each entry serializes is spec 09 §1.3 rule 13 (checkTools, after the protocol is
    // resolved, with that rule's message), also before any network activity.
    snapshot.tools = [...tools] as unknown[];
  }
  return snapshot as StartOptions;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
