import type { ConversationEvent } from '@parley/core';
import { escapeForTerminal } from './terminal-text.js';

type Role = 'user' | 'assistant';

/**
 * Turns conversation events into a readable live transcript: one `user: …` or `assistant: …` line
 * per message, plus notable events in brackets (handoff, delegation, errors, close). Transcript
 * deltas are gathered per speaker and printed once, when the message is done (its final text wins)
 * or when it ends otherwise (its response or item ends, or the transcript is flushed at the end);
 * notes never cut a message in two. User text the application sent is echoed with {@link userText}
 * (the same text echoed back by the server is not printed again). Tool calls and their answers are
 * `[tool] call <name> <arguments> (<call id>)`, `[tool] result <name>: <output>` and
 * `[tool] error <name> (<reason>): <output>`. Every line is shown with control
 * characters escaped ({@link escapeForTerminal}), so server text cannot drive the terminal.
 */
export class TranscriptPrinter {
  private readonly partial: Record<Role, string> = { user: '', assistant: '' };
  private readonly echoed: string[] = [];
  /** What {@link end} printed last per speaker before the message's done arrived. */
  private readonly ended: Record<Role, string> = { user: '', assistant: '' };
  /** Roles of the items added and not done yet (bounded). */
  private readonly roles = new Map<string, string>();

  constructor(private readonly write: (line: string) => void) {}

  /** Handles one event. */
  handle(event: ConversationEvent): void {
    switch (event.type) {
      case 'inputTranscriptDelta':
        this.partial.user += event.delta;
        return;
      case 'outputTranscriptDelta':
        this.partial.assistant += event.delta;
        return;
      case 'inputTranscriptDone':
        this.done('user', event.text);
        return;
      case 'outputTranscriptDone':
        this.done('assistant', event.text);
        return;
      case 'responseCreated':
      case 'responseDone':
        this.end('assistant');
        return;
      case 'conversationItemAdded':
        this.itemAdded(event.item);
        return;
      case 'conversationItemDone':
        if (this.roles.get(event.itemId) === 'assistant') this.end('assistant');
        this.roles.delete(event.itemId);
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
        this.end('assistant');
        this.note('[response cancelled]');
        return;
      case 'error':
        this.note(`[${event.fatal ? 'fatal error' : 'error'}] ${event.message}`);
        return;
      case 'toolCall':
        this.note(`[tool] call ${event.name} ${event.arguments} (${event.callId})`);
        return;
      case 'toolResult':
        this.note(
          event.error
            ? `[tool] error ${event.name} (${event.reason ?? 'failed'}): ${event.output}`
            : `[tool] result ${event.name}: ${event.output}`,
        );
        return;
      case 'reconnecting':
        this.note(`[reconnecting] attempt ${event.attempt}${event.delayMs !== undefined ? ` in ${event.delayMs} ms` : ''}`);
        return;
      case 'reconnected':
        this.note(`[reconnected] attempt ${event.attempt}`);
        return;
      case 'closed':
        this.flush();
        this.note(
          `[closed] ${event.reason}${event.code !== undefined ? ` (code ${event.code}${event.closeReason ? `, ${event.closeReason}` : ''})` : ''}`,
        );
        return;
      default:
        return;
    }
  }

  /** Echoes a user message the application sent (`user: …`); the server's echo of it is not printed again. */
  userText(text: string): void {
    this.end('user');
    this.line(`user: ${text.trim()}`);
    this.echoed.push(text.trim());
    if (this.echoed.length > 16) this.echoed.shift();
  }

  /** Prints a notable line (a message being gathered stays gathered). */
  note(line: string): void {
    this.line(line);
  }

  /** Prints every message still being gathered (at the end). */
  flush(): void {
    this.end('user');
    this.end('assistant');
  }

  /** A new assistant item starts a new message: the user's turn and the previous answer are over. */
  private itemAdded(item: unknown): void {
    if (typeof item !== 'object' || item === null) return;
    const { id, role } = item as { id?: unknown; role?: unknown };
    if (typeof role !== 'string') return;
    if (typeof id === 'string') {
      this.roles.set(id, role);
      if (this.roles.size > 64) this.roles.delete(this.roles.keys().next().value as string);
    }
    if (role === 'assistant') {
      this.end('user');
      this.end('assistant');
    }
  }

  private line(text: string): void {
    this.write(escapeForTerminal(text));
  }

  private done(role: Role, text: string): void {
    this.partial[role] = '';
    const trimmed = text.trim();
    const ended = this.ended[role];
    this.ended[role] = '';
    if (trimmed === ended) return;
    if (role === 'user') {
      const echo = this.echoed.indexOf(trimmed);
      if (echo >= 0) {
        this.echoed.splice(echo, 1);
        return;
      }
    }
    if (trimmed !== '') this.line(`${role}: ${trimmed}`);
  }

  private end(role: Role): void {
    const text = this.partial[role].trim();
    this.partial[role] = '';
    if (text === '') return;
    if (role === 'user' && this.echoed.includes(text)) return;
    this.ended[role] = text;
    this.line(`${role}: ${text}`);
  }
}
