import type { SkipReason } from './protocol-strategy.js';
import { emptyToolStats, type ToolStats } from './tool-runner.js';
import { emptyUsageTotals, type UsageTotals } from './usage-totals.js';

/** Counters and state of the current (or last) conversation, readable at any time. */
export interface ConversationStats extends ToolStats {
  /** The protocol of the conversation, `undefined` before the first start. */
  protocol: string | undefined;
  /** `idle` (never started), `starting`, `running`, `reconnecting`, `closing` (live, spec 08 A5), or `ended`. */
  state: 'idle' | 'starting' | 'running' | 'reconnecting' | 'closing' | 'ended';
  /** Inbound frames received (text and binary). */
  framesIn: number;
  /** Client messages handed to the transport. */
  framesOut: number;
  /** Characters of inbound text frames (bytes for binary ones). */
  bytesIn: number;
  /** Characters of outbound messages. */
  bytesOut: number;
  /** Events delivered to the application. */
  eventsDelivered: number;
  /** Audio frames dropped because the audio queue was full. */
  droppedAudioFrames: number;
  /** Inbound frames skipped as undecodable, in all. */
  skippedFrames: number;
  /** Skipped frames by reason. */
  skippedByReason: Record<SkipReason, number>;
  /** Response requests deferred by response gating (v2). */
  deferredResponseRequests: number;
  /** Active-response race errors survived (v2). */
  raceErrors: number;
  /** Truncations (and deletions) sent on barge-in (v2). */
  truncations: number;
  /** Delegations routed (steering included). */
  delegations: number;
  /** Assistant outputs dropped because no handoff was active. */
  droppedAssistantOutputs: number;
  /** Transcript entries dropped because the transcript reached its bound. */
  droppedTranscriptEntries: number;
  /** Characters dropped from the start of over-long transcript entries. */
  droppedTranscriptChars: number;
  /** Inputs still queued when the conversation ended, discarded. */
  discardedInputs: number;
  /** Inputs queued now, per lane. */
  queued: { audioIn: number; textIn: number; handoffOut: number; toolOut: number };
  /** Events buffered by the slowest iterator. */
  bufferedEvents: number;
  /** True while the transport is paused for a slow consumer. */
  paused: boolean;
  /** Times the transport was paused for a slow consumer. */
  pauses: number;
  /** Active transcript entries held. */
  transcriptEntries: number;
  /** Successful reconnections (opt-in). */
  reconnections: number;
  /** Decoded events a policy ignored on purpose (live: a duplicate delegation id, a client-mode `response.event`). */
  ignoredEvents: number;
  /** Delegations that were due but had nothing to route (live: an empty transcript take). */
  unroutedDelegations: number;
  /** Token usage: every `responseDone.usage` of the conversation summed (reconnections included). */
  usage: UsageTotals;
}

/** Fresh, zeroed statistics. */
export function emptyStats(protocol: string | undefined): ConversationStats {
  return {
    protocol,
    state: 'idle',
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    eventsDelivered: 0,
    droppedAudioFrames: 0,
    skippedFrames: 0,
    skippedByReason: { invalid_json: 0, missing_type: 0, unknown_type: 0, invalid_fields: 0 },
    deferredResponseRequests: 0,
    raceErrors: 0,
    truncations: 0,
    delegations: 0,
    droppedAssistantOutputs: 0,
    droppedTranscriptEntries: 0,
    droppedTranscriptChars: 0,
    discardedInputs: 0,
    queued: { audioIn: 0, textIn: 0, handoffOut: 0, toolOut: 0 },
    bufferedEvents: 0,
    paused: false,
    pauses: 0,
    transcriptEntries: 0,
    reconnections: 0,
    ...emptyToolStats(),
    ignoredEvents: 0,
    unroutedDelegations: 0,
    usage: emptyUsageTotals(),
  };
}
