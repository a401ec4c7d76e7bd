/**
 * Accuracy of a group over cases, accumulated in one pass. Two stores behind one interface:
 * per-case columns in typed arrays (several calls per case: repeats are averaged per case), and
 * running moments when every case has one call (memory independent of the number of cases).
 */
import type { AccuracyEstimate, CaseScore } from "../stats/accuracy.ts";
import { estimateAccuracy, estimateFromMoments, estimateScoresAccuracy } from "../stats/accuracy.ts";
import { isNonEmpty } from "../stats/samples.ts";
import type { AccuracyStore, ScorerStore } from "./accuracy-store.ts";
import { CallScores, FailedCalls, Moments } from "./call-scores.ts";

/** A Float64Array that grows to fit any index written. */
export class GrowableColumn {
  private data = new Float64Array(64);

  get length(): number {
    return this.data.length;
  }

  get(index: number): number {
    return index < this.data.length ? this.data[index]! : 0;
  }

  add(index: number, delta: number): void {
    if (index >= this.data.length) {
      let size = this.data.length;
      while (size <= index) size *= 2;
      const grown = new Float64Array(size);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[index]! += delta;
  }
}

class ScorerColumns implements ScorerStore {
  readonly sums = new GrowableColumn();
  readonly counts = new GrowableColumn();
  unscored = 0;
  private readonly noteCase: (caseIndex: number, cluster: string | null, weight: number) => void;

  constructor(noteCase: (caseIndex: number, cluster: string | null, weight: number) => void) {
    this.noteCase = noteCase;
  }

  /** Σ (w − 1)·score over cases of weight w ≠ 1: `total` counts each call of a weighted case. */
  private extraWeighted = 0;

  add(caseIndex: number, score: number, cluster: string | null, weight = 1): void {
    this.noteCase(caseIndex, cluster, weight);
    if (weight !== 1) this.extraWeighted += (weight - 1) * score;
    this.sums.add(caseIndex, score);
    this.counts.add(caseIndex, 1);
  }

  total(): number {
    let sum = 0;
    for (let i = 0; i < this.sums.length; i++) sum += this.sums.get(i);
    return this.extraWeighted === 0 ? sum : sum + this.extraWeighted;
  }
}

/** Per-case columns: a case's score is the mean of its scored calls, failed calls counting 0. */
export class PerCaseAccuracy implements AccuracyStore {
  private readonly scorers = new Map<string, ScorerColumns>();
  private readonly failed = new GrowableColumn();
  /** Cluster key per case index; allocated only once a record carries one. */
  private clusters: Map<number, string> | null = null;
  /** Weight per case index, for cases whose weight is not 1; allocated only once one is. */
  private weights: Map<number, number> | null = null;

  private noteCase(caseIndex: number, cluster: string | null, weight: number): void {
    if (weight !== 1) {
      this.weights ??= new Map();
      this.weights.set(caseIndex, weight);
    }
    if (cluster === null) return;
    this.clusters ??= new Map();
    if (!this.clusters.has(caseIndex)) this.clusters.set(caseIndex, cluster);
  }

  scorer(name: string): ScorerStore {
    let columns = this.scorers.get(name);
    if (!columns) {
      columns = new ScorerColumns((caseIndex, cluster, weight) => this.noteCase(caseIndex, cluster, weight));
      this.scorers.set(name, columns);
    }
    return columns;
  }

  firstTotal(): number | null {
    const first = this.scorers.values().next();
    return first.done ? null : first.value.total();
  }

  failure(caseIndex: number, cluster: string | null, sign: 1 | -1, weight = 1): void {
    this.noteCase(caseIndex, cluster, weight);
    this.failed.add(caseIndex, sign);
  }

  estimates() {
    return [...this.scorers].flatMap(([scorer, columns]) => {
      const estimate = this.estimate(columns);
      return estimate ? [{ scorer, estimate, unscored: columns.unscored }] : [];
    });
  }

  private estimate(columns: ScorerColumns): AccuracyEstimate | null {
    const size = Math.max(columns.counts.length, this.failed.length);
    const scores = new Float64Array(size);
    const indexes: number[] = [];
    let n = 0;
    for (let index = 0; index < size; index++) {
      const count = columns.counts.get(index) + this.failed.get(index);
      if (count === 0) continue;
      scores[n++] = columns.sums.get(index) / count;
      if (this.clusters) indexes.push(index);
    }
    if (n === 0) return null;
    if (this.weights) {
      // A case's repeats averaged, then the case counted as its weight's worth of calls.
      const moments = new Moments();
      let i = 0;
      for (let index = 0; index < size; index++) {
        if (columns.counts.get(index) + this.failed.get(index) === 0) continue;
        moments.add(scores[i++]!, this.clusters?.get(index) ?? null, 1, this.weights.get(index) ?? 1);
      }
      return estimateFromMoments(moments);
    }
    if (!this.clusters) return estimateScoresAccuracy(scores.subarray(0, n));
    const clusters = this.clusters;
    const perCase: CaseScore[] = indexes.map((index, i) => {
      const cluster = clusters.get(index);
      return {
        caseId: String(index),
        score: scores[i]!,
        repeats: 1,
        ...(cluster !== undefined && { cluster }),
      };
    });
    return isNonEmpty(perCase) ? estimateAccuracy(perCase) : null;
  }
}

/** One call per case: running moments only (see call-scores.ts). */
export class PerCallAccuracy implements AccuracyStore {
  private readonly scorers = new Map<string, CallScores>();
  private readonly failed = new FailedCalls();

  scorer(name: string): ScorerStore {
    let scores = this.scorers.get(name);
    if (!scores) {
      scores = new CallScores();
      this.scorers.set(name, scores);
    }
    return scores;
  }

  failure(_caseIndex: number, cluster: string | null, sign: 1 | -1, weight = 1): void {
    this.failed.add(cluster, sign, weight);
  }

  firstTotal(): number | null {
    const first = this.scorers.values().next();
    return first.done ? null : first.value.total();
  }

  estimates() {
    return [...this.scorers].flatMap(([scorer, scores]) => {
      const estimate = scores.estimate(this.failed);
      return estimate ? [{ scorer, estimate, unscored: scores.unscored }] : [];
    });
  }
}
