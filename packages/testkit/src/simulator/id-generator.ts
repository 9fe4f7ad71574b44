/**
 * Deterministic ids for one simulated connection: `next('resp')` returns `resp_1`, `resp_2`, …,
 * with one counter per prefix, so two runs of the same conversation produce the same ids.
 */
export class IdGenerator {
  private readonly counters = new Map<string, number>();

  /** The next id for `prefix` (`<prefix>_<n>`, n starting at 1). */
  next(prefix: string): string {
    const count = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, count);
    return `${prefix}_${count}`;
  }
}
