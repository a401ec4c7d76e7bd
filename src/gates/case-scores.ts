/**
 * Per-case scores of a run, read from its log's `call` records: what a paired comparison with a
 * baseline needs and summary.json does not hold. Repeats are averaged per case; a call that
 * failed after every retry scores 0 on every scorer (as in the summary); a later success of the
 * same item (`--resume`) replaces an earlier failure.
 */
import { type CallRecord, isBudgetStopped, type LogEvent } from "../core/records.ts";

/** Scores of one model × task: scorer → case id → mean score over repeats. */
export type GroupCaseScores = Map<string, Map<string, number>>;

/** Every model × task of a run, keyed by {@link groupKey}. */
export type CaseScores = Map<string, GroupCaseScores>;

export const groupKey = (model: string, task: string): string => `${model}\u0000${task}`;

/** The JSON form in a saved baseline: one entry per model × task × scorer. */
export interface CaseScoresJson {
  model: string;
  task: string;
  scorer: string;
  /** case id → mean score over repeats. */
  cases: Record<string, number>;
}

interface FinalOutcome {
  model: string;
  task: string;
  caseId: string;
  /** null: the call failed after every retry. */
  scores: CallRecord["scores"] | null;
}

/** Folds `call` events (feed every event in log order), then `result()`. */
export class CaseScoreCollector {
  /** The final outcome of each item (model|task|case|repeat): the last final record wins. */
  private readonly items = new Map<string, FinalOutcome>();

  add(event: LogEvent): void {
    if (event.type !== "call") return;
    if (event.warmup || event.will_retry || isBudgetStopped(event)) return;
    this.items.set(event.item, {
      model: event.model,
      task: event.task,
      caseId: event.case_id,
      scores: event.ok ? event.scores : null,
    });
  }

  result(): CaseScores {
    const sums = new Map<
      string,
      { scorers: Set<string>; cases: Map<string, Map<string, [number, number]>> }
    >();
    const groupOf = (outcome: FinalOutcome) => {
      const key = groupKey(outcome.model, outcome.task);
      let group = sums.get(key);
      if (!group) {
        group = { scorers: new Set(), cases: new Map() };
        sums.set(key, group);
      }
      return group;
    };
    for (const outcome of this.items.values()) {
      const group = groupOf(outcome);
      for (const { scorer } of outcome.scores ?? []) group.scorers.add(scorer);
    }
    for (const outcome of this.items.values()) {
      const group = groupOf(outcome);
      let perCase = group.cases.get(outcome.caseId);
      if (!perCase) {
        perCase = new Map();
        group.cases.set(outcome.caseId, perCase);
      }
      const scored = new Map((outcome.scores ?? []).map((s) => [s.scorer, s.score]));
      for (const scorer of group.scorers) {
        // A failed call scores 0 (the user got no answer); an unscorable one is left out.
        const score = outcome.scores === null ? 0 : scored.get(scorer);
        if (score === null || score === undefined) continue;
        const sum = perCase.get(scorer) ?? [0, 0];
        sum[0] += score;
        sum[1]++;
        perCase.set(scorer, sum);
      }
    }
    const result: CaseScores = new Map();
    for (const [key, group] of sums) {
      const byScorer: GroupCaseScores = new Map();
      for (const scorer of group.scorers) byScorer.set(scorer, new Map());
      for (const [caseId, perCase] of group.cases) {
        for (const [scorer, [sum, n]] of perCase) byScorer.get(scorer)!.set(caseId, sum / n);
      }
      result.set(key, byScorer);
    }
    return result;
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
