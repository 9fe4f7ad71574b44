import type { PolicyHandle, RealtimeEvent, SessionPolicy } from '@parley/core';

/**
 * What a relay conversation does with events and inputs:
 * - one reply at a time: a `respond` asked for while a reply is running is sent when it is done
 *   (counted in `stats().deferredResponseRequests`; several such requests make one `respond`);
 * - an `agent.request` is routed at once with the transcript taken since the previous handoff;
 * - agent output and turn ends go to the newest request (output with none active is dropped and
 *   counted, as the core's contract asks).
 */
export class RelayPolicy implements SessionPolicy {
  private replying = false;
  private deferred = false;
  private activeHandoff: string | undefined;

  constructor(private readonly handle: PolicyHandle) {}

  onServerEvent(event: RealtimeEvent): void {
    switch (event.type) {
      case 'responseCreated':
        this.replying = true;
        break;
      case 'responseDone':
        this.replying = false;
        break;
      case 'handoffRequested': {
        const entries = this.handle.transcript.take();
        this.handle.deliver({ ...event, activeTranscript: entries });
        this.activeHandoff = event.handoffId;
        const text =
          event.inputTranscript !== '' ? event.inputTranscript : entries.map((entry) => `${entry.role}: ${entry.text}`).join('\n');
        this.handle.route({ handoffId: event.handoffId, text, transcript: entries, steering: false });
        return;
      }
    }
    this.handle.deliver(event);
    if (event.type === 'responseDone' && this.deferred) {
      this.deferred = false;
      this.respond();
    }
  }

  requestResponse(): void {
    if (this.replying || this.deferred) {
      if (!this.deferred) this.handle.count('deferredResponseRequests');
      this.deferred = true;
      return;
    }
    this.respond();
  }

  assistantOutput(text: string): void {
    if (this.activeHandoff === undefined) {
      this.handle.count('droppedAssistantOutputs');
      this.handle.logger.warn('relay: agent output with no active request dropped');
      return;
    }
    this.handle.send({ type: 'agent.output', id: this.activeHandoff, text });
  }

  finishTurn(): void {
    if (this.activeHandoff === undefined) return;
    this.handle.send({ type: 'agent.done', id: this.activeHandoff });
    this.activeHandoff = undefined;
  }

  reportPlayback(): void {
    // relay servers do not truncate: playback positions are not needed.
  }

  openHandoffs(): string[] {
    return this.activeHandoff === undefined ? [] : [this.activeHandoff];
  }

  dispose(): void {
    this.activeHandoff = undefined;
    this.deferred = false;
  }

  private respond(): void {
    this.replying = true; // the server will confirm with reply.started; never two in a row
    this.handle.send({ type: 'respond' });
  }
}
