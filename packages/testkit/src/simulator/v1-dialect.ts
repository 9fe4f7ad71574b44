import { DemoModel } from './demo-model.js';
import { EnergyVad } from './energy-vad.js';
import { asRecord, itemText, type ClientFrame, type DialectContext, type SimulatorDialect } from './simulator-dialect.js';
import { SpeechStream } from './speech-stream.js';
import { SIMULATOR_FRAME_SAMPLES, SIMULATOR_SAMPLE_RATE, speechWords } from './speech-synthesizer.js';

/** What the v1 assistant says right after it hands off. */
export const V1_HANDOFF_ACKNOWLEDGEMENT = 'On it.';

interface Speaking {
  itemId: string;
  stream: SpeechStream;
}

/**
 * Demo mode for v1 (quicksilver): the server decides when to speak and when to hand off.
 * - `session.update` → `session.updated` with the session id and instructions.
 * - A user text (`conversation.item.create`) or an utterance found by the energy VAD in the
 *   microphone audio is a user turn: its words come back as `conversation.input_transcript.delta`
 *   (the VAD "hears" `transcripts`), then the server answers by itself — `conversation.item.added`,
 *   per word `conversation.output_transcript.delta` and its `conversation.output_audio.delta`
 *   frames (24 kHz mono, 480 samples), `conversation.item.done`. Answers play one after another.
 * - A turn that mentions "agent" or "look up" is handed off: the first words' input deltas,
 *   `conversation.handoff.requested`, then LATE — `handoffLateMs` later — the tail of the user's
 *   words, and after twice that the spoken "On it." (so Parley's grace period has work to do).
 * - `conversation.handoff.append` speaks its `output_text` without Parley's final-message prefix.
 * - User speech while the assistant talks stops it (and drops the queued answers).
 * - Bad JSON, unknown events, unknown handoff ids → an `error` event.
 */
export class V1Dialect implements SimulatorDialect {
  private instructions = '';
  private voice = 'cove';
  private readonly model: DemoModel;
  private readonly vad: EnergyVad;
  private readonly queue: string[] = [];
  private speaking: Speaking | undefined;
  private readonly handoffs = new Set<string>();
  private audioTurns = 0;
  private disposed = false;

  constructor(private readonly context: DialectContext) {
    this.model = new DemoModel(context.options.answer);
    this.vad = new EnergyVad(context.options.vad);
  }

  open(): void {}

  dispose(): void {
    this.disposed = true;
    this.speaking?.stream.cancel();
    this.speaking = undefined;
    this.queue.length = 0;
  }

  message(frame: ClientFrame): void {
    if (!frame.ok) return this.error('invalid_json', `The client event is not valid JSON: ${frame.error}`);
    const message = asRecord(frame.value);
    const type = message?.['type'];
    if (message === undefined || typeof type !== 'string')
      return this.error('missing_required_parameter', "Missing required parameter: 'type'.");
    switch (type) {
      case 'session.update':
        return this.sessionUpdate(message);
      case 'input_audio_buffer.append':
        return this.append(message);
      case 'conversation.item.create':
        return this.itemCreate(message);
      case 'conversation.handoff.append':
        return this.handoffAppend(message);
      default:
        return this.error('invalid_value', `Unsupported event type for quicksilver: '${type}'.`);
    }
  }

  private error(code: string, message: string): void {
    this.context.send({ type: 'error', error: { type: 'invalid_request_error', code, message } });
  }

  private sessionUpdate(message: Record<string, unknown>): void {
    const session = asRecord(message['session']);
    if (typeof session?.['instructions'] === 'string') this.instructions = session['instructions'];
    const voice = asRecord(asRecord(session?.['audio'])?.['output'])?.['voice'];
    if (typeof voice === 'string') this.voice = voice;
    this.context.send({
      type: 'session.updated',
      session: {
        id: this.context.sessionId,
        type: 'quicksilver',
        instructions: this.instructions,
        audio: { input: { format: { type: 'audio/pcm', rate: SIMULATOR_SAMPLE_RATE } }, output: { voice: this.voice } },
      },
    });
  }

  private append(message: Record<string, unknown>): void {
    const audio = message['audio'];
    if (typeof audio !== 'string') return this.error('missing_required_parameter', "Missing required parameter: 'audio'.");
    for (const event of this.vad.feed(Buffer.from(audio, 'base64'))) {
      if (event.type === 'speechStarted') {
        this.interrupt();
        continue;
      }
      const transcripts = this.context.options.transcripts;
      const transcript = transcripts[this.audioTurns % transcripts.length] as string;
      this.audioTurns += 1;
      const item = { id: this.context.ids.next('item'), type: 'message', role: 'user', content: [{ type: 'input_audio', transcript }] };
      this.context.send({ type: 'conversation.item.added', item });
      this.context.send({ type: 'conversation.item.done', item });
      this.userTurn(transcript, item.id);
    }
  }

