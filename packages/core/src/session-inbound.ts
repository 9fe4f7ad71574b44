import { messageOf } from './error-message.js';
import { isParleyError } from './parley-error.js';
import { addUsage } from './usage-totals.js';
import type { ProtocolStrategy } from './protocol-strategy.js';
import type { SessionCore } from './session-core.js';
import type { SessionReconnection } from './session-reconnection.js';
import type { ConnectionListener } from './transport-factory.js';

/**
 * The inbound path of one conversation: frames and connection events from the transport. A text
 * frame is decoded by the strategy, feeds the active transcript, then goes to the policy; a binary
 * frame, a read error or a close ends the conversation (or, opt-in, starts a reconnection). What
 * arrives while a connection is being established waits in the early buffer and is replayed once
 * the conversation runs. Internal to core.
 */
export class SessionInbound {
  constructor(
    private readonly core: SessionCore,
    private readonly reconnection: SessionReconnection,
  ) {}

  /**
   * A listener for one connection attempt: calls from an attempt that is no longer current (a
   * connection replaced by a reconnection) are ignored.
   */
  listener(): ConnectionListener {
    const core = this.core;
    core.epoch += 1;
    const epoch = core.epoch;
    const current = (): boolean => epoch === core.epoch;
    return {
      onText: (text) => {
        if (epoch === core.epoch) this.onText(text);
      },
      onBinary: (data) => {
        if (current()) this.onBinary(data);
      },
      onClose: (code, reason) => {
        if (current()) this.onClose(code, reason);
      },
      onError: (error) => {
        if (current()) this.onError(error);
      },
    };
  }

  /** Replays what arrived while the connection was being established (stops if it ends meanwhile). */
  replayEarly(): void {
    const core = this.core;
    for (const replay of core.early.splice(0)) {
      if (core.state !== 'running') break;
      replay();
    }
  }

  onText(text: string): void {
    const core = this.core;
    if (core.state !== 'running' && core.state !== 'closing') {
      if (core.state === 'starting' || core.state === 'reconnecting') core.early.push(() => this.onText(text));
      return;
    }
    const stats = core.stats;
    stats.framesIn += 1;
    stats.bytesIn += text.length;
    let decoded: ReturnType<ProtocolStrategy['decode']>;
    try {
      decoded = core.strategy.decode(text);
    } catch (error) {
      // A decoder must not throw; if one does (a bug, a pathological frame), the frame is skipped and counted.
      core.context.logger.warn('the protocol decoder threw; the frame is skipped', { error: messageOf(error), protocol: core.strategy.id });
      decoded = 'invalid_fields';
    }
    if (typeof decoded === 'string') {
      stats.skippedFrames += 1;
      stats.skippedByReason[decoded] += 1;
      core.context.logger.debug('skipped an inbound frame', {
        reason: decoded,
        frameType: /"type"\s*:\s*"([^"\\]{1,64})"/.exec(text.slice(0, 512))?.[1],
      });
      return;
    }
    // The active transcript (spec 04): keyed by item when the strategy's events carry item ids (v2).
    const keyed = core.strategy.transcriptItemIds === true;
    switch (decoded.type) {
      case 'inputTranscriptDelta':
        core.transcript.appendDelta('user', decoded.delta, keyed ? decoded.itemId : undefined);
        break;
      case 'outputTranscriptDelta':
        core.transcript.appendDelta('assistant', decoded.delta, keyed ? decoded.itemId : undefined);
        break;
      case 'inputTranscriptDone':
        core.transcript.complete('user', decoded.text, keyed ? decoded.itemId : undefined);
        break;
      case 'outputTranscriptDone':
        core.transcript.complete('assistant', decoded.text, keyed ? decoded.itemId : undefined);
        break;
      case 'conversationItemAdded':
        if (keyed) core.transcript.itemAdded(decoded.item);
        break;
      case 'inputTranscriptFailed':
        if (keyed && decoded.itemId !== undefined) core.transcript.transcriptionFailed(decoded.itemId);
        break;
      case 'conversationItemDeleted':
        if (keyed) core.transcript.itemDeleted(decoded.itemId);
        break;
      case 'responseDone':
        // stats().usage: every response's usage, summed over the conversation (reconnections included).
        if (decoded.usage !== undefined) addUsage(stats.usage, decoded.usage);
        break;
      default:
        break;
    }
    core.frameChars = text.length;
    try {
      core.policy?.onServerEvent(decoded);
    } catch (error) {
      core.policyFailed(error);
    }
    core.frameChars = 0;
  }

  onBinary(data: Uint8Array): void {
    const core = this.core;
    if (core.state !== 'running') {
      if (core.state === 'starting' || core.state === 'reconnecting') core.early.push(() => this.onBinary(data));
      return;
    }
    core.stats.framesIn += 1;
    core.stats.bytesIn += data.byteLength;
    core.fatal('received a binary frame: realtime protocols use text frames only', 'ERR_BINARY_FRAME');
  }

  onClose(code: number, reason: string): void {
    const core = this.core;
    if (core.state === 'starting' || core.state === 'reconnecting') {
      core.early.push(() => this.onClose(code, reason));
      return;
    }
    if (this.reconnection.afterClose(code)) return;
    // Closing (spec 08): a close frame ends the requested close.
    if (core.state === 'closing') core.end('requested');
    else core.end('transport_closed', code, reason);
  }

  onError(error: Error): void {
    const core = this.core;
    if (core.state === 'starting' || core.state === 'reconnecting') {
      core.early.push(() => this.onError(error));
      return;
    }
    if (core.state === 'closing') {
      // Closing (spec 08): a lost connection ends the requested close, with no error event.
      core.end('requested');
      return;
    }
    const code = isParleyError(error) ? error.code : 'ERR_CONNECTION_LOST';
    if (this.reconnection.afterError(code, error)) return;
    core.fatal(messageOf(error), code);
  }
}
