/**
 * Task-level F1 of a multi-label scorer (`label_set`), folded from the labels each record keeps
 * by outcome: micro-F1 (true/false positives and false negatives summed over all labels and
 * calls) and macro-F1 (the mean of each label's F1). Memory grows with the distinct labels, not
 * the calls; past MAX_LABELS distinct labels (a model inventing labels), the rest share one tally.
 */
import type { LabelOutcome } from "../core/records.ts";

/** Distinct labels tallied one by one; more share the tally `OTHER_LABELS`. */
export const MAX_LABELS = 1000;
export const OTHER_LABELS = "(other labels)";

export interface LabelF1 {
  micro_f1: number;
  macro_f1: number;
  /** Distinct labels seen (expected or predicted). */
  labels: number;
  /** Calls whose labels were tallied (scored calls; failed calls have no labels). */
  calls: number;
}

const f1 = (tp: number, fp: number, fn: number) => (tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn));

export class LabelTally {
  private readonly counts = new Map<string, [tp: number, fp: number, fn: number]>();
  private calls = 0;

  add(outcome: LabelOutcome): void {
    this.calls++;
    for (const label of outcome.tp) this.entry(label)[0]++;
    for (const label of outcome.fp) this.entry(label)[1]++;
    for (const label of outcome.fn) this.entry(label)[2]++;
  }

  private entry(label: string): [number, number, number] {
    let entry = this.counts.get(label);
    if (entry === undefined) {
      const key = this.counts.size < MAX_LABELS ? label : OTHER_LABELS;
      entry = this.counts.get(key) ?? [0, 0, 0];
      this.counts.set(key, entry);
    }
    return entry;
  }

  result(): LabelF1 | null {
    if (this.calls === 0) return null;
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let macro = 0;
    for (const [t, p, n] of this.counts.values()) {
      tp += t;
      fp += p;
      fn += n;
      macro += f1(t, p, n);
    }
    const labels = this.counts.size;
    return {
      // No label expected or predicted anywhere: every call was right.
      micro_f1: labels === 0 ? 1 : f1(tp, fp, fn),
      macro_f1: labels === 0 ? 1 : macro / labels,
      labels,
      calls: this.calls,
    };
  }
}