  private itemCreate(message: Record<string, unknown>): void {
    const item = asRecord(message['item']);
    if (item === undefined) return this.error('missing_required_parameter', "Missing required parameter: 'item'.");
    const acknowledged = { ...item, id: typeof item['id'] === 'string' ? item['id'] : this.context.ids.next('item') };
    this.context.send({ type: 'conversation.item.added', item: acknowledged });
    this.context.send({ type: 'conversation.item.done', item: acknowledged });
    if (item['type'] === 'message' && item['role'] === 'user') this.userTurn(itemText(item), acknowledged.id);
  }

  private handoffAppend(message: Record<string, unknown>): void {
    const handoffId = message['handoff_id'];
    const output = message['output_text'];
    if (typeof handoffId !== 'string' || typeof output !== 'string') {
      return this.error('missing_required_parameter', 'conversation.handoff.append needs handoff_id and output_text.');
    }
    if (!this.handoffs.has(handoffId)) return this.error('invalid_value', `Unknown handoff_id: '${handoffId}'.`);
    this.say(this.model.resultSpeech(output));
  }

  /** The server's reaction to a user turn: echo the words as input transcript, then answer or hand off. */
  private userTurn(text: string, itemId: string): void {
    const words = speechWords(text);
    const decision = this.model.decide(text);
    if (decision.kind === 'answer') {
      this.inputDeltas(words, 0);
      this.say(decision.text);
      return;
    }
    const tail = words.length >= 2 ? Math.max(1, Math.floor(words.length / 3)) : 0;
    const headCount = words.length - tail;
    this.inputDeltas(words.slice(0, headCount), 0);
    const handoffId = this.context.ids.next('handoff');
    this.handoffs.add(handoffId);
    this.context.send({
      type: 'conversation.handoff.requested',
      handoff_id: handoffId,
      item_id: itemId,
      input_transcript: decision.prompt,
    });
    const lateMs = this.context.options.handoffLateMs;
    if (tail > 0) {
      this.context.scheduler.schedule(lateMs, () => {
        this.inputDeltas(words.slice(headCount), headCount);
        return undefined;
      });
    }
    this.context.scheduler.schedule(2 * lateMs, () => {
      this.say(V1_HANDOFF_ACKNOWLEDGEMENT);
      return undefined;
    });
  }

  private inputDeltas(words: string[], firstIndex: number): void {
    words.forEach((word, index) => {
      this.context.send({ type: 'conversation.input_transcript.delta', delta: firstIndex + index === 0 ? word : ` ${word}` });
    });
  }

  /** Queues an answer; answers play one after another. */
  private say(text: string): void {
    if (this.disposed) return;
    this.queue.push(text);
    if (this.speaking === undefined) this.next();
  }

  private next(): void {
    const text = this.queue.shift();
    if (text === undefined || this.disposed) return;
    const itemId = this.context.ids.next('item');
    this.context.send({ type: 'conversation.item.added', item: { id: itemId, type: 'message', role: 'assistant', content: [] } });
    const stream: SpeechStream = new SpeechStream(
      text,
      this.context.scheduler,
      { speed: this.context.options.speed, audio: true },
      {
        word: (delta) => this.context.send({ type: 'conversation.output_transcript.delta', delta }),
        frame: (delta) =>
          this.context.send({
            type: 'conversation.output_audio.delta',
            delta,
            sample_rate: SIMULATOR_SAMPLE_RATE,
            channels: 1,
            samples_per_channel: SIMULATOR_FRAME_SAMPLES,
          }),
        end: () => {
          this.itemDone(itemId, stream.spokenText);
          this.speaking = undefined;
          this.next();
        },
      },
    );
    this.speaking = { itemId, stream };
    stream.start();
  }

  private itemDone(itemId: string, transcript: string): void {
    this.context.send({
      type: 'conversation.item.done',
      item: { id: itemId, type: 'message', role: 'assistant', content: [{ type: 'output_audio', transcript }] },
    });
  }

  /** User speech: stop talking and forget the queued answers. */
  private interrupt(): void {
    this.queue.length = 0;
    const speaking = this.speaking;
    if (speaking === undefined) return;
    this.speaking = undefined;
    speaking.stream.cancel();
    this.itemDone(speaking.itemId, speaking.stream.spokenText);
  }
}
