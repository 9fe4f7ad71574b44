import type { BoundToolDeclaration } from './tool-checks.js';
import type { AudioFormat } from './parley-config.js';

/** Start options of a conversation; omitted fields come from the configuration. */
export interface StartOptions {
  /** System instructions (default: `realtime.instructions`). */
  instructions?: string;
  /** Output voice (default: `realtime.voice`, else the protocol's default voice). */
  voice?: string;
  /** Model (default: `realtime.model`). */
  model?: string;
  /** `audio` (default) or `text` (v2 only). */
  outputModality?: 'audio' | 'text';
  /** `conversational` (default) or `transcription` (v2 only). */
  mode?: 'conversational' | 'transcription';
  /** Sent as the `x-session-id` header when header-safe, and reported by `started`. */
  sessionId?: string;
  /** API key (default: `realtime.apiKey`). Never logged, traced or echoed. */
  apiKey?: string;
  /** Extra handshake headers for this start (override `realtime.headers`). */
  headers?: Record<string, string>;
  /**
   * Extra tools declared beside the protocol's own (v2: after `background_agent` and the bound
   * tools). A `"type":"function"` entry with a string `name` is a declared tool: answer its calls
   * with `sendToolOutput`; it may carry the Parley fields `timeoutMs`, `onInterrupt` and `behavior`
   * (only `"blocking"`), removed before it is sent. Other entries are sent as given.
   */
  tools?: unknown[];
}

/** Start options completed from the configuration, as handed to a protocol strategy. */
export interface SessionSettings {
  instructions: string;
  /** `undefined` until the strategy fills in its default voice. */
  voice: string | undefined;
  model: string;
  outputModality: 'audio' | 'text';
  mode: 'conversational' | 'transcription';
  sessionId: string | undefined;
  /** The start options' tools, Parley fields removed. */
  tools: unknown[];
  /** The bound {@link RealtimeTool}s to declare, binding order (absent: none). */
  boundTools?: BoundToolDeclaration[];
  /** `realtime.audio.format` (the manager always fills it; `undefined` means `pcm16`). */
  audioFormat?: AudioFormat;
}
