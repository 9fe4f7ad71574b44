import type { Cancellable } from './clock.js';
import { messageOf } from './error-message.js';
import type { QueuedInput } from './input-queue.js';
import type { SessionCore } from './session-core.js';
import type { SessionReconnection } from './session-reconnection.js';

/**
 * The processing loop of one conversation (spec 04 "Inputs and queues"): takes the queued inputs
 * one at a time, in arrival order, and hands each to the socket or to the policy, so a policy never
 * sees two things at once. It waits for the socket when the socket holds bytes, so a stuck socket
 * holds the input queues and their full rules apply. Internal to core.
 */
export class SessionInputLoop {
  constructor(
    private readonly core: SessionCore,
    private readonly reconnection: SessionReconnection,
  ) {}

  /** Starts the loop (once the conversation runs); it ends when the inputs close or the conversation ends. */
  start(): void {
    void this.loop();
  }

  /**
   * Used by `close()`: resolves once the inputs queued now have been handed to the socket and
   * written, waiting on a congested socket for at most `realtime.closeDrainMs` on the clock (0: not
   * at all); at once when the conversation reconnects or ends. Resolves true when it gave up at
   * that bound.
   */
  flushInputs(): Promise<boolean> {
    const core = this.core;
    if (core.state !== 'running') return Promise.resolve(false);
    const drainMs = core.context.config.realtime.closeDrainMs;
    const flushed = core.inputs.flushed(core.releaseLoop !== undefined, drainMs > 0);
    if (drainMs === 0) return flushed.then(() => false);
    return new Promise<boolean>((resolve) => {
      const bound: Cancellable = {
        cancel: () => {
          timer.cancel();
          resolve(false);
        },
      };
      const timer = core.context.clock.setTimer(drainMs, () => {
        core.timers.delete(bound);
        resolve(true);
      });
      core.timers.add(bound);
      void flushed.then(() => {
        core.timers.delete(bound);
        bound.cancel();
      });
    });
  }

  /**
   * Sends a text frame on the current connection (counted), in order with every other send. A
   * failed send is offered to `onError` first; otherwise it is a lost connection (a reconnection,
   * when enabled) or a fatal `ERR_SEND_FAILED`.
   */
  sendText(text: string, onError?: (error: Error) => boolean): void {
    const core = this.core;
    const connection = core.connection;
    if (connection === undefined || !core.live) return;
    core.stats.framesOut += 1;
    core.stats.bytesOut += text.length;
    const epoch = core.epoch;
    core.lastSend = connection.send(text).then(undefined, (error: unknown) => {
      if (core.state === 'closing' && epoch === core.epoch) {
        // Closing (spec 08): a failed send is a connection going away; it ends the requested close.
        core.end('requested');
        return;
      }
      if (core.state !== 'running' || epoch !== core.epoch) return;
      const failure = error instanceof Error ? error : new Error(messageOf(error));
      if (onError !== undefined && onError(failure)) return;
      // A write that fails is a connection going away: the transport may report the loss after
      // the failed send. With reconnection on, it is handled as the lost connection.
      if (this.reconnection.afterSendFailure(failure.message)) return;
      core.fatal(`failed to send a message: ${failure.message}`, 'ERR_SEND_FAILED');
    });
  }

  private async loop(): Promise<void> {
    const core = this.core;
    for (;;) {
      let input = await core.inputs.take();
      for (;;) {
        while (core.state === 'reconnecting') await core.reconnected;
        // Taken before the inputs were held (a reconnection's new policy holds them): it waits too.
        if (input === undefined || !core.inputs.isHeld) break;
        input = await core.inputs.keepWhileHeld(input);
      }
      if (input === undefined || core.state !== 'running') return;
      this.process(input);
      // Wait until the socket took the frame. When the transport buffered nothing, it already has
      // (no promise hop per frame); when it holds bytes (a stuck or congested socket) the loop waits
      // for the send to complete, so the input queues fill and their full rules apply. A
      // reconnection releases the wait: a dropped connection's sends may never settle.
      if ((core.connection?.bufferedAmount ?? 0) > 0) {
        core.inputs.blocked();
        await new Promise<void>((resolve) => {
          core.releaseLoop = resolve;
          core.lastSend.then(resolve, resolve);
        });
        core.releaseLoop = undefined;
      }
    }
  }

  private process(input: QueuedInput): void {
    const core = this.core;
    switch (input.kind) {
      case 'audio':
      case 'text':
        this.sendText(input.message);
        return;
      case 'texts':
        for (const message of input.messages) this.sendText(message);
        return;
      case 'response':
        core.guard(() => core.policy?.requestResponse());
        return;
      case 'output':
        core.guard(() => core.policy?.assistantOutput(input.text, input.handoffId));
        return;
      case 'finish':
        core.inputs.finishProcessed();
        core.guard(() => core.policy?.finishTurn(input.handoffId));
        return;
      case 'tool':
        core.guard(() => {
          if (core.policy !== undefined) core.tools.dispatch(input.item, core.policy);
        });
        return;
    }
  }
}
