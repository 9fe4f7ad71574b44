import type { AudioOutEvent } from '@parley/core';
import { audioDurationMs } from './audio-duration.js';

/** What a barge-in does to the assistant item that was playing. */
export type BargeInAction = { kind: 'truncate'; itemId: string; audioEndMs: number } | { kind: 'delete'; itemId: string };

/** The state of the assistant item being played. */
interface ItemState {
  itemId: string;
  receivedMs: number;
  firstAudioAt: number;
  playedMs: number | undefined;
}

/**
 * The output-audio state of V2 barge-in (spec 03): at most one assistant item at a time — how much
 * of it was received (ms), when its first frame arrived (the injected clock), and the playback
 * position the application reported — plus the id of the last item whose state ended (its late
 * frames are not tracked). The state survives `response.done`, `response.cancelled` and handoffs:
 * live, audio arrives faster than it plays, so the user is often still hearing an answer the server
 * has finished.
 */
export class OutputAudioTracker {
  private state: ItemState | undefined;
  private lastEnded: string | undefined;

  /** @param bytesPerSample of the session's format: 2 for `pcm16` (default), 1 for G.711. */
  constructor(private readonly bytesPerSample: number = 2) {}

  /** The item of the current state, if any. */
  get currentItemId(): string | undefined {
    return this.state?.itemId;
  }

  /** Milliseconds received for the current item (0 without state). */
  get receivedMs(): number {
    return this.state?.receivedMs ?? 0;
  }

  /**
   * Adds an `audioOut` frame that arrived at `now`: frames without `itemId`, of zero duration, or of
   * the last ended item are ignored; the same item adds its duration; another item replaces the
   * state (the replaced item's state ends), with its first frame at `now` and no playback report.
   */
  addAudio(event: AudioOutEvent, now: number): void {
    const itemId = event.itemId;
    if (itemId === undefined || itemId === this.lastEnded) return;
    const ms = audioDurationMs(event, this.bytesPerSample);
    if (ms <= 0) return;
    const state = this.state;
    if (state !== undefined && state.itemId === itemId) {
      state.receivedMs += ms;
      return;
    }
    if (state !== undefined) this.lastEnded = state.itemId;
    this.state = { itemId, receivedMs: ms, firstAudioAt: now, playedMs: undefined };
  }

  /**
   * Records how much of `itemId` the application has played (floored; the latest report wins). A
   * report for any item other than the one in the state is ignored, as are negative or non-finite
   * values.
   */
  reportPlayback(itemId: string, playedMs: number): void {
    const state = this.state;
    if (state === undefined || state.itemId !== itemId || !Number.isFinite(playedMs) || playedMs < 0) return;
    state.playedMs = Math.floor(playedMs);
  }

  /**
   * Speech started at `now`: ends the state and says what to cut. Played = the reported position,
   * else `now − firstAudioAt`, capped at what was received. Heard to the end → `undefined`
   * (nothing to send); 0 < played < received → truncate at played; 0 → delete.
   */
  takeBargeIn(now: number): BargeInAction | undefined {
    const state = this.state;
    if (state === undefined) return undefined;
    this.end();
    const played = Math.max(0, Math.min(state.playedMs ?? Math.floor(now - state.firstAudioAt), state.receivedMs));
    if (played >= state.receivedMs) return undefined;
    return played > 0 ? { kind: 'truncate', itemId: state.itemId, audioEndMs: played } : { kind: 'delete', itemId: state.itemId };
  }

  /** The server confirmed that `itemId` was truncated or deleted: its state ends (nothing is sent). */
  confirmCut(itemId: string): void {
    if (this.state?.itemId === itemId) this.end();
  }

  /** Forgets everything (the conversation ended). */
  clear(): void {
    this.state = undefined;
    this.lastEnded = undefined;
  }

  private end(): void {
    this.lastEnded = this.state?.itemId;
    this.state = undefined;
  }
}
