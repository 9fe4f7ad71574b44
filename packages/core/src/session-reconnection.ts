import type { ReconnectedEvent } from './conversation-event.js';
import { messageOf } from './error-message.js';
import { ParleyError } from './parley-error.js';
import { ReconnectBudget, retryWithBackoff } from './reconnect-backoff.js';
import type { SessionCore } from './session-core.js';
import type { PolicyHandle } from './session-policy.js';
import type { Connection, ConnectionListener } from './transport-factory.js';

/** Close codes after which an opt-in reconnection is attempted (abnormal closes). */
const ABNORMAL_CLOSE_CODES = new Set([1001, 1006, 1011, 1012, 1013, 1014]);

/** What the reconnection needs from the conversation's other parts. */
export interface ReconnectionParts {
  /** A listener for a new connection attempt (the inbound path's). */
  listener(): ConnectionListener;
  /** Replays the inbound calls that arrived while the connection was being established. */
  replayEarly(): void;
  /** A handle for a fresh policy. */
  policyHandle(): PolicyHandle;
}

/**
 * Adopting a connection (a fresh policy, then the strategy's first message, sent first), and the
 * opt-in reconnection (`realtime.reconnect.*`): after an abnormal close, a lost connection or a
 * failed write, the conversation reconnects with exponential backoff and jitter
 * ({@link retryWithBackoff}) instead of ending. Internal to core.
 */
export class SessionReconnection {
  /** Attempts spent; given back only after a connection stayed up for `stableAfterMs`. */
  private readonly budget: ReconnectBudget;

  constructor(
    private readonly core: SessionCore,
    private readonly parts: ReconnectionParts,
  ) {
    this.budget = new ReconnectBudget(core.context.config.realtime.reconnect.stableAfterMs);
  }

  /** The first connection is up (the conversation started): its stability window begins now. */
  started(): void {
    this.budget.connected(this.core.context.clock.now());
  }

  /**
   * Adopts a connection: a fresh policy, then the strategy's `session.update`, sent first. Rejects
   * (with a typed error) when that send fails.
   */
  async establish(connection: Connection): Promise<void> {
    const core = this.core;
    core.connection = connection;
    core.policy = core.strategy.createPolicy(this.parts.policyHandle(), core.settings);
    const first = JSON.stringify(core.strategy.sessionUpdate(core.settings));
    core.stats.framesOut += 1;
    core.stats.bytesOut += first.length;
    try {
      await connection.send(first);
    } catch (error) {
      throw new ParleyError('ERR_SEND_FAILED', `could not send session.update: ${messageOf(error)}`, { cause: error });
    }
  }

  /** The server closed the connection: true when a reconnection takes over (an abnormal close, opted in). */
  afterClose(code: number): boolean {
    if (this.core.state !== 'running' || !this.enabled || !ABNORMAL_CLOSE_CODES.has(code)) return false;
    void this.reconnect(`the server closed the connection abnormally (code ${code})`);
    return true;
  }

  /** The connection reported an error: true when a reconnection takes over (a lost connection, opted in). */
  afterError(code: string, error: Error): boolean {
    if (this.core.state !== 'running' || !this.enabled || code !== 'ERR_CONNECTION_LOST') return false;
    void this.reconnect(messageOf(error));
    return true;
  }

  /** A write failed (while running): true when a reconnection takes over (opted in). */
  afterSendFailure(message: string): boolean {
    if (!this.enabled) return false;
    void this.reconnect(`failed to send a message: ${message}`);
    return true;
  }

  private get enabled(): boolean {
    return this.core.context.config.realtime.reconnect.enabled;
  }

  /**
   * After an abnormal close: drops the connection, the policy, the timers and the running
   * delegations (their handoffs are lost: the new server session does not know them), then tries
   * again with exponential backoff and jitter. Queued inputs wait and are sent on the new
   * connection after its `session.update`. Gives up with a fatal error after `maxAttempts`, counted
   * since the last connection that stayed up for `stableAfterMs` (a server that accepts and drops
   * every connection does not get a fresh budget each time).
   */
  private async reconnect(cause: string): Promise<void> {
    const core = this.core;
    const context = core.context;
    const settings = context.config.realtime.reconnect;
    const used = this.budget.lost(context.clock.now());
    core.state = 'reconnecting';
    core.stats.state = 'reconnecting';
    core.inputs.release();
    let release: () => void = () => undefined;
    core.reconnected = new Promise((resolve) => (release = resolve));
    const lost = core.policy?.openHandoffs?.() ?? [];
    const lostToolCalls = core.tools.reconnected();
    core.connection?.terminate();
    core.connection = undefined;
    core.epoch += 1;
    // Sends of the dropped connection may never settle: release the loop, and wait for none of them.
    core.releaseLoop?.();
    core.lastSend = Promise.resolve();
    for (const timer of core.timers) timer.cancel();
    core.timers.clear();
    core.delegationAbort.abort();
    core.delegationAbort = new AbortController();
    core.delegations = core.createDelegationRunner();
    core.disposePolicy();
    core.policy = undefined;
    core.early.length = 0;
    if (used >= settings.maxAttempts) {
      core.fatal(
        `could not reconnect after ${settings.maxAttempts} attempts: no new connection stayed up for ` +
          `realtime.reconnect.stableAfterMs (${settings.stableAfterMs} ms); the last one was lost: ${cause}`,
        'ERR_CONNECTION_LOST',
      );
      return;
    }
    context.logger.warn('connection lost; reconnecting', { cause, attemptsLeft: settings.maxAttempts - used });
    const stillReconnecting = (): boolean => core.state === 'reconnecting';
    const outcome = await retryWithBackoff(
      settings,
      {
        announce: (attempt, delayMs) => core.emit({ type: 'reconnecting', attempt, delayMs }),
        wait: (delayMs) =>
          new Promise<boolean>((resolve) => {
            const timer = context.clock.setTimer(delayMs, () => {
              core.timers.delete(timer);
              resolve(stillReconnecting());
            });
            core.timers.add({ cancel: () => (timer.cancel(), resolve(false)) });
          }),
        attempt: async () => {
          const connection = await context.reconnect(this.parts.listener());
          if (!stillReconnecting()) {
            connection.terminate();
            return;
          }
          await this.establish(connection);
        },
        failed: (attempt, message) => {
          core.early.length = 0;
          core.connection?.terminate();
          core.connection = undefined;
          context.logger.warn('reconnection attempt failed', { attempt, error: message });
        },
      },
      cause,
      used,
    );
    if (outcome.kind === 'gave_up') {
      core.fatal(`could not reconnect after ${settings.maxAttempts} attempts: ${outcome.lastError}`, 'ERR_CONNECTION_LOST');
      return;
    }
    const connection = core.connection as Connection | undefined;
    if (outcome.kind === 'stopped' || !stillReconnecting() || connection === undefined) return;
    core.state = 'running';
    core.stats.state = 'running';
    core.stats.reconnections += 1;
    this.budget.connected(context.clock.now(), outcome.attempt);
    const reconnected: ReconnectedEvent = { type: 'reconnected', attempt: outcome.attempt };
    if (lost.length > 0) reconnected.lostHandoffs = lost;
    if (lostToolCalls.length > 0) reconnected.lostToolCalls = lostToolCalls;
    core.emit(reconnected);
    if (core.pausedForEvents) connection.pause();
    release();
    this.parts.replayEarly();
  }
}
