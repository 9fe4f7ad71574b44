import type { DialectContext } from './simulator-dialect.js';
import type { ScheduledTask } from './task-scheduler.js';
import type { V2SessionConfig } from './v2-session.js';

/**
 * The server VAD's idle timeout (`turn_detection.idle_timeout_ms`), as the official types of
 * `openai` 7.59.0 describe it (`resources/realtime/realtime.d.ts`, `InputAudioBufferTimeoutTriggered`
 * and `idle_timeout_ms`): the timeout runs from the moment the last response's audio has finished
 * playing (`response.done` plus the playback still due), and when the user stays silent that long
 * the server sends `input_audio_buffer.timeout_triggered` (`audio_start_ms`: the input audio written
 * when playback ended; `audio_end_ms`: written when it fired), commits the buffer as an
 * `input_audio` item (`input_audio_buffer.committed`) and generates a response.
 *
 * Simulated: armed when a response ends (`responseEnded`), disarmed when the user starts speaking
 * or a response starts; the delays are simulated milliseconds (divided by `speed`). Once per
 * silence: the response to a timeout does not arm it again (the dialect does not call
 * `responseEnded` for it), so a silent user is prompted once, not in a loop.
 */
export class V2IdleTimeout {
  private task: ScheduledTask | undefined;

  constructor(
    private readonly context: DialectContext,
    private readonly session: V2SessionConfig,
    private readonly input: { readonly writtenMs: number; readonly inSpeech: boolean },
    private readonly fire: (audioStartMs: number) => void,
  ) {}

  /** A response ended; its audio plays for `playbackMs` more (simulated ms). Arms the timeout if configured. */
  responseEnded(playbackMs: number): void {
    this.cancel();
    if (this.session.idleTimeoutMs === undefined) return;
    this.task = this.context.scheduler.schedule(this.realMs(playbackMs), () => {
      const idleMs = this.session.idleTimeoutMs;
      if (idleMs === undefined) return;
      const audioStartMs = this.input.writtenMs;
      this.task = this.context.scheduler.schedule(this.realMs(idleMs), () => {
        this.task = undefined;
        if (this.session.idleTimeoutMs === undefined || this.input.inSpeech) return;
        this.fire(audioStartMs);
      });
    });
  }

  /** The user started speaking, or a response started: no timeout until the next response ends. */
  cancel(): void {
    this.task?.cancel();
    this.task = undefined;
  }

  private realMs(simulatedMs: number): number {
    const speed = this.context.options.speed;
    return Number.isFinite(speed) ? simulatedMs / speed : 0;
  }
}
