import { G711_SAMPLE_RATE, g711ToPcm24k } from './audio-codec.js';
import { EnergyVad, type VadEvent } from './energy-vad.js';
import type { DialectContext } from './simulator-dialect.js';
import { SIMULATOR_SAMPLE_RATE, speechWords } from './speech-synthesizer.js';
import type { V2Conversation } from './v2-conversation.js';
import type { V2Wire } from './v2-events.js';
import { formatLaw, type V2SessionConfig } from './v2-session.js';

/** Least audio `input_audio_buffer.commit` accepts (ms), as the live API. */
export const MIN_COMMIT_MS = 100;

/** What the dialect does when the input audio makes something happen. */
export interface V2InputHooks {
  /** Speech started (VAD): the dialect cancels the active response when the session interrupts. */
  speechStarted(): void;
  /**
   * A user audio turn was committed (VAD or `input_audio_buffer.commit`): `respond` says whether
   * the session answers on its own. `transcribe()` sends its transcription events (if the session
   * transcribes); the dialect calls it before or after starting the response.
   */
  turnCommitted(transcript: string, respond: boolean, transcribe: () => void): void;
}

/**
 * The input audio buffer of a v2 connection: `input_audio_buffer.append` in the session's input
 * format (PCM16 24 kHz, or G.711 at 8 kHz decoded for the VAD), the energy VAD when turn detection
 * is on (`speech_started` with the new user item's id, `speech_stopped`, then the commit),
 * `input_audio_buffer.commit` (`committed`, the user item added/done; `input_audio_buffer_commit_empty`
 * under 100 ms) and `.clear`. Transcription events only when the session has
 * `audio.input.transcription`: deltas word by word and `.completed` with the next `transcripts`
 * entry, or `.failed` for the audio turns listed in `transcriptionFailures`.
 */
export class V2InputAudio {
  private vad: EnergyVad;
  private silenceMs: number;
  private speechItemId: string | undefined;
  private bufferedMs = 0;
  private audioTurns = 0;
  /** Input audio (ms) committed so far: what responses read. */
  committedMs = 0;
  /** Input audio (ms) written so far (`input_audio_buffer.append`), cleared audio included. */
  writtenMs = 0;

  constructor(
    private readonly context: DialectContext,
    private readonly wire: V2Wire,
    private readonly session: V2SessionConfig,
    private readonly conversation: V2Conversation,
    private readonly hooks: V2InputHooks,
  ) {
    this.silenceMs = session.silenceMs;
    this.vad = this.newVad();
  }

  /** `input_audio_buffer.append`. */
  append(audio: string): void {
    const bytes = Buffer.from(audio, 'base64');
    const law = formatLaw(this.session.inputFormat);
    const ms = law === undefined ? (bytes.length / 2 / SIMULATOR_SAMPLE_RATE) * 1000 : (bytes.length / G711_SAMPLE_RATE) * 1000;
    this.bufferedMs += ms;
    this.writtenMs += ms;
    if (this.session.turnDetection === null) return;
    if (this.session.silenceMs !== this.silenceMs) this.retune();
    const pcm = law === undefined ? bytes : g711ToPcm24k(bytes, law);
    for (const event of this.vad.feed(pcm)) this.vadEvent(event);
  }

  /** `input_audio_buffer.commit`. */
  commit(clientEventId: string | undefined): void {
    if (this.bufferedMs < MIN_COMMIT_MS) {
      this.wire.error({
        code: 'input_audio_buffer_commit_empty',
        message: `Error committing input audio buffer: buffer too small. Expected at least ${MIN_COMMIT_MS}ms of audio, but buffer only has ${this.bufferedMs.toFixed(2)}ms of audio.`,
        clientEventId,
      });
      return;
    }
    this.vad.flush();
    const itemId = this.speechItemId ?? this.context.ids.next('item');
    this.speechItemId = undefined;
    this.commitTurn(itemId, false);
  }

  /** Whether the VAD hears the user speaking now. */
  get inSpeech(): boolean {
    return this.vad.inSpeech;
  }

