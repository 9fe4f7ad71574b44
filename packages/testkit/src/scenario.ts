import type { ParleyConfigInput, StartOptions } from '@parley/core';
import type { ScenarioTool } from './scripted-tool.js';

/** One action of a scripted delegate reply. */
export type DelegateAction = { afterMs: number; output: string } | { afterMs: number; finish: true };

/** A step of a scenario (spec 05). */
export type ScenarioStep =
  | { at: number; server: unknown }
  | { at: number; serverText: string }
  | { at: number; serverBinary: string }
  | { at: number; serverClose: { code?: number; reason?: string } }
  | {
      at: number;
      client: 'audio';
      data: string;
      sampleRate?: number;
      numChannels?: number;
      samplesPerChannel?: number;
      itemId?: string;
      repeat?: number;
    }
  | { at: number; client: 'text'; text: string }
  | { at: number; client: 'assistantOutput'; text: string; handoffId?: string }
  | { at: number; client: 'finishTurn'; handoffId?: string }
  | { at: number; client: 'requestResponse' | 'commitInput' | 'clearInput' | 'close' }
  | { at: number; client: 'playback'; itemId: string; playedMs: number }
  | { at: number; transport: 'stall' | 'unstall' }
  | { at: number; client: 'toolOutput'; callId: string; output?: unknown; error?: string };

/** What `parley replay --check` compares (spec 05). Unknown keys are ignored. */
export interface ScenarioExpect {
  connect?: Record<string, unknown>[];
  wire?: unknown[];
  events?: Record<string, unknown>[];
  delegate?: Record<string, unknown>[];
  errors?: Record<string, unknown>[];
  closed?: string;
  /** Compared with the trace's `stats` record on the named fields (spec 09 §12). */
  stats?: Record<string, unknown>;
  [other: string]: unknown;
}

/** A scripted conversation (spec 05). Unknown keys are ignored. */
export interface Scenario {
  name?: string;
  protocol: string;
  config?: ParleyConfigInput;
  session?: StartOptions;
  delegate?: { replies: DelegateAction[][] };
  /** Tools (spec 09 §12): with `replies` a scripted bound tool, without a declared one. */
  tools?: ScenarioTool[];
  steps: ScenarioStep[];
  endAt?: number;
  expect?: ScenarioExpect;
  [other: string]: unknown;
}

/** One record of a trace (JSON Lines, spec 05). */
export type TraceRecord =
  | { t: number; connect: { url: string } }
  | { t: number; wire: unknown }
  | { t: number; event: Record<string, unknown> }
  | { t: number; delegate: { handoffId: string; text: string; transcript: unknown[]; steering: boolean } }
  | { t: number; error: { step: number | 'start'; message: string; code?: string } }
  | { t: number; stats: Record<string, unknown> };
