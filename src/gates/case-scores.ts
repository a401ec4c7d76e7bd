/**
 * Per-case scores of a run, read from its log's `call` records: what a paired comparison with a
 * baseline needs and summary.json does not hold. Repeats are averaged per case; a call that
 * failed after every retry scores 0 on every scorer (as in the summary); a later success of the
 * same item (`--resume`) replaces an earlier failure.
 */
import { isBudgetStopped, type LogEvent } from "../core/records.ts";

/** Scores of one model × task: scorer → case id → mean score over repeats. */
export type GroupCaseScores = Map<string, Map<string, number>>;

/** Every model × task of a run, keyed by {@link groupKey}. */
export type CaseScores = Map<string, GroupCaseScores>;

/**
 * A model × task whose cases carry weights (task `weight_field`): case id → the calls it stands
 * for (cases absent weigh 1), and case id → its cluster key (cases absent have none).
 */
export interface GroupCaseWeights {
  weights: Map<string, number>;
  clusters: Map<string, string>;
}

/** The weighted model × tasks of a run, keyed by {@link groupKey}; a group absent is unweighted. */
export type CaseWeights = Map<string, GroupCaseWeights>;

/** Per-case scores and, for weighted groups, the cases' weights and clusters. */
export interface CaseData {
  scores: CaseScores;
  weights: CaseWeights;
}

export const groupKey = (model: string, task: string): string => `${model}\u0000${task}`;

/** The JSON form in a saved baseline: one entry per model × task × scorer. */
export interface CaseScoresJson {
  model: string;
  task: string;
  scorer: string;
  /** case id → mean score over repeats. */
  cases: Record<string, number>;
}

/** One model × task: its scorers in order of appearance. */
interface GroupSums {
  model: string;
  task: string;
  scorers: string[];
  /** Whether some case of the group weighs other than 1. */
  weighted: boolean;
}

/** Marks a slot whose call failed after every retry (it scores 0 on every scorer). */
const FAILED = -1;

/**
 * Folds `call` events (feed every event in log order), then `result()`. Each item's final outcome
 * is a slot in flat arrays (its group, case id, and `(scorer position, score)` pairs in one array
 * of numbers), not an object per call: a 100,000-call log leaves little for the collector to trace.
 */
export class CaseScoreCollector {
  /** item (model|task|case|repeat) → its slot; the last final record wins. */
  private readonly items = new Map<string, number>();
  private readonly groups = new Map<string, Map<string, GroupSums>>();
  private readonly slotGroup: GroupSums[] = [];
  private readonly slotCase: string[] = [];
  /** Where a slot's pairs start in `pairs`, and how many it has (FAILED: a failed call). */
  private readonly slotStart: number[] = [];
  private readonly slotPairs: number[] = [];
  /** Scorer position, score (NaN: the scorer could not score), … */
  private readonly pairs: number[] = [];
  /** Slots whose case weighs other than 1, and slots whose case has a cluster key (sparse). */
  private readonly slotWeight = new Map<number, number>();
  private readonly slotCluster = new Map<number, string>();

  add(event: LogEvent): void {
    if (event.type !== "call") return;
    if (event.warmup || event.will_retry || isBudgetStopped(event)) return;
    const group = this.group(event.model, event.task);
    const slot = this.slotGroup.length;
    this.slotGroup.push(group);
    this.slotCase.push(event.case_id);
    this.slotStart.push(this.pairs.length);
    if (event.case_weight !== undefined && event.case_weight !== 1) {
      this.slotWeight.set(slot, event.case_weight);
      group.weighted = true;
    }
    if (typeof event.cluster === "string") this.slotCluster.set(slot, event.cluster);
    if (event.ok) {
      for (const { scorer, score } of event.scores) {
        let position = group.scorers.indexOf(scorer);
        if (position < 0) position = group.scorers.push(scorer) - 1;
        this.pairs.push(position, score ?? Number.NaN);
      }
      this.slotPairs.push(event.scores.length);
    } else this.slotPairs.push(FAILED);
    this.items.set(event.item, slot);
  }

  private group(model: string, task: string): GroupSums {
    let byTask = this.groups.get(model);
    if (!byTask) {
      byTask = new Map();
      this.groups.set(model, byTask);
    }
    let group = byTask.get(task);
    if (!group) {
      group = { model, task, scorers: [], weighted: false };
      byTask.set(task, group);
    }
    return group;
  }

