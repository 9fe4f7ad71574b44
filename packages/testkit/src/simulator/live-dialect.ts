import { DemoModel } from './demo-model.js';
import { EnergyVad } from './energy-vad.js';
import { LiveOutputStream } from './live-output-stream.js';
import { LiveResponsesBackend } from './live-responses-backend.js';
import { asRecord, type ClientFrame, type DialectContext, type SimulatorDialect } from './simulator-dialect.js';
import { SIMULATOR_SAMPLE_RATE, speechWords } from './speech-synthesizer.js';

/** What the live model says right after it delegates. */
export const LIVE_DELEGATION_ACKNOWLEDGEMENT = 'On it.';
/** Timeline ms of one input transcript fragment (one word). */
export const LIVE_INPUT_WORD_MS = 200;
/** The server's limit on one context append (estimated tokens). */
export const LIVE_APPEND_TOKEN_LIMIT = 500;
/** How long a live session lasts (s): `expires_at` is this far from the start. */
const SESSION_SECONDS = 2 * 60 * 60;

/** Spec 08's token estimate: a quarter token per U+0000–U+007F code point, a whole one otherwise, rounded up. */
export function liveTokenEstimate(text: string): number {
  let quarters = 0;
  for (const codePoint of text) quarters += (codePoint.codePointAt(0) ?? 0) <= 0x7f ? 1 : 4;
  return Math.ceil(quarters / 4);
}

/**
 * Demo mode for the OpenAI Live API (`live`, spec 08): a full-duplex model on a session timeline.
 * - `session.start` → `session.started`; anything before it, or a second one, is a non-fatal
 *   `error` (`session_not_started`, `session_already_started`).
 * - From `session.started` on the output audio is continuous (100 ms frames, silence included),
 *   with `session.usage.updated` every 5000 timeline ms ({@link LiveOutputStream}).
 * - A user turn (an utterance the energy VAD finds, or typed `user:` thinking answered at the next
 *   null commentary) detected at timeline position E has one 200 ms input fragment per word, the
 *   last ending at E. A turn mentioning "agent" or "look up" is delegated and shows the
 *   **late-transcript problem**: all but its last ⌊n/3⌋ words, then `session.delegation.created`
 *   (`offset_ms` E), then `handoffLateMs` real ms later the held-back fragments, and after twice
 *   that `On it.`. Other turns are answered with `answer(text)`.
 * - Appends: thinking/instructions are acknowledged, not spoken; commentary for an open delegation
 *   (or with a null id and no typed turn waiting) is acknowledged and spoken back verbatim; an
 *   unknown delegation is `unknown_delegation`; over 500 estimated tokens is
 *   `context_append_too_long`.
 * - Speech the VAD hears while the model talks stops it at once (server-side barge-in).
 * - `session.close` → a last usage, `session.closed` (`close_requested`), close frame 1000.
 * - Responses mode (`delegation.type` `responses` in `session.start`): a delegated turn's
 *   delegation has `target: "responses"` and a backend run answers it ({@link LiveResponsesBackend}:
 *   a call to the first function tool, outputs by `response.item.create`, continued by
 *   `response.create`, which speaks them). In client mode those two messages are unsupported.
 */
export class LiveDialect implements SimulatorDialect {
  private started = false;
  private ended = false;
  private readonly model: DemoModel;
  private readonly vad: EnergyVad;
  private readonly output: LiveOutputStream;
  private readonly delegations = new Set<string>();
  private readonly typed: string[] = [];
  private audioTurns = 0;
  /** Responses mode's backend (absent in client mode). */
  private responses: LiveResponsesBackend | undefined;

  constructor(private readonly context: DialectContext) {
    this.model = new DemoModel(context.options.answer);
    this.vad = new EnergyVad(context.options.vad);
    const speed = Number.isFinite(context.options.speed) ? context.options.speed : 1000;
    this.output = new LiveOutputStream(context.scheduler, speed, {
      word: (delta, startMs, endMs) => this.send({ type: 'session.output_transcript.delta', delta, start_ms: startMs, end_ms: endMs }),
      frame: (delta) => this.send({ type: 'session.output_audio.delta', delta }),
      usage: (seconds) => this.send({ type: 'session.usage.updated', usage: { seconds } }),
    });
  }

  open(): void {}

  dispose(): void {
    this.ended = true;
    this.output.stop();
  }

  message(frame: ClientFrame): void {
    if (this.ended) return;
    if (!frame.ok) return this.error('invalid_json', `The client event is not valid JSON: ${frame.error}`);
    const message = asRecord(frame.value);
    const type = message?.['type'];
    if (message === undefined || typeof type !== 'string')
      return this.error('missing_required_parameter', "Missing required parameter: 'type'.");
    if (type === 'session.start') return this.start(message);
    if (!this.started) return this.error('session_not_started', `'${type}' was sent before session.started; wait for it.`);
    switch (type) {
      case 'session.input_audio.append':
        return this.append(message);
      case 'session.thinking.append':
      case 'session.instructions.append':
      case 'session.commentary.append':
        return this.contextAppend(type.slice('session.'.length, -'.append'.length) as 'thinking' | 'instructions' | 'commentary', message);
      case 'session.close':
        return this.close();
      case 'response.item.create':
        if (this.responses !== undefined) return this.responses.itemCreate(message);
        break;
      case 'response.create':
        if (this.responses !== undefined) return this.responses.create();
        break;
    }
    return this.error('invalid_value', `Unsupported event type for live: '${type}'.`);
  }

  private send(event: Record<string, unknown>): void {
    if (this.ended) return;
    this.context.send({ ...event, event_id: this.context.ids.next('event') });
  }

  private error(code: string, message: string): void {
    this.send({ type: 'error', error: { type: 'invalid_request_error', code, message } });
  }

