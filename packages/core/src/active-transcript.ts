import type { TranscriptEntry } from './realtime-event.js';
import type { TranscriptAccess } from './session-policy.js';

/** An entry as the transcript holds it: with the id of the item it transcribes, when known (internal). */
interface HeldEntry {
  role: TranscriptEntry['role'];
  text: string;
  itemId: string | undefined;
}

/**
 * The active transcript of one conversation (spec 04): `{ role, text }` entries fed by the server's
 * transcript events and the message items it adds, kept **per item** when events carry item ids
 * (v2), so a user transcription that completes after the assistant's response started keeps its
 * place before the reply. Events without an item id (v1, older servers) append to or replace the
 * last entry of the same role. Bounded: every entry, empty or not, counts towards `maxEntries`
 * (beyond it the oldest is dropped and counted), and an entry keeps at most its newest
 * `maxEntryChars` characters (the rest counted). Entries handed out are `{ role, text }` only.
 */
export class ActiveTranscript implements TranscriptAccess {
  private entries: HeldEntry[] = [];
  private readonly byItem = new Map<string, HeldEntry>();
  /** Entries dropped because the transcript reached `maxEntries`. */
  dropped = 0;
  /** Characters dropped from the start of entries longer than `maxEntryChars`. */
  droppedChars = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxEntryChars: number = Number.POSITIVE_INFINITY,
  ) {}

  /** Number of entries held (empty placeholders included). */
  get size(): number {
    return this.entries.length;
  }

  /**
   * A `conversationItemAdded` (only for protocols whose transcript events carry item ids): a
   * `message` item with a string `id` and role `assistant`, or role `user` with an `input_audio`
   * content part, holds its place as an empty entry keyed by the id (unless one exists). Anything
   * else (a user message of only `input_text`, a function call, a malformed item) adds nothing.
   */
  itemAdded(item: unknown): void {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return;
    const fields = item as Record<string, unknown>;
    if (fields.type !== 'message' || typeof fields.id !== 'string') return;
    let role: TranscriptEntry['role'];
    if (fields.role === 'assistant') role = 'assistant';
    else if (fields.role === 'user' && hasInputAudio(fields.content)) role = 'user';
    else return;
    if (this.byItem.has(key(role, fields.id))) return;
    this.push({ role, text: '', itemId: fields.id });
  }

  /**
   * A delta: skipped if empty. With an `itemId`: appended to the entry of that role and item
   * wherever it is, else a new keyed entry at the end. Without: appended to the last entry when it
   * has the same role, else a new entry.
   */
  appendDelta(role: TranscriptEntry['role'], delta: string, itemId?: string): void {
    if (delta === '') return;
    const entry = itemId === undefined ? this.lastOf(role) : this.byItem.get(key(role, itemId));
    if (entry !== undefined) {
      entry.text += delta;
      this.bound(entry);
    } else this.push({ role, text: delta, itemId });
  }

  /**
   * A done. With an `itemId`: replaces the text of the entry of that role and item (an empty done
   * removes the entry when it is still empty, and is skipped otherwise), else, unless empty, a new
   * keyed entry at the end. Without: skipped if empty; replaces the last entry when it has the same
   * role, else a new entry.
   */
  complete(role: TranscriptEntry['role'], text: string, itemId?: string): void {
    if (itemId !== undefined) {
      const entry = this.byItem.get(key(role, itemId));
      if (entry === undefined) {
        if (text !== '') this.push({ role, text, itemId });
      } else if (text !== '') {
        entry.text = text;
        this.bound(entry);
      } else if (entry.text === '') this.remove(entry);
      return;
    }
    if (text === '') return;
    const last = this.lastOf(role);
    if (last !== undefined) {
      last.text = text;
      this.bound(last);
    } else this.push({ role, text, itemId: undefined });
  }

  /** The transcription of a user item failed: its entry is removed if it is still empty. */
  transcriptionFailed(itemId: string): void {
    const entry = this.byItem.get(key('user', itemId));
    if (entry !== undefined && entry.text === '') this.remove(entry);
  }

  /** The item left the conversation (deleted): its entry is removed (its words were never heard). */
  itemDeleted(itemId: string): void {
    for (const role of ['user', 'assistant'] as const) {
      const entry = this.byItem.get(key(role, itemId));
      if (entry !== undefined) this.remove(entry);
    }
  }

  /** Atomic read-and-clear: the entries that have text, in order; clears everything, placeholders and keys included. */
  take(): TranscriptEntry[] {
    const taken = this.snapshot();
    this.entries = [];
    this.byItem.clear();
    return taken;
  }

  /** A copy of the entries that have text, in order (not cleared). */
  snapshot(): TranscriptEntry[] {
    const copy: TranscriptEntry[] = [];
    for (const entry of this.entries) if (entry.text !== '') copy.push({ role: entry.role, text: entry.text });
    return copy;
  }

  /** The last entry if it has `role` (keyed or not). */
  private lastOf(role: TranscriptEntry['role']): HeldEntry | undefined {
    const last = this.entries[this.entries.length - 1];
    return last !== undefined && last.role === role ? last : undefined;
  }

  /** Keeps the newest `maxEntryChars` characters of an entry (a monologue never grows without bound). */
  private bound(entry: HeldEntry): void {
    const excess = entry.text.length - this.maxEntryChars;
    if (excess <= 0) return;
    entry.text = entry.text.slice(excess);
    this.droppedChars += excess;
  }

  private push(entry: HeldEntry): void {
    this.bound(entry);
    this.entries.push(entry);
    if (entry.itemId !== undefined) this.byItem.set(key(entry.role, entry.itemId), entry);
    if (this.entries.length > this.maxEntries) {
      const oldest = this.entries.shift();
      if (oldest?.itemId !== undefined && this.byItem.get(key(oldest.role, oldest.itemId)) === oldest) {
        this.byItem.delete(key(oldest.role, oldest.itemId));
      }
      this.dropped += 1;
    }
  }

  private remove(entry: HeldEntry): void {
    const index = this.entries.indexOf(entry);
    if (index >= 0) this.entries.splice(index, 1);
    if (entry.itemId !== undefined) this.byItem.delete(key(entry.role, entry.itemId));
  }
}

function key(role: TranscriptEntry['role'], itemId: string): string {
  return `${role}\u0000${itemId}`;
}

function hasInputAudio(content: unknown): boolean {
  if (!Array.isArray(content)) return false;
  for (const part of content as unknown[]) {
    if (typeof part === 'object' && part !== null && (part as Record<string, unknown>).type === 'input_audio') return true;
  }
  return false;
}

/** Renders entries as `<role>: <text>` lines joined by `\n` (the V1 delegation text). */
export function renderTranscript(entries: readonly TranscriptEntry[]): string {
  return entries.map((entry) => `${entry.role}: ${entry.text}`).join('\n');
}
