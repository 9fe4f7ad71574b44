import WebSocket from 'ws';

/** A server event as a test sees it. */
export type ServerEvent = Record<string, unknown> & { type: string };

/** Result of a handshake the server refused. */
export interface Refusal {
  status: number;
  body: string;
}

/** The `ws://…/v1/realtime` URL for a simulator base URL, with an optional query. */
export function realtimeUrl(base: string, query = ''): string {
  return `${base.replace(/^http/, 'ws')}/v1/realtime${query}`;
}

/**
 * A plain `ws` client for simulator tests: records every server event (parsed, with its arrival
 * time) and waits for events with a deadline, so no test sleeps.
 */
export class TestClient {
  readonly events: ServerEvent[] = [];
  readonly times: number[] = [];
  private cursor = 0;
  private waiters: (() => void)[] = [];
  closed: { code: number; reason: string } | undefined;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.events.push(JSON.parse(String(data)) as ServerEvent);
      this.times.push(performance.now());
      this.wake();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  /** Connects; resolves once open. */
  static connect(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers });
      const client = new TestClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
    });
  }

  /** Connects expecting a refusal; resolves with its status and body. */
  static refused(url: string): Promise<Refusal> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => {
        socket.terminate();
        reject(new Error('handshake unexpectedly accepted'));
      });
      socket.once('error', () => undefined);
      socket.once('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, body });
          socket.terminate();
        });
      });
    });
  }

  /** Sends an object as JSON, or a string as it is. */
  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Sends user text the way Parley does. */
  sendText(text: string): void {
    this.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
  }

  /** Sends PCM16 audio in 20 ms `input_audio_buffer.append` frames. */
  sendAudio(pcm: Buffer): void {
    for (let offset = 0; offset < pcm.length; offset += 960) {
      this.send({ type: 'input_audio_buffer.append', audio: pcm.subarray(offset, offset + 960).toString('base64') });
    }
  }

  /**
   * The next event (after the previous `next`) matching `match` (a type or a predicate); moves the
   * cursor past it. Rejects after `timeoutMs` with the types seen.
   */
  async next(match: string | ((event: ServerEvent) => boolean), timeoutMs = 3000): Promise<ServerEvent> {
    const test = typeof match === 'string' ? (event: ServerEvent) => event.type === match : match;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      for (let index = this.cursor; index < this.events.length; index += 1) {
        const event = this.events[index] as ServerEvent;
        if (test(event)) {
          this.cursor = index + 1;
          return event;
        }
      }
      const left = deadline - performance.now();
      if (left <= 0 || this.closed !== undefined) {
        throw new Error(
          `no matching event for ${String(match)} (closed: ${JSON.stringify(this.closed)}); seen: ${this.summary().join(', ')}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Index of the event last returned by `next`, plus one. */
  get position(): number {
    return this.cursor;
  }

  /** Event types, audio deltas left out. */
  summary(from = 0, to = this.events.length): string[] {
    return this.events
      .slice(from, to)
      .map((event) => event.type)
      .filter((type) => type !== 'response.output_audio.delta' && type !== 'conversation.output_audio.delta');
  }

  /** Waits for the socket to close. */
  async whenClosed(timeoutMs = 3000): Promise<{ code: number; reason: string }> {
    const deadline = performance.now() + timeoutMs;
    while (this.closed === undefined) {
      if (performance.now() > deadline) throw new Error('socket did not close');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - performance.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.closed;
  }

  close(): void {
    this.socket.terminate();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}
