import type { TranscriptEntry } from './realtime-event.js';
import type { TranscriptAccess } from './session-policy.js';

/**
 * The active transcript of one conversation (spec 04): `{ role, text }` entries fed only by the
 * server's transcript events. Bounded: beyond `maxEntries` the oldest entry is dropped and counted,
 * and an entry keeps at most its newest `maxEntryChars` characters (the rest counted).
 */
export class ActiveTranscript implements TranscriptAccess {
  private entries: TranscriptEntry[] = [];
  /** Entries dropped because the transcript reached `maxEntries`. */
  dropped = 0;
  /** Characters dropped from the start of entries longer than `maxEntryChars`. */
  droppedChars = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxEntryChars: number = Number.POSITIVE_INFINITY,
  ) {}

  /** Number of entries held. */
  get size(): number {
    return this.entries.length;
  }

  /** A delta: skipped if empty; appended to the last entry of the same role, else a new entry. */
  appendDelta(role: TranscriptEntry['role'], delta: string): void {
    if (delta === '') return;
    const last = this.entries[this.entries.length - 1];
    if (last !== undefined && last.role === role) {
      last.text += delta;
      this.bound(last);
    } else this.push({ role, text: delta });
  }

  /** A done: skipped if empty; replaces the last entry of the same role, else a new entry. */
  complete(role: TranscriptEntry['role'], text: string): void {
    if (text === '') return;
    const last = this.entries[this.entries.length - 1];
    if (last !== undefined && last.role === role) {
      last.text = text;
      this.bound(last);
    } else this.push({ role, text });
  }

  take(): TranscriptEntry[] {
    const taken = this.entries;
    this.entries = [];
    return taken;
  }

  snapshot(): TranscriptEntry[] {
    return this.entries.map((entry) => ({ role: entry.role, text: entry.text }));
  }

  /** Keeps the newest `maxEntryChars` characters of an entry (a monologue never grows without bound). */
  private bound(entry: TranscriptEntry): void {
    const excess = entry.text.length - this.maxEntryChars;
    if (excess <= 0) return;
    entry.text = entry.text.slice(excess);
    this.droppedChars += excess;
  }

  private push(entry: TranscriptEntry): void {
    this.bound(entry);
    this.entries.push(entry);
    if (this.entries.length > this.maxEntries) {
      this.entries.shift();
      this.dropped += 1;
    }
  }
}

/** Renders entries as `<role>: <text>` lines joined by `\n` (the V1 delegation text). */
export function renderTranscript(entries: readonly TranscriptEntry[]): string {
  return entries.map((entry) => `${entry.role}: ${entry.text}`).join('\n');
}
