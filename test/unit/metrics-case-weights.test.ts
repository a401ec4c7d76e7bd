/**
 * Case weights (task `weight_field`, a replayed request's exact duplicates): accuracy counts a
 * case of weight w as w calls. Its mean, standard error and interval equal those of the same run
 * with each case written out as w calls in a cluster of their own (one sampled request, w
 * identical calls), in both accuracy stores; without weights nothing changes.
 */
import { describe, expect, it } from "vitest";
import type { LogEvent, RunStartEvent } from "../../src/core/records.ts";
import { Moments } from "../../src/metrics/call-scores.ts";
import { cascadeWhatIf } from "../../src/savings/cascade.ts";
import { compareModels } from "../../src/savings/compare.ts";
import { type CaseOutcome, type Trial, weighOutcomes } from "../../src/savings/outcomes.ts";
import { estimateFromMoments } from "../../src/stats/accuracy.ts";
import { loadSuiteText } from "../../src/suite/load.ts";
import { savingsLine } from "../../src/terminal/savings-lines.ts";
import { build, call, description, start } from "../helpers/summary-log.ts";

const WEIGHTS = [1, 3, 1, 7, 2, 1, 1, 4, 1, 1, 5, 1, 2, 1, 1, 1, 9, 1, 1, 2];
const scoreOf = (i: number) => (i % 3 === 0 ? 0 : i % 5 === 0 ? 0.5 : 1);
const failedAt = (i: number) => i === 4 || i === 11;

const scored = (i: number) => ({
  ok: !failedAt(i),
  error: failedAt(i) ? { class: "http_5xx" as const, message: "x", status: 500 } : null,
  scores: failedAt(i) ? [] : [{ scorer: "exact", score: scoreOf(i), reason: "" }],
});

const withRepeats = (repeats: number): RunStartEvent => ({
  ...start,
  suite: { ...start.suite, resolved: { ...description, repeats } },
});

/** One call per case, each carrying its weight. */
const weighted = (): LogEvent[] =>
  WEIGHTS.map((w, i) =>
    call("api", i, { item: `api|t|${i}|0`, ...(w !== 1 && { case_weight: w }), ...scored(i) }),
  );

/** Each case as w calls of its own cluster. */
const expanded = (): LogEvent[] => {
  const events: LogEvent[] = [];
  let index = 0;
  WEIGHTS.forEach((w, i) => {
    for (let k = 0; k < w; k++) {
      events.push(call("api", index, { item: `api|t|${index}|0`, cluster: `case ${i}`, ...scored(i) }));
      index++;
    }
  });
  return events;
};

describe("accuracy with case weights", () => {
  it("equals the run with each case written out as its weight's worth of calls in one cluster", () => {
    const cases = WEIGHTS.length;
    const calls = WEIGHTS.reduce((a, b) => a + b, 0);
    const reference = build([withRepeats(1), ...expanded()]).results[0]!.accuracy[0]!;
    for (const repeats of [1, 2]) {
      const result = build([withRepeats(repeats), ...weighted()]).results[0]!;
      const a = result.accuracy[0]!;
      expect(a).toMatchObject({ n: cases, calls, method: "clustered", clusters: cases });
      expect(reference).toMatchObject({ n: calls, clusters: cases });
      expect(a.mean).toBeCloseTo(reference.mean, 12);
      expect(a.se!).toBeCloseTo(reference.se!, 12);
      expect(a.lower!).toBeCloseTo(reference.lower!, 12);
      expect(a.upper!).toBeCloseTo(reference.upper!, 12);
      // The weighted mean differs from the plain mean over cases: the weights are used.
      const plain = WEIGHTS.reduce((sum, _, i) => sum + (failedAt(i) ? 0 : scoreOf(i)), 0) / cases;
      expect(Math.abs(a.mean - plain)).toBeGreaterThan(0.01);
      expect(result.correct).toBeCloseTo(reference.mean * calls, 9);
    }
  });

  it("leaves a run without weights as it was: no calls field, the usual method", () => {
    const plain = build([withRepeats(1), ...weighted().map((e) => ({ ...e, case_weight: undefined }))]);
    const a = plain.results[0]!.accuracy[0]!;
    expect(a).not.toHaveProperty("calls");
    expect(a.n).toBe(WEIGHTS.length);
    expect(a.method).toBe("mean-se");
  });
});

