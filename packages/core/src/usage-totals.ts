import type { ResponseUsage } from './realtime-event.js';

/** `stats().usage`: the token counts of every `responseDone` of the conversation, summed; every field present. */
export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  inputTokenDetails: {
    textTokens: number;
    audioTokens: number;
    imageTokens: number;
    cachedTokens: number;
    cachedTokensDetails: { textTokens: number; audioTokens: number; imageTokens: number };
  };
  outputTokenDetails: { textTokens: number; audioTokens: number };
}

/** Fresh totals, every field 0. */
export function emptyUsageTotals(): UsageTotals {
  return {
    inputTokens: 0,
    outputTokens: 0,
    totalTokens: 0,
    inputTokenDetails: {
      textTokens: 0,
      audioTokens: 0,
      imageTokens: 0,
      cachedTokens: 0,
      cachedTokensDetails: { textTokens: 0, audioTokens: 0, imageTokens: 0 },
    },
    outputTokenDetails: { textTokens: 0, audioTokens: 0 },
  };
}

/** A deep copy of `totals` (what `stats()` hands out). */
export function copyUsageTotals(totals: UsageTotals): UsageTotals {
  const input = totals.inputTokenDetails;
  return {
    inputTokens: totals.inputTokens,
    outputTokens: totals.outputTokens,
    totalTokens: totals.totalTokens,
    inputTokenDetails: { ...input, cachedTokensDetails: { ...input.cachedTokensDetails } },
    outputTokenDetails: { ...totals.outputTokenDetails },
  };
}

/** Adds one response's usage to `totals` in place: a field the response omitted adds 0. */
export function addUsage(totals: UsageTotals, usage: ResponseUsage): void {
  totals.inputTokens += usage.inputTokens ?? 0;
  totals.outputTokens += usage.outputTokens ?? 0;
  totals.totalTokens += usage.totalTokens ?? 0;
  const input = usage.inputTokenDetails;
  if (input !== undefined) {
    const sum = totals.inputTokenDetails;
    sum.textTokens += input.textTokens ?? 0;
    sum.audioTokens += input.audioTokens ?? 0;
    sum.imageTokens += input.imageTokens ?? 0;
    sum.cachedTokens += input.cachedTokens ?? 0;
    const cached = input.cachedTokensDetails;
    if (cached !== undefined) {
      sum.cachedTokensDetails.textTokens += cached.textTokens ?? 0;
      sum.cachedTokensDetails.audioTokens += cached.audioTokens ?? 0;
      sum.cachedTokensDetails.imageTokens += cached.imageTokens ?? 0;
    }
  }
  const output = usage.outputTokenDetails;
  if (output !== undefined) {
    totals.outputTokenDetails.textTokens += output.textTokens ?? 0;
    totals.outputTokenDetails.audioTokens += output.audioTokens ?? 0;
  }
}
