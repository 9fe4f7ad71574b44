import type { RealtimeClientEvent } from 'openai/resources/realtime/realtime';
import WebSocket from 'ws';

/** A server event as the conformance tests see it. */
export type WireEvent = Record<string, unknown> & { type: string };

/**
 * A plain `ws` client whose sends are typed as the official `RealtimeClientEvent` (so what the
 * tests send is itself checked by tsc), recording every server event and waiting for events with
 * a deadline (no sleeps).
 */
export class ConformanceClient {
  readonly events: WireEvent[] = [];
  private waiters: (() => void)[] = [];
  private closed = false;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.events.push(JSON.parse(String(data)) as WireEvent);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  /** Connects to `ws://…/v1/realtime<query>` of a simulator base URL; resolves once open. */
  static connect(base: string, query = ''): Promise<ConformanceClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/v1/realtime${query}`);
      const client = new ConformanceClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
    });
  }

  send(event: RealtimeClientEvent): void {
    this.socket.send(JSON.stringify(event));
  }

  /** Sends audio bytes in `input_audio_buffer.append` chunks of `chunkBytes`. */
  sendAudio(bytes: Buffer, chunkBytes: number): void {
    for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
      this.send({ type: 'input_audio_buffer.append', audio: bytes.subarray(offset, offset + chunkBytes).toString('base64') });
    }
  }

  /** The `count`-th event (1-based) matching `match`, waiting up to `timeoutMs`. */
  async waitFor(match: string | ((event: WireEvent) => boolean), count = 1, timeoutMs = 5000): Promise<WireEvent> {
    const test = typeof match === 'string' ? (event: WireEvent) => event.type === match : match;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.events.filter(test);
      if (found.length >= count) return found[count - 1] as WireEvent;
      const left = deadline - performance.now();
      if (left <= 0 || this.closed) {
        throw new Error(`no event #${count} matching ${String(match)}; seen: ${this.types().join(', ')}`);
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

  /** Event types so far, audio deltas left out. */
  types(): string[] {
    return this.events.map((event) => event.type).filter((type) => type !== 'response.output_audio.delta');
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
