/**
 * Accuracy of a group in one pass with memory independent of the number of cases, for suites
 * with one call per case (repeats: 1): then a case's score is its call's score, and the estimate
 * needs only sums, sums of squares and per-cluster sums — not a column per case.
 */
import { type AccuracyEstimate, estimateFromMoments, type ScoreMoments } from "../stats/accuracy.ts";
import type { ScorerStore } from "./accuracy-store.ts";

class Moments implements ScoreMoments {
  n = 0;
  sum = 0;
  sumSquares = 0;
  nonBinary = 0;
  /** Per named cluster: its cases' count and score sum. */
  readonly clusters = new Map<string, { n: number; sum: number }>();
  /** Cases without a cluster key (each is a cluster of its own). */
  readonly single = { n: 0, sum: 0, sumSquares: 0 };

  /** Adds (`sign` 1) or removes (−1) one case's score. */
  add(score: number, cluster: string | null, sign: 1 | -1 = 1): void {
    this.n += sign;
    this.sum += sign * score;
    this.sumSquares += sign * score * score;
    if (score !== 0 && score !== 1) this.nonBinary += sign;
    if (cluster === null) {
      this.single.n += sign;
      this.single.sum += sign * score;
      this.single.sumSquares += sign * score * score;
      return;
    }
    const entry = this.clusters.get(cluster) ?? { n: 0, sum: 0 };
    entry.n += sign;
    entry.sum += sign * score;
    if (entry.n === 0) this.clusters.delete(cluster);
    else this.clusters.set(cluster, entry);
  }
}

/** One scorer's running totals over calls it scored (the case index is not needed). */
export class CallScores implements ScorerStore {
  private readonly scored = new Moments();
  unscored = 0;

  add(_caseIndex: number, score: number, cluster: string | null): void {
    this.scored.add(score, cluster);
  }

  /** Sum of every score recorded. */
  total(): number {
    return this.scored.sum;
  }

  /**
   * The estimate over the scored calls plus `failed`: failed calls score 0 (and keep their
   * clusters), for every scorer alike.
   */
  estimate(failed: FailedCalls): AccuracyEstimate | null {
    const merged = new Moments();
    merged.n = this.scored.n + failed.n;
    merged.sum = this.scored.sum;
    merged.sumSquares = this.scored.sumSquares;
    merged.nonBinary = this.scored.nonBinary;
    Object.assign(merged.single, this.scored.single);
    merged.single.n += failed.single;
    for (const [key, entry] of this.scored.clusters) merged.clusters.set(key, { ...entry });
    for (const [key, n] of failed.clusters) {
      const entry = merged.clusters.get(key) ?? { n: 0, sum: 0 };
      entry.n += n;
      merged.clusters.set(key, entry);
    }
    return merged.n === 0 ? null : estimateFromMoments(merged);
  }
}

/** Calls that failed after every retry, counted once for all scorers. */
export class FailedCalls {
  n = 0;
  single = 0;
  readonly clusters = new Map<string, number>();

  add(cluster: string | null, sign: 1 | -1 = 1): void {
    this.n += sign;
    if (cluster === null) this.single += sign;
    else {
      const count = (this.clusters.get(cluster) ?? 0) + sign;
      if (count === 0) this.clusters.delete(cluster);
      else this.clusters.set(cluster, count);
    }
  }
}
