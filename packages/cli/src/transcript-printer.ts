import type { ConversationEvent } from '@parley/core';

/**
 * Turns conversation events into a readable live transcript: `user: …` and `assistant: …` lines
 * (deltas are gathered per speaker and printed when the speaker changes, a transcript is done, or
 * something notable happens), plus notable events in brackets (handoff, delegation, errors, close).
 */
export class TranscriptPrinter {
  private role: 'user' | 'assistant' | undefined;
  private text = '';
  private readonly printed: Record<'user' | 'assistant', string> = { user: '', assistant: '' };

  constructor(private readonly write: (line: string) => void) {}

  /** Handles one event. */
  handle(event: ConversationEvent): void {
    switch (event.type) {
      case 'inputTranscriptDelta':
        this.delta('user', event.delta);
        return;
      case 'outputTranscriptDelta':
        this.delta('assistant', event.delta);
        return;
      case 'inputTranscriptDone':
        this.done('user', event.text);
        return;
      case 'outputTranscriptDone':
        this.done('assistant', event.text);
        return;
      case 'started':
        this.note(`[started] protocol ${event.protocol}${event.sessionId ? `, session ${event.sessionId}` : ''}`);
        return;
      case 'sessionUpdated':
        this.note(`[session] ${event.sessionId}`);
        return;
      case 'handoffRequested':
        this.note(`[handoff] ${event.handoffId}: ${JSON.stringify(event.inputTranscript)}`);
        return;
      case 'delegationStarted':
        this.note(`[delegation${event.steering ? ', steering' : ''}] ${event.handoffId}: ${JSON.stringify(event.text)}`);
        return;
      case 'inputAudioSpeechStarted':
        this.note('[user speaking]');
        return;
      case 'responseCancelled':
        this.note('[response cancelled]');
        return;
      case 'error':
        this.note(`[${event.fatal ? 'fatal error' : 'error'}] ${event.message}`);
        return;
      case 'reconnecting':
        this.note(`[reconnecting] attempt ${event.attempt}${event.delayMs !== undefined ? ` in ${event.delayMs} ms` : ''}`);
        return;
      case 'reconnected':
        this.note(`[reconnected] attempt ${event.attempt}`);
        return;
      case 'closed':
        this.note(
          `[closed] ${event.reason}${event.code !== undefined ? ` (code ${event.code}${event.closeReason ? `, ${event.closeReason}` : ''})` : ''}`,
        );
        return;
      default:
        return;
    }
  }

  /** Prints a notable line (after flushing the pending transcript). */
  note(line: string): void {
    this.flush();
    this.write(line);
  }

  /** Prints what is gathered. */
  flush(): void {
    if (this.role !== undefined && this.text.trim() !== '') {
      this.write(`${this.role}: ${this.text.trim()}`);
      this.printed[this.role] = this.text.trim();
    }
    this.role = undefined;
    this.text = '';
  }

  private delta(role: 'user' | 'assistant', delta: string): void {
    if (this.role !== role) {
      this.flush();
      this.role = role;
    }
    this.text += delta;
  }

  private done(role: 'user' | 'assistant', text: string): void {
    if (this.role !== role) this.flush();
    // A done that repeats what was just printed for this speaker adds nothing.
    if (this.role !== role && this.printed[role] === text.trim()) return;
    this.role = role;
    this.text = text;
    this.flush();
  }
}
