import { asRecord } from './simulator-dialect.js';
import type { V2Wire } from './v2-events.js';

/** What the v2 conversation knows about an item (for truncate, delete and retrieve). */
export interface V2ItemRecord {
  /** The item as the server last described it (`conversation.item.done` / `.retrieved`). */
  item: Record<string, unknown>;
  type: string;
  role: string | undefined;
  /** Milliseconds of assistant audio streamed for the item. */
  audioMs: number;
  /** `audio_end_ms` of the last truncation. */
  truncatedAtMs: number | undefined;
}

/**
 * The items of one v2 conversation, in order of addition, and the client events about them:
 * `conversation.item.truncate` → `conversation.item.truncated`, `conversation.item.delete` →
 * `conversation.item.deleted`, `conversation.item.retrieve` → `conversation.item.retrieved` (the
 * item as last described); an unknown item id is an `invalid_value` error, as live.
 */
export class V2Conversation {
  readonly items = new Map<string, V2ItemRecord>();
  /** Id of the last item added (`previous_item_id` of the next one), or `null`. */
  lastItemId: string | null = null;

  constructor(private readonly wire: V2Wire) {}

  /** Adds an item; returns the previous item's id (or `null`). */
  add(item: Record<string, unknown>): string | null {
    const id = String(item['id']);
    const previous = this.lastItemId;
    const role = typeof item['role'] === 'string' ? item['role'] : undefined;
    this.items.set(id, { item, type: String(item['type']), role, audioMs: 0, truncatedAtMs: undefined });
    this.lastItemId = id;
    return previous;
  }

  /** Replaces what an item looks like now (e.g. once done, or transcribed). */
  describe(id: string, item: Record<string, unknown>): void {
    const record = this.items.get(id);
    if (record !== undefined) record.item = item;
  }

  /** `conversation.item.truncate`. */
  truncate(message: Record<string, unknown>, clientEventId: string | undefined): void {
    const itemId = message['item_id'];
    const contentIndex = message['content_index'];
    const audioEndMs = message['audio_end_ms'];
    if (typeof itemId !== 'string' || typeof contentIndex !== 'number' || typeof audioEndMs !== 'number') {
      this.wire.error({
        code: 'missing_required_parameter',
        message: 'conversation.item.truncate needs item_id, content_index and audio_end_ms.',
        clientEventId,
      });
      return;
    }
    const record = this.items.get(itemId);
    if (record === undefined || record.role !== 'assistant') {
      this.wire.error({
        code: 'invalid_value',
        message: `Invalid value: '${itemId}'. No assistant message item with this id.`,
        param: 'item_id',
        clientEventId,
      });
      return;
    }
    if (audioEndMs < 0 || audioEndMs > record.audioMs) {
      this.wire.error({
        code: 'invalid_value',
        message: `audio_end_ms (${audioEndMs}) must be between 0 and the item's audio duration (${record.audioMs}ms).`,
        param: 'audio_end_ms',
        clientEventId,
      });
      return;
    }
    record.truncatedAtMs = audioEndMs;
    this.wire.emit('conversation.item.truncated', { item_id: itemId, content_index: contentIndex, audio_end_ms: audioEndMs });
  }

  /** `conversation.item.delete`. */
  delete(message: Record<string, unknown>, clientEventId: string | undefined): void {
    const itemId = message['item_id'];
    if (typeof itemId !== 'string' || !this.items.delete(itemId)) {
      this.unknownItem(itemId, clientEventId);
      return;
    }
    if (this.lastItemId === itemId) this.lastItemId = [...this.items.keys()].pop() ?? null;
    this.wire.emit('conversation.item.deleted', { item_id: itemId });
  }

  /** `conversation.item.retrieve`. */
  retrieve(message: Record<string, unknown>, clientEventId: string | undefined): void {
    const itemId = message['item_id'];
    const record = typeof itemId === 'string' ? this.items.get(itemId) : undefined;
    if (record === undefined) {
      this.unknownItem(itemId, clientEventId);
      return;
    }
    this.wire.emit('conversation.item.retrieved', { item: structuredClone(record.item) });
  }

  private unknownItem(itemId: unknown, clientEventId: string | undefined): void {
    this.wire.error({
      code: 'invalid_value',
      message: `Invalid value: '${String(itemId)}'. No item with this id.`,
      param: 'item_id',
      clientEventId,
    });
  }
}

/** A client item as the server describes it: with `id`, `object` and `status`, the client's fields kept. */
export function serverItem(item: Record<string, unknown>, id: string): Record<string, unknown> {
  const { id: _id, type, object: _object, status: _status, ...rest } = item;
  return { id, object: 'realtime.item', type, status: 'completed', ...rest };
}

/** The text of a client message item (`input_text` parts joined by a space), or undefined. */
export function messageText(item: Record<string, unknown>): string {
  const content = Array.isArray(item['content']) ? item['content'] : [];
  return content
    .map((part) => asRecord(part)?.['text'])
    .filter((text): text is string => typeof text === 'string')
    .join(' ');
}