  private start(message: Record<string, unknown>): void {
    if (this.started) return this.error('session_already_started', 'The session has already started.');
    this.started = true;
    const requested = asRecord(message['session']) ?? {};
    const session: Record<string, unknown> = {
      id: this.context.sessionId,
      model: typeof requested['model'] === 'string' ? requested['model'] : 'gpt-live-1',
      instructions: typeof requested['instructions'] === 'string' ? requested['instructions'] : '',
      audio: asRecord(requested['audio']) ?? { format: { type: 'audio/pcm', rate: SIMULATOR_SAMPLE_RATE }, output: { voice: 'marin' } },
      delegation: asRecord(requested['delegation']) ?? { type: 'client' },
      expires_at: Math.floor(Date.now() / 1000) + SESSION_SECONDS,
    };
    this.send({ type: 'session.started', session });
    const delegation = asRecord(session['delegation']);
    if (delegation?.['type'] === 'responses') {
      this.responses = new LiveResponsesBackend(LiveResponsesBackend.firstFunctionTool(delegation), this.context.ids, {
        event: (delegationId, event) => this.send({ type: 'response.event', delegation_id: delegationId, event }),
        error: (code, message) => this.error(code, message),
        say: (text) => this.output.say(text),
      });
    }
    this.output.start();
  }

  private append(message: Record<string, unknown>): void {
    const audio = message['audio'];
    if (typeof audio !== 'string') return this.error('missing_required_parameter', "Missing required parameter: 'audio'.");
    for (const event of this.vad.feed(Buffer.from(audio, 'base64'))) {
      if (event.type === 'speechStarted') {
        // Barge-in is the server's: the model stops at once; its unspoken words are never sent.
        this.output.silence();
        continue;
      }
      const transcripts = this.context.options.transcripts;
      const transcript = transcripts[this.audioTurns % transcripts.length] as string;
      this.audioTurns += 1;
      this.userTurn(transcript);
    }
  }

  private contextAppend(channel: 'thinking' | 'instructions' | 'commentary', message: Record<string, unknown>): void {
    const content = message['content'];
    if (typeof content !== 'string') return this.error('missing_required_parameter', "Missing required parameter: 'content'.");
    if (!('delegation_id' in message)) return this.error('missing_required_parameter', "Missing required parameter: 'delegation_id'.");
    const delegationId = message['delegation_id'];
    if (delegationId !== null && typeof delegationId !== 'string')
      return this.error('invalid_type', "'delegation_id' must be a string or null.");
    if (liveTokenEstimate(content) > LIVE_APPEND_TOKEN_LIMIT) {
      return this.error('context_append_too_long', `The ${channel} append is over ${LIVE_APPEND_TOKEN_LIMIT} tokens.`);
    }
    if (delegationId !== null && !this.delegations.has(delegationId)) {
      return this.error('unknown_delegation', `Unknown delegation_id: '${delegationId}'.`);
    }
    const now = this.output.nowMs;
    this.send({ type: `session.${channel}.appended`, delegation_id: delegationId, start_ms: now, end_ms: now });
    if (channel === 'thinking' && delegationId === null && content.startsWith('user: ')) {
      this.typed.push(content.slice('user: '.length));
      return;
    }
    if (channel !== 'commentary') return;
    if (delegationId === null && this.typed.length > 0) {
      this.userTurn(this.typed.splice(0).join(' '));
      return;
    }
    this.output.say(this.model.resultSpeech(content));
  }

  /** A user turn detected now (timeline position E): its input fragments, then an answer or a delegation. */
  private userTurn(text: string): void {
    const words = speechWords(text);
    const end = this.output.nowMs;
    const decision = this.model.decide(text);
    if (decision.kind === 'answer') {
      this.inputFragments(words, 0, end);
      this.output.say(decision.text);
      return;
    }
    const heldBack = words.length >= 2 ? Math.max(1, Math.floor(words.length / 3)) : 0;
    const head = words.length - heldBack;
    this.inputFragments(words.slice(0, head), 0, end - heldBack * LIVE_INPUT_WORD_MS);
    const id = this.context.ids.next('deleg');
    this.delegations.add(id);
    const target = this.responses === undefined ? 'client' : 'responses';
    this.send({ type: 'session.delegation.created', offset_ms: end, delegation: { id, type: 'delegation', target } });
    this.responses?.delegate(id, words.join(' '));
    const lateMs = this.context.options.handoffLateMs;
    if (heldBack > 0) {
      this.context.scheduler.schedule(lateMs, () => {
        this.inputFragments(words.slice(head), head, end);
        return undefined;
      });
    }
    this.context.scheduler.schedule(2 * lateMs, () => {
      this.output.say(LIVE_DELEGATION_ACKNOWLEDGEMENT);
      return undefined;
    });
  }

  /** One fragment per word, 200 ms each, the last ending at `endMs`; `firstIndex` is the first word's index in the turn. */
  private inputFragments(words: string[], firstIndex: number, endMs: number): void {
    words.forEach((word, index) => {
      const wordEnd = endMs - (words.length - 1 - index) * LIVE_INPUT_WORD_MS;
      this.send({
        type: 'session.input_transcript.delta',
        delta: firstIndex + index === 0 ? word : ` ${word}`,
        start_ms: wordEnd - LIVE_INPUT_WORD_MS,
        end_ms: wordEnd,
      });
    });
  }

  private close(): void {
    const seconds = this.output.nowMs / 1000;
    this.output.stop();
    this.send({ type: 'session.usage.updated', usage: { seconds } });
    this.send({ type: 'session.closed', reason: 'close_requested', usage: { seconds } });
    this.ended = true;
    this.context.close(1000, '');
  }
}
