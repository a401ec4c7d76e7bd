import { describe, expect, it } from "vitest";
import { accuracyDelta } from "../../src/gates/accuracy-delta.ts";
import {
  CaseScoreCollector,
  caseScoresFromJson,
  caseScoresToJson,
  groupKey,
} from "../../src/gates/case-scores.ts";
import { evaluateGates } from "../../src/gates/evaluate.ts";
import { parseGate } from "../../src/gates/expression.ts";
import { latencyRise } from "../../src/gates/latency-delta.ts";
import type { LatencySummary } from "../../src/metrics/group.ts";
import { mcnemarExactFromCounts } from "../../src/stats/paired.ts";
import { loadReportSummary } from "../helpers/load-report-summary.ts";
import { build, call, failedCall, start } from "../helpers/summary-log.ts";

const cases = (scores: number[]) => new Map(scores.map((s, i) => [`c${i}`, s]));

describe("accuracy drop against a baseline", () => {
  it("paired on shared cases: McNemar's exact p on the discordant cases, the drop with its interval", () => {
    // 100 cases: 12 only the baseline got right, 2 only this run.
    const base = Array.from({ length: 100 }, (_, i) => (i < 80 ? 1 : i < 92 ? 1 : i < 94 ? 0 : 0));
    const current = Array.from({ length: 100 }, (_, i) => (i < 80 ? 1 : i < 92 ? 0 : i < 94 ? 1 : 0));
    const result = accuracyDelta({
      current: { mean: 0.82, n: 100, cases: cases(current) },
      baseline: { mean: 0.92, n: 100, cases: cases(base) },
      margin: 0.02,
      strict: false,
      alpha: 0.05,
    });
    expect(result.paired).toBe(true);
    expect(result.drop).toBeCloseTo(0.1, 12);
    expect(result.pValue).toBe(mcnemarExactFromCounts(12, 2).pValue);
    expect(result.status).toBe("fail");
    expect(result.interval![0]).toBeLessThan(0.1);
    expect(result.interval![1]).toBeGreaterThan(0.1);
    expect(result.test).toBe(
      "McNemar exact, paired on 100 shared cases (12 only the baseline got right, 2 only this run)",
    );
  });

  it("a drop within the margin passes; beyond it but not significant is inconclusive with the cases needed", () => {
    const base = cases([1, 1, 1, 1, 0, 1, 1, 1, 1, 1]);
    const current = cases([1, 1, 1, 0, 0, 1, 1, 1, 1, 1]);
    const input = {
      current: { mean: 0.8, n: 10, cases: current },
      baseline: { mean: 0.9, n: 10, cases: base },
      strict: false,
      alpha: 0.05,
    };
    expect(accuracyDelta({ ...input, margin: 0.1 }).status).toBe("pass");
    const tight = accuracyDelta({ ...input, margin: 0.02 });
    expect(tight.status).toBe("inconclusive");
    expect(tight.pValue).toBe(1);
    expect(tight.moreCasesNeeded).toBeGreaterThan(0);
  });

  it("unpaired (no per-case scores on one side): a two-proportion z-test", () => {
    const result = accuracyDelta({
      current: { mean: 0.8, n: 400, cases: null },
      baseline: { mean: 0.9, n: 400, cases: cases([1]) },
      margin: 0.02,
      strict: false,
      alpha: 0.05,
    });
    expect(result.paired).toBe(false);
    expect(result.test).toBe("two-proportion z-test, unpaired (400 cases vs the baseline's 400)");
    // z = 0.1 / sqrt(0.85·0.15·2/400) ≈ 3.96
    expect(result.pValue).toBeGreaterThan(5e-5);
    expect(result.pValue).toBeLessThan(1e-4);
    expect(result.status).toBe("fail");
  });

  it("runs that share no case are compared unpaired", () => {
    const result = accuracyDelta({
      current: {
        mean: 0.5,
        n: 2,
        cases: new Map([
          ["x", 1],
          ["y", 0],
        ]),
      },
      baseline: {
        mean: 1,
        n: 2,
        cases: new Map([
          ["a", 1],
          ["b", 1],
        ]),
      },
      margin: 0,
      strict: false,
      alpha: 0.05,
    });
    expect(result.paired).toBe(false);
  });
});

function latency(p95: number, ci: [number, number] | null, n = 500): LatencySummary {
  return {
    n,
    mean: p95 / 2,
    min: 1,
    max: p95 * 2,
    p50: p95 / 2,
    p90: p95,
    p95,
    p99: p95,
    ci95: { p50: null, p90: null, p95: ci, p99: null },
  };
}