describe("savings with case weights", () => {
  const trial = (score: number, cost: number, e2e: number): Trial => ({
    score,
    cost_usd: cost,
    energy_j: null,
    energy_source: null,
    e2e_ms: e2e,
    ttft_ms: null,
    failed: false,
    finish_reason: "stop",
    scores: {},
  });
  // Candidate agrees on cases 0, 2, 3; case 1 (weight 5) disagrees. The recorded baseline is the reference.
  const weights = [1, 5, 2, 1, 3, 1];
  const agree = [1, 0, 1, 1, 0, 1];
  const candidate: CaseOutcome[] = weights.map((w, i) => ({
    caseId: `c${i}`,
    ...(w !== 1 && { weight: w }),
    trials: [trial(agree[i]!, 0.001 * (i + 1), 100 * (i + 1))],
  }));
  const baseline: CaseOutcome[] = weights.map((w, i) => ({
    caseId: `c${i}`,
    ...(w !== 1 && { weight: w }),
    trials: [trial(1, 0.01, 1000)],
  }));

  it("counts a case of weight w as w calls in agreement, its interval, and cost and latency per call", () => {
    const weighed = weighOutcomes(candidate, baseline)!;
    const calls = weights.reduce((a, b) => a + b, 0);
    expect(weighed).toMatchObject({ cases: 6, calls });
    const c = compareModels(weighed.candidate, weighed.baseline, {
      weighted: { cases: weighed.cases, calls: weighed.calls },
    });
    const agreement = weights.reduce((sum, w, i) => sum + w * agree[i]!, 0) / calls;
    expect(c.candidate.accuracy).toBeCloseTo(agreement, 12);
    expect(c.accuracy_retained).toBeCloseTo(agreement, 12);
    // The same interval as the summary's weighted accuracy (each case one draw of w calls).
    const moments = new Moments();
    for (const [i, w] of weights.entries()) moments.add(agree[i]!, null, 1, w);
    const estimate = estimateFromMoments(moments);
    expect(estimate).toMatchObject({ n: 6, calls });
    expect(c.candidate.accuracy_lower).toBeCloseTo(estimate.lower!, 12);
    expect(c.candidate.accuracy_upper).toBeCloseTo(estimate.upper!, 12);
    const cost = weights.reduce((sum, w, i) => sum + w * 0.001 * (i + 1), 0) / calls;
    expect(c.candidate.cost_per_call_usd).toBeCloseTo(cost, 12);
    expect(c.cost_ratio).toBeCloseTo(0.01 / cost, 9);
    expect(c.mcnemar_p_value).toBeNull();
    expect(c.notes.join("\n")).toMatch(/weighted by logged calls: 6 case\(s\) stand for 13 call\(s\)/);
    const line = savingsLine({
      candidate: "local",
      baseline: "recorded-gpt-4.1",
      baseline_kind: "run",
      projection: null,
      task: "labels",
      scorer: "exact",
      auto: false,
      reference: "recorded",
      comparison: c,
      cascade: cascadeWhatIf(weighed.candidate, weighed.baseline, {}),
    });
    expect(line).toContain(`keeps ${(agreement * 100).toFixed(1)}%`);
    expect(line).toContain("over the 13 logged calls its 6 cases stand for");
  });

  it("gives an agreement of 0 on every call an interval over the cases, not the point [0%–0%]", () => {
    const none = candidate.map((o) => ({ ...o, trials: o.trials.map((t) => ({ ...t, score: 0 })) }));
    const weighed = weighOutcomes(none, baseline)!;
    const c = compareModels(weighed.candidate, weighed.baseline, {
      weighted: { cases: weighed.cases, calls: weighed.calls },
    });
    expect(c.candidate.accuracy).toBe(0);
    const moments = new Moments();
    for (const w of weights) moments.add(0, null, 1, w);
    const estimate = estimateFromMoments(moments);
    expect(estimate).toMatchObject({ mean: 0, se: 0, lower: 0, clusters: 6 });
    // Wilson over the 6 cases, each one draw: (z²/6) / (1 + z²/6).
    const z2n = 1.959963984540054 ** 2 / 6;
    expect(estimate.upper).toBeCloseTo(z2n / (1 + z2n), 9);
    expect(c.candidate.accuracy_upper).toBeCloseTo(estimate.upper!, 12);
  });

  it("leaves unweighted outcomes alone", () => {
    const strip = (list: CaseOutcome[]) => list.map(({ weight: _w, ...o }) => o);
    expect(weighOutcomes(strip(candidate), strip(baseline))).toBeNull();
  });
});

describe("weight_field", () => {
  const suite = (weights: string[]) => `name: weighted
models:
  - { id: m, runner: llamacpp, url: "http://127.0.0.1:8080" }
tasks:
  - id: t
    prompt: "{{q}}"
    weight_field: weight
    dataset:
${weights.map((w, i) => `      - { q: "q${i}", expected: "a", ${w} }`).join("\n")}
`;

  it("gives each case its row's weight (1 left out)", async () => {
    const loaded = await loadSuiteText(suite(["weight: 1", "weight: 4"]), "/tmp/opbench-weights.yaml");
    expect([...loaded.tasks[0]!.cases].map((c) => c.weight)).toEqual([undefined, 4]);
  });

  it("rejects a row without a whole weight ≥ 1, naming the row", async () => {
    for (const bad of ["weight: 0", "weight: 2.5", 'weight: "3"', "other: 1"]) {
      const error = await loadSuiteText(suite(["weight: 2", bad]), "/tmp/opbench-weights.yaml").then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(error?.message, bad).toMatch(/weight_field: .*row 2/);
    }
  });
});
