import type { AudioOutEvent } from '@parley/core';
import { audioDurationMs } from './audio-duration.js';

/** What a barge-in does to the assistant item that was speaking. */
export type BargeInAction = { kind: 'truncate'; itemId: string; audioEndMs: number } | { kind: 'delete'; itemId: string };

/**
 * The output-audio state of V2 barge-in (spec 03): which assistant item is speaking, how much of
 * it was received (ms), and the last playback position the application reported.
 */
export class OutputAudioTracker {
  private itemId: string | undefined;
  private receivedMs = 0;
  private playedItemId: string | undefined;
  private playedMs = 0;

  /** The item of the current state, if any. */
  get currentItemId(): string | undefined {
    return this.itemId;
  }

  /** Milliseconds received for the current item (0 without state). */
  get audioEndMs(): number {
    return this.receivedMs;
  }

  /**
   * Adds an `audioOut` frame: frames without `itemId` or of zero duration are ignored; the same
   * item adds its duration, another item replaces the state.
   */
  addAudio(event: AudioOutEvent): void {
    const itemId = event.itemId;
    if (itemId === undefined) return;
    const ms = audioDurationMs(event);
    if (ms <= 0) return;
    if (itemId === this.itemId) {
      this.receivedMs += ms;
      return;
    }
    this.itemId = itemId;
    this.receivedMs = ms;
  }

  /**
   * Records how much of `itemId` the application has played (the latest report wins; it applies
   * only while that item is the one in the state). Negative or non-finite values are ignored;
   * fractions are floored.
   */
  reportPlayback(itemId: string, playedMs: number): void {
    if (!Number.isFinite(playedMs) || playedMs < 0) return;
    this.playedItemId = itemId;
    this.playedMs = Math.floor(playedMs);
  }

  /**
   * Speech started: takes and clears the state. Returns `undefined` without state; otherwise the
   * end = min(received, played when reported for that item): a truncate at the end when > 0, a
   * delete when the user heard none of it.
   */
  takeBargeIn(): BargeInAction | undefined {
    const itemId = this.itemId;
    if (itemId === undefined) return undefined;
    let end = this.receivedMs;
    if (this.playedItemId === itemId && this.playedMs < end) end = this.playedMs;
    this.clear();
    return end > 0 ? { kind: 'truncate', itemId, audioEndMs: end } : { kind: 'delete', itemId };
  }

  /** Clears the state (response done or cancelled, handoff, end of the conversation). */
  clear(): void {
    this.itemId = undefined;
    this.receivedMs = 0;
    this.playedItemId = undefined;
    this.playedMs = 0;
  }
}