  result(): CaseScores {
    // Per group and scorer: case id → sum of scores, and the count only for cases seen more than
    // once (repeats), so the usual one call per case builds one map, not two.
    const sums = new Map<GroupSums, { scores: Map<string, number>; counts: Map<string, number> }[]>();
    const addScore = (group: GroupSums, position: number, caseId: string, score: number) => {
      let byScorer = sums.get(group);
      if (!byScorer) {
        byScorer = [];
        sums.set(group, byScorer);
      }
      byScorer[position] ??= { scores: new Map(), counts: new Map() };
      const { scores: caseSums, counts } = byScorer[position]!;
      const sum = caseSums.get(caseId);
      if (sum === undefined) caseSums.set(caseId, score);
      else {
        caseSums.set(caseId, sum + score);
        counts.set(caseId, (counts.get(caseId) ?? 1) + 1);
      }
    };
    for (const slot of this.items.values()) {
      const group = this.slotGroup[slot]!;
      const caseId = this.slotCase[slot]!;
      const count = this.slotPairs[slot]!;
      if (count === FAILED) {
        // A failed call scores 0 on every scorer (the user got no answer).
        for (let s = 0; s < group.scorers.length; s++) addScore(group, s, caseId, 0);
        continue;
      }
      const start = this.slotStart[slot]!;
      for (let p = start; p < start + 2 * count; p += 2) {
        const score = this.pairs[p + 1]!;
        // An unscorable call is left out.
        if (!Number.isNaN(score)) addScore(group, this.pairs[p]!, caseId, score);
      }
    }
    const result: CaseScores = new Map();
    for (const byTask of this.groups.values()) {
      for (const group of byTask.values()) {
        const byScorer = sums.get(group) ?? [];
        const scores: GroupCaseScores = new Map();
        group.scorers.forEach((scorer, s) => {
          const entry = byScorer[s];
          if (!entry) {
            scores.set(scorer, new Map());
            return;
          }
          for (const [caseId, count] of entry.counts)
            entry.scores.set(caseId, entry.scores.get(caseId)! / count);
          scores.set(scorer, entry.scores);
        });
        result.set(groupKey(group.model, group.task), scores);
      }
    }
    return result;
  }

  /** The weights and clusters of the weighted groups' cases (each item's last final record's). */
  weights(): CaseWeights {
    const result: CaseWeights = new Map();
    for (const slot of this.items.values()) {
      const group = this.slotGroup[slot]!;
      if (!group.weighted) continue;
      const key = groupKey(group.model, group.task);
      let entry = result.get(key);
      if (!entry) {
        entry = { weights: new Map(), clusters: new Map() };
        result.set(key, entry);
      }
      const caseId = this.slotCase[slot]!;
      const weight = this.slotWeight.get(slot);
      if (weight !== undefined) entry.weights.set(caseId, weight);
      const cluster = this.slotCluster.get(slot);
      if (cluster !== undefined) entry.clusters.set(caseId, cluster);
    }
    return result;
  }

  data(): CaseData {
    return { scores: this.result(), weights: this.weights() };
  }
}

export function caseScoresToJson(scores: CaseScores): CaseScoresJson[] {
  const out: CaseScoresJson[] = [];
  for (const [key, byScorer] of scores) {
    const [model, task] = key.split("\u0000") as [string, string];
    for (const [scorer, cases] of byScorer)
      out.push({ model, task, scorer, cases: Object.fromEntries(cases) });
  }
  return out;
}

/** Reads the JSON form back; throws on a shape that is not one. */
export function caseScoresFromJson(json: unknown): CaseScores {
  if (!Array.isArray(json)) throw new Error("case_scores is not a list");
  const scores: CaseScores = new Map();
  for (const entry of json as CaseScoresJson[]) {
    if (
      typeof entry?.model !== "string" ||
      typeof entry.task !== "string" ||
      typeof entry.scorer !== "string"
    ) {
      throw new Error("a case_scores entry lacks model, task or scorer");
    }
    const key = groupKey(entry.model, entry.task);
    let group = scores.get(key);
    if (!group) {
      group = new Map();
      scores.set(key, group);
    }
    const cases = new Map<string, number>();
    for (const [id, score] of Object.entries(entry.cases ?? {})) {
      if (typeof score === "number" && score >= 0 && score <= 1) cases.set(id, score);
    }
    group.set(entry.scorer, cases);
  }
  return scores;
}