describe("latency rise against a baseline", () => {
  it("fails only when this run's interval lies above the baseline's upper bound × (1 + margin)", () => {
    expect(latencyRise(latency(1200, [1150, 1250]), latency(800, [780, 820]), "p95", 0.1, false).status).toBe(
      "fail",
    );
    const overlap = latencyRise(latency(1000, [900, 1100]), latency(800, [760, 850]), "p95", 0.1, false);
    expect(overlap.status).toBe("inconclusive");
    expect(overlap.rise).toBeCloseTo(0.25, 12);
    expect(overlap.moreCasesNeeded).toBeGreaterThan(0);
    expect(latencyRise(latency(850, [800, 900]), latency(800, [760, 850]), "p95", 0.1, false).status).toBe(
      "pass",
    );
  });

  it("too few calls for an interval: inconclusive with the calls a p95 interval needs", () => {
    const result = latencyRise(latency(1200, null, 50), latency(800, null, 50), "p95", 0.1, false);
    expect(result).toMatchObject({ status: "inconclusive", moreCasesNeeded: 22 });
  });

  it("a statistic without an interval (mean) is compared as measured", () => {
    expect(latencyRise(latency(1200, null), latency(800, null), "mean", 0.1, false)).toMatchObject({
      status: "fail",
    });
  });
});

describe("per-case scores from the log", () => {
  it("averages repeats, scores failed calls 0, keeps an item's last final record", () => {
    const collector = new CaseScoreCollector();
    const events = [
      start,
      call("local", 0),
      call("local", 1, { item: "local|t|1|0", scores: [{ scorer: "exact", score: 0, reason: "" }] }),
      call("local", 1, { item: "local|t|1|1", repeat: 1 }),
      failedCall("local", 2),
      failedCall("local", 3, { will_retry: true }),
      call("local", 3),
      call("local", 3, {
        warmup: true,
        item: "local|warmup|0",
        scores: [{ scorer: "exact", score: 0, reason: "" }],
      }),
    ];
    for (const event of events) collector.add(event);
    const scores = collector.result().get(groupKey("local", "t"))!;
    expect([...scores.get("exact")!]).toEqual([
      ["1", 1],
      ["2", 0.5],
      ["3", 0],
      ["4", 1],
    ]);
    expect(caseScoresFromJson(JSON.parse(JSON.stringify(caseScoresToJson(collector.result()))))).toEqual(
      collector.result(),
    );
  });
});

describe("evaluateGates", () => {
  const summary = build([
    start,
    call("local", 0),
    call("local", 1),
    failedCall("local", 2),
    call("api", 0),
    call("api", 1),
    call("api", 2),
  ]);
  const gate = (expression: string) => ({ spec: parseGate(expression), from: "command line" as const });

  it("one verdict per gate × model × task; an unknown figure fails; a failed gate fails the report", () => {
    const report = evaluateGates({
      gates: [gate("accuracy >= 0.9"), gate("cost_per_1k_usd[model=local] <= 1")],
      run: { summary, load: null, caseScores: null },
      baseline: null,
      maxErrorRate: 0.2,
    });
    expect(report.verdicts.map((v) => [v.model, v.task, v.status])).toEqual([
      ["local", "t", "fail"],
      ["api", "t", "pass"],
      ["local", "t", "unknown"],
    ]);
    expect(report.verdicts[2]!.message).toBe(
      "local × t: cost_per_1k_usd is unknown: cannot check <= 1: FAIL",
    );
    expect(report.status).toBe("fail");
    expect(report.error_rate).toEqual({ failed: 1, calls: 6, rate: 1 / 6, exceeded: false });
  });

  it("task=all reads each model's roll-up; delta gates without a baseline are named as not checked", () => {
    const report = evaluateGates({
      gates: [gate("error_rate[task=all] <= 0.5"), gate("accuracy drop <= 1 points")],
      run: { summary, load: null, caseScores: null },
      baseline: null,
    });
    expect(report.verdicts.map((v) => [v.model, v.task, v.value])).toEqual([
      ["local", null, 1 / 3],
      ["api", null, 0],
    ]);
    expect(report.warnings).toEqual(['not checked, no --baseline given: "accuracy drop <= 1 points"']);
    expect(report.status).toBe("pass");
  });

  it("savings figures per pair × task", () => {
    const report = evaluateGates({
      gates: [gate("accuracy_retained >= 0.97")],
      run: { summary, load: null, caseScores: null },
      baseline: null,
    });
    expect(report.verdicts).toHaveLength(1);
    expect(report.verdicts[0]).toMatchObject({ model: "local vs api", task: "t", status: "fail" });
    expect(report.verdicts[0]!.value).toBeCloseTo(2 / 3, 12);
  });

  it("goodput per step of a load sweep, or one step with [step=N]", () => {
    const load = loadReportSummary();
    const report = evaluateGates({
      gates: [gate("goodput >= 0.9"), gate("goodput[step=2] >= 0.4")],
      run: { summary: null, load, caseScores: null },
      baseline: null,
    });
    expect(report.verdicts.map((v) => [v.task, v.value, v.status])).toEqual([
      ["step 0 (concurrency 1)", 1, "pass"],
      ["step 1 (concurrency 2)", 0.95, "pass"],
      ["step 2 (concurrency 4)", 0.5, "fail"],
      ["step 2 (concurrency 4)", 0.5, "pass"],
    ]);
    expect(report.status).toBe("fail");
  });
});
