/**
 * The case browser's first pass: one small outcome per model and case, folded from call records
 * one at a time (from a log read back, or as a run writes its records), and the cases chosen
 * from it. Memory grows with the cases, not with what their records hold.
 */
import type { CallRecord } from "../../src/core/records.ts";

/** Why a case is in the browser. */
export type CaseKind = "failed" | "disagree";

/** One model's final outcome on a case, as the first pass keeps it. */
export interface Outcome {
  ok: boolean;
  /** First scorer's score of a successful call (null: not scored). */
  score: number | null;
}

/** A score counts as right from 0.5 up: partial credit splits there. */
const isRight = (score: number) => score >= 0.5;

/** The key of a record's case: task, case id and repeat. */
export const caseKey = (r: CallRecord) => JSON.stringify([r.task, r.case_id, r.repeat]);

/** Whether a record is a measured call's outcome (not warm-up, not a retried attempt, not a budget stop). */
export function isOutcome(r: CallRecord): boolean {
  return !r.warmup && !r.will_retry && r.error?.class !== "budget_stopped";
}

/** The kinds of a case from its models' outcomes (empty: nothing to show). */
export function caseKinds(outcomes: readonly Outcome[]): CaseKind[] {
  const kinds: CaseKind[] = [];
  if (outcomes.some((o) => !o.ok)) kinds.push("failed");
  const scores = outcomes.flatMap((o) => (o.ok && o.score !== null ? [o.score] : []));
  if (scores.some(isRight) && scores.some((s) => !isRight(s))) kinds.push("disagree");
  return kinds;
}

/** The cases chosen for the browser, and what qualified. */
export interface CaseChoice {
  /** Chosen case keys, with their kinds and the order they were chosen in. */
  chosen: Map<string, { kinds: CaseKind[]; order: number }>;
  /** The tasks with a qualifying case, in the order they were first met. */
  taskOrder: string[];
  found: { failed: number; disagree: number; total: number };
}

/** Cases where the scorers disagree come first when asked (replayed traffic). */
export function disagreementOrder(disagreementsFirst: boolean | undefined) {
  return (a: { kinds: CaseKind[] }, b: { kinds: CaseKind[] }) =>
    disagreementsFirst ? Number(b.kinds.includes("disagree")) - Number(a.kinds.includes("disagree")) : 0;
}

/** A model's outcome on a case, linked to the next model's: a case costs one small object a model. */
interface ModelOutcome extends Outcome {
  model: string;
  next: ModelOutcome | undefined;
}

/** Folds call records into each model's final outcome per case (a later record replaces an earlier one). */
export class CaseOutcomes {
  private readonly outcomes = new Map<string, ModelOutcome>();
  /** Whether any outcome was a failure or scored wrong: without one, no case can qualify. */
  private anyFailedOrWrong = false;

  add(record: CallRecord): void {
    if (!isOutcome(record)) return;
    const score = record.ok ? (record.scores[0]?.score ?? null) : null;
    if (!record.ok || (score !== null && !isRight(score))) this.anyFailedOrWrong = true;
    const key = caseKey(record);
    const first = this.outcomes.get(key);
    for (let at = first; at !== undefined; at = at.next) {
      if (at.model === record.model) {
        at.ok = record.ok;
        at.score = score;
        return;
      }
    }
    this.outcomes.set(key, { model: record.model, ok: record.ok, score, next: first });
  }

  /**
   * The qualifying cases, and up to `maxCases` of them chosen from each task in turn (in log
   * order within a task). The outcomes are let go: a fold is chosen from once.
   */
  choose(maxCases: number, disagreementsFirst: boolean | undefined): CaseChoice {
    const byTask = new Map<string, { key: string; kinds: CaseKind[] }[]>();
    const found = { failed: 0, disagree: 0, total: 0 };
    for (const [key, first] of this.anyFailedOrWrong ? this.outcomes : []) {
      const models: Outcome[] = [];
      for (let at: ModelOutcome | undefined = first; at !== undefined; at = at.next) models.push(at);
      const kinds = caseKinds(models);
      if (kinds.length === 0) continue;
      found.total++;
      if (kinds.includes("failed")) found.failed++;
      if (kinds.includes("disagree")) found.disagree++;
      const task = (JSON.parse(key) as [string])[0];
      let list = byTask.get(task);
      if (!list) {
        list = [];
        byTask.set(task, list);
      }
      list.push({ key, kinds });
    }
    this.outcomes.clear();

    const order = disagreementOrder(disagreementsFirst);
    for (const list of byTask.values()) list.sort(order);
    // Round-robin over the tasks, up to maxCases.
    const chosen = new Map<string, { kinds: CaseKind[]; order: number }>();
    const lists = [...byTask.values()];
    for (let i = 0; chosen.size < maxCases && lists.some((l) => i < l.length); i++) {
      for (const list of lists) {
        const item = list[i];
        if (item && chosen.size < maxCases) chosen.set(item.key, { kinds: item.kinds, order: chosen.size });
      }
    }
    return { chosen, taskOrder: [...byTask.keys()], found };
  }
}
