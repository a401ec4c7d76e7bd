/**
 * Accuracy of a group in one pass with memory independent of the number of cases, for suites
 * with one call per case (repeats: 1): then a case's score is its call's score, and the estimate
 * needs only sums, sums of squares and per-cluster sums — not a column per case. A case of
 * weight w (task `weight_field`) counts as w calls with its score, all in one cluster.
 */
import { type AccuracyEstimate, estimateFromMoments, type ScoreMoments } from "../stats/accuracy.ts";
import type { ScorerStore } from "./accuracy-store.ts";

export class Moments implements ScoreMoments {
  /** Calls: the sum of the cases' weights (the number of cases when none weighs more than 1). */
  n = 0;
  sum = 0;
  sumSquares = 0;
  nonBinary = 0;
  /** Per named cluster: its calls (weights summed) and their score sum. */
  readonly clusters = new Map<string, { n: number; sum: number }>();
  /** Cases without a cluster key (each is a cluster of its own): Σw²y, Σw²y², Σw². */
  readonly single = { n: 0, sum: 0, sumSquares: 0, weightSquares: 0 };
  casesCount = 0;
  /** Cases whose weight is not 1. */
  weighted = 0;

  /** Adds (`sign` 1) or removes (−1) one case's score, the case standing for `weight` calls. */
  add(score: number, cluster: string | null, sign: 1 | -1 = 1, weight = 1): void {
    this.n += sign * weight;
    this.sum += sign * weight * score;
    this.sumSquares += sign * weight * score * score;
    this.casesCount += sign;
    if (weight !== 1) this.weighted += sign;
    if (score !== 0 && score !== 1) this.nonBinary += sign;
    if (cluster === null) {
      this.single.n += sign;
      this.single.sum += sign * weight * weight * score;
      this.single.sumSquares += sign * weight * weight * score * score;
      this.single.weightSquares += sign * weight * weight;
      return;
    }
    const entry = this.clusters.get(cluster) ?? { n: 0, sum: 0 };
    entry.n += sign * weight;
    entry.sum += sign * weight * score;
    if (entry.n === 0) this.clusters.delete(cluster);
    else this.clusters.set(cluster, entry);
  }

  /** The number of cases, when some case weighs other than 1 (then `n` counts calls). */
  get cases(): number | undefined {
    return this.weighted > 0 ? this.casesCount : undefined;
  }
}

/** One scorer's running totals over calls it scored (the case index is not needed). */
export class CallScores implements ScorerStore {
  private readonly scored = new Moments();
  unscored = 0;

  add(_caseIndex: number, score: number, cluster: string | null, weight = 1): void {
    this.scored.add(score, cluster, 1, weight);
  }

  /** Sum of every score recorded (weighted). */
  total(): number {
    return this.scored.sum;
  }

  /**
   * The estimate over the scored calls plus `failed`: failed calls score 0 (and keep their
   * clusters and weights), for every scorer alike.
   */
  estimate(failed: FailedCalls): AccuracyEstimate | null {
    const merged = new Moments();
    merged.n = this.scored.n + failed.n;
    merged.sum = this.scored.sum;
    merged.sumSquares = this.scored.sumSquares;
    merged.nonBinary = this.scored.nonBinary;
    merged.casesCount = this.scored.casesCount + failed.cases;
    merged.weighted = this.scored.weighted + failed.weighted;
    Object.assign(merged.single, this.scored.single);
    merged.single.n += failed.single;
    merged.single.weightSquares += failed.singleWeightSquares;
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
  /** Calls (weights summed). */
  n = 0;
  cases = 0;
  weighted = 0;
  single = 0;
  singleWeightSquares = 0;
  /** Per named cluster: its failed calls (weights summed). */
  readonly clusters = new Map<string, number>();

  add(cluster: string | null, sign: 1 | -1 = 1, weight = 1): void {
    this.n += sign * weight;
    this.cases += sign;
    if (weight !== 1) this.weighted += sign;
    if (cluster === null) {
      this.single += sign;
      this.singleWeightSquares += sign * weight * weight;
    } else {
      const count = (this.clusters.get(cluster) ?? 0) + sign * weight;
      if (count === 0) this.clusters.delete(cluster);
      else this.clusters.set(cluster, count);
    }
  }
}