  /**
   * The idle timeout (server VAD `idle_timeout_ms`): `input_audio_buffer.timeout_triggered` with the
   * silent segment, then the buffer (whatever its length) committed as the user item `itemId`
   * (`committed`, the item added and done, its transcript empty; nothing to transcribe).
   */
  timeoutTriggered(audioStartMs: number): void {
    const itemId = this.context.ids.next('item');
    const audioEndMs = Math.round(this.writtenMs);
    this.wire.emit('input_audio_buffer.timeout_triggered', {
      audio_start_ms: Math.min(Math.round(audioStartMs), audioEndMs),
      audio_end_ms: audioEndMs,
      item_id: itemId,
    });
    this.vad.reset();
    this.committedMs += this.bufferedMs;
    this.bufferedMs = 0;
    this.addUserAudioItem(itemId);
  }

  /** `input_audio_buffer.clear`. */
  clear(): void {
    this.vad.reset();
    this.bufferedMs = 0;
    this.speechItemId = undefined;
    this.wire.emit('input_audio_buffer.cleared');
  }

  private newVad(): EnergyVad {
    return new EnergyVad({ ...this.context.options.vad, silenceMs: this.context.options.vad.silenceMs ?? this.silenceMs });
  }

  /** The session's silence changed: a new VAD (between utterances only, so nothing is lost). */
  private retune(): void {
    if (this.vad.inSpeech) return;
    this.silenceMs = this.session.silenceMs;
    this.vad = this.newVad();
  }

  private vadEvent(event: VadEvent): void {
    if (event.type === 'speechStarted') {
      this.speechItemId = this.context.ids.next('item');
      this.wire.emit('input_audio_buffer.speech_started', { audio_start_ms: event.audioStartMs, item_id: this.speechItemId });
      this.hooks.speechStarted();
      return;
    }
    const itemId = this.speechItemId ?? this.context.ids.next('item');
    this.speechItemId = undefined;
    this.wire.emit('input_audio_buffer.speech_stopped', { audio_end_ms: event.audioEndMs, item_id: itemId });
    this.commitTurn(itemId, this.session.createsResponse);
  }

  /** Commits a user audio turn: committed, the user item; its transcription; maybe a response. */
  private commitTurn(itemId: string, respond: boolean): void {
    const transcripts = this.context.options.transcripts;
    const transcript = transcripts[this.audioTurns % transcripts.length] as string;
    const seconds = this.bufferedMs / 1000;
    this.audioTurns += 1;
    const turn = this.audioTurns;
    this.committedMs += this.bufferedMs;
    this.bufferedMs = 0;
    const item = this.addUserAudioItem(itemId);
    const transcribe = (): void => {
      if (this.session.transcription === undefined) return;
      if (this.context.options.transcriptionFailures.includes(turn)) {
        this.wire.emit('conversation.item.input_audio_transcription.failed', {
          item_id: itemId,
          content_index: 0,
          error: { type: 'transcription_error', code: 'audio_unintelligible', message: 'The audio could not be transcribed (simulated).' },
        });
        return;
      }
      speechWords(transcript).forEach((word, index) => {
        this.wire.emit('conversation.item.input_audio_transcription.delta', {
          item_id: itemId,
          content_index: 0,
          delta: index === 0 ? word : ` ${word}`,
        });
      });
      this.wire.emit('conversation.item.input_audio_transcription.completed', {
        item_id: itemId,
        content_index: 0,
        transcript,
        usage: { type: 'duration', seconds: Math.round(seconds * 100) / 100 },
      });
      this.conversation.describe(itemId, { ...item, content: [{ type: 'input_audio', transcript }] });
    };
    this.hooks.turnCommitted(transcript, respond, transcribe);
  }

  /** The committed buffer as a user item: `committed`, the item added and done. Returns the item. */
  private addUserAudioItem(itemId: string): Record<string, unknown> {
    const item: Record<string, unknown> = {
      id: itemId,
      object: 'realtime.item',
      type: 'message',
      status: 'completed',
      role: 'user',
      // Live sends `transcript: null` here; the openai types allow only a string, and
      // agents-realtime requires the key: an empty string satisfies both.
      content: [{ type: 'input_audio', transcript: '' }],
    };
    const previousItemId = this.conversation.add(item);
    this.wire.emit('input_audio_buffer.committed', { previous_item_id: previousItemId, item_id: itemId });
    this.wire.emit('conversation.item.added', { previous_item_id: previousItemId, item });
    this.wire.emit('conversation.item.done', { previous_item_id: previousItemId, item });
    return item;
  }
}
