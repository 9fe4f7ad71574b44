import { injectable } from 'inversify';
import { ContainerModule } from 'inversify';
import {
  parseFrame,
  ProtocolStrategy,
  stringField,
  objectField,
  type AudioFrame,
  type ClientMessage,
  type ConnectionParameters,
  type PolicyHandle,
  type RealtimeEvent,
  type SessionPolicy,
  type SessionSettings,
  type SkipReason,
  type BackgroundToolResult,
  type ToolAnswer,
} from '@parley/core';

/**
 * A tiny custom protocol ("echo") registered from outside core, as a user would: it proves that
 * strategies plug in with a ContainerModule, and it drives the manager's tests before (and
 * independently of) the V1/V2 packages.
 */
@injectable()
export class EchoProtocol implements ProtocolStrategy {
  readonly id: string = 'echo';
  readonly supportsTools = true;

  resolveSession(settings: SessionSettings): SessionSettings {
    return { ...settings, voice: settings.voice ?? 'plain' };
  }

  connectionParameters(): ConnectionParameters {
    return { query: { dialect: 'echo' }, headers: { 'x-echo': '1' } };
  }

  sessionUpdate(settings: SessionSettings): ClientMessage {
    return { type: 'session.update', session: { instructions: settings.instructions, voice: settings.voice } };
  }

  decode(frame: string): RealtimeEvent | SkipReason {
    const message = parseFrame(frame);
    if (typeof message === 'string') return message;
    switch (message.type) {
      case 'session.updated': {
        const id = stringField(objectField(message, 'session') ?? {}, 'id');
        return id === undefined ? 'invalid_fields' : { type: 'sessionUpdated', sessionId: id };
      }
      case 'say':
      case 'hear': {
        const text = stringField(message, 'text');
        if (text === undefined) return 'invalid_fields';
        return { type: message.type === 'say' ? 'outputTranscriptDelta' : 'inputTranscriptDelta', delta: text };
      }
      case 'audio': {
        const data = stringField(message, 'audio');
        return data === undefined ? 'invalid_fields' : { type: 'audioOut', data, sampleRate: 24000, numChannels: 1 };
      }
      case 'handoff': {
        const id = stringField(message, 'id');
        if (id === undefined) return 'invalid_fields';
        return {
          type: 'handoffRequested',
          handoffId: id,
          itemId: id,
          inputTranscript: stringField(message, 'prompt') ?? '',
          activeTranscript: [],
        };
      }
      case 'error':
        return { type: 'error', message: stringField(message, 'message') ?? 'error', fatal: true };
      case 'call':
      case 'speech':
        // A tool call, or the user speaking: carried as an item the policy reads (tests only).
        return { type: 'conversationItemAdded', item: message };
      default:
        return 'unknown_type';
    }
  }

  encodeAudio(frame: AudioFrame): ClientMessage {
    return { type: 'audio', audio: frame.data };
  }

  encodeUserText(text: string): ClientMessage {
    return { type: 'text', text };
  }

  createPolicy(handle: PolicyHandle): SessionPolicy {
    return new EchoPolicy(handle);
  }
}

/** Delivers everything; a handoff is routed at once; output and finish go to the active handoff. */
class EchoPolicy implements SessionPolicy {
  private active: string | undefined;

  constructor(private readonly handle: PolicyHandle) {}

  onServerEvent(event: RealtimeEvent): void {
    const item = event.type === 'conversationItemAdded' ? (event.item as Record<string, unknown>) : undefined;
    if (item?.type === 'call') {
      this.handle.tools.call({
        callId: String(item.call_id),
        name: String(item.name),
        arguments: typeof item.arguments === 'string' ? item.arguments : '',
        ...(typeof item.item_id === 'string' ? { itemId: item.item_id } : {}),
        complete: item.incomplete !== true,
      });
      return;
    }
    if (item?.type === 'speech') {
      for (const callId of item.interrupts as string[]) this.handle.tools.interrupt(callId);
      return;
    }
    if (event.type === 'handoffRequested') {
      const entries = this.handle.transcript.take();
      this.handle.deliver({ ...event, activeTranscript: entries });
      this.active = event.handoffId;
      this.handle.route({ handoffId: event.handoffId, text: event.inputTranscript, transcript: entries, steering: false });
      return;
    }
    this.handle.deliver(event);
  }

  requestResponse(): void {
    this.handle.send({ type: 'respond' });
  }

  assistantOutput(text: string): void {
    if (this.active === undefined) {
      this.handle.count('droppedAssistantOutputs');
      this.handle.logger.warn('assistant output with no active handoff dropped');
      return;
    }
    this.handle.send({ type: 'handoff.output', id: this.active, text });
  }

  finishTurn(): void {
    if (this.active === undefined) return;
    this.handle.send({ type: 'handoff.done', id: this.active });
    this.active = undefined;
  }

  reportPlayback(): void {}

  toolOutput(answer: ToolAnswer): void {
    this.handle.send({ type: 'tool.output', call_id: answer.callId, output: answer.output });
  }

  backgroundToolResult(result: BackgroundToolResult): void {
    this.handle.send({ type: 'tool.result', call_id: result.callId, output: result.output });
  }

  dispose(): void {
    this.active = undefined;
  }
}

/** Registers the echo protocol, as a user's own module would. */
export const echoProtocolModule = new ContainerModule(({ bind }) => {
  bind(ProtocolStrategy).to(EchoProtocol).inSingletonScope();
});
