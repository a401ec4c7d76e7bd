/**
 * Gates and compare on a task whose cases carry weights (`weight_field`: a case stands for w
 * identical logged calls): the figures count calls, as the summary does, and the tests keep each
 * case one cluster of its calls. A planted regression on a few heavy cases passes the unweighted
 * gate (inconclusive) and fails the weighted one.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CallRecord } from "../../src/core/records.ts";
import { accuracyDelta } from "../../src/gates/accuracy-delta.ts";
import { scanCaseData } from "../../src/gates/case-scan.ts";
import { CaseScoreCollector, groupKey } from "../../src/gates/case-scores.ts";
import { evaluateGates } from "../../src/gates/evaluate.ts";
import { parseGate } from "../../src/gates/expression.ts";
import { twoSidedNormalP } from "../../src/stats/distributions.ts";
import { mcnemarExactFromCounts, type PairedScore, pairedDifference } from "../../src/stats/paired.ts";
import { isNonEmpty, type NonEmpty } from "../../src/stats/samples.ts";
import { type WeightedPair, weightedPairedDifference } from "../../src/stats/weighted-paired.ts";
import { build, call, start } from "../helpers/summary-log.ts";

function nonEmpty<T>(values: readonly T[]): NonEmpty<T> {
  if (!isNonEmpty(values)) throw new Error("no values");
  return values;
}

/** Each case written out w times in one cluster (its own, or its named one): the oracle. */
function expanded(pairs: readonly WeightedPair[]): NonEmpty<PairedScore> {
  return nonEmpty(
    pairs.flatMap((p) =>
      Array.from({ length: p.weight }, (_, k) => ({
        caseId: `${p.caseId}#${k}`,
        a: p.a,
        b: p.b,
        cluster: p.cluster ?? `own ${p.caseId}`,
      })),
    ),
  );
}

/** 20 cases: 3 heavy ones (10 calls each) that the baseline got right and this run gets wrong, 17 light ones right in both. */
const HEAVY = 3;
const weightOf = (i: number) => (i < HEAVY ? 10 : 1);
const planted: WeightedPair[] = Array.from({ length: 20 }, (_, i) => ({
  caseId: `c${i}`,
  a: 1,
  b: i < HEAVY ? 0 : 1,
  weight: weightOf(i),
}));
const scoresOf = (side: "a" | "b") => new Map(planted.map((p) => [p.caseId, p[side]]));
const plantedWeights = {
  weights: new Map(planted.filter((p) => p.weight !== 1).map((p) => [p.caseId, p.weight])),
  clusters: new Map<string, string>(),
};

describe("weightedPairedDifference", () => {
  it("equals the paired difference with each case written out w times in one cluster", () => {
    const pairs: WeightedPair[] = [
      { caseId: "a", a: 1, b: 0, weight: 7 },
      { caseId: "b", a: 0, b: 1, weight: 2 },
      { caseId: "c", a: 1, b: 1, weight: 1 },
      { caseId: "d", a: 0.5, b: 0, weight: 3, cluster: "doc" },
      { caseId: "e", a: 1, b: 0.5, weight: 1, cluster: "doc" },
      { caseId: "f", a: 0, b: 0, weight: 4 },
    ];
    const got = weightedPairedDifference(nonEmpty(pairs), 0.9);
    const oracle = pairedDifference(expanded(pairs), 0.9);
    expect(got.calls).toBe(18);
    expect(got.n).toBe(6);
    expect(got.clusters).toBe(oracle.clusters);
    expect(got.meanDiff).toBeCloseTo(oracle.meanDiff, 12);
    expect(got.meanA).toBeCloseTo(oracle.meanA, 12);
    expect(got.se).toBeCloseTo(oracle.se!, 12);
    expect(got.lower).toBeCloseTo(oracle.lower!, 12);
    expect(got.upper).toBeCloseTo(oracle.upper!, 12);
    expect(got.pValue).toBeCloseTo(twoSidedNormalP(oracle.meanDiff / oracle.se!), 12);
  });

  it("with every weight 1 and no cluster, is the plain paired difference", () => {
    const pairs = [1, 0, 1, 1, 0, 1, 0, 0].map((a, i) => ({
      caseId: `c${i}`,
      a,
      b: i % 3 === 0 ? 0 : 1,
      weight: 1,
    }));
    const got = weightedPairedDifference(nonEmpty(pairs));
    const plain = pairedDifference(nonEmpty(pairs.map(({ caseId, a, b }) => ({ caseId, a, b }))));
    expect(got.meanDiff).toBeCloseTo(plain.meanDiff, 12);
    expect(got.se).toBeCloseTo(plain.se!, 12);
  });

  it("every case moved alike (SE 0): the exact sign test over the cases, not a p of 0", () => {
    const pairs = Array.from({ length: 4 }, (_, i) => ({ caseId: `c${i}`, a: 1, b: 0, weight: 5 + i }));
    const got = weightedPairedDifference(nonEmpty(pairs));
    expect(got.se).toBe(0);
    expect(got.pValue).toBe(mcnemarExactFromCounts(4, 0).pValue);
    expect(got.pValue).toBeGreaterThan(0.05);
  });

  it("refuses a weight below 1", () => {
    expect(() => weightedPairedDifference([{ caseId: "x", a: 1, b: 0, weight: 0 }])).toThrow(
      /weight must be ≥ 1/,
    );
  });
});

describe("accuracy drop of a weighted task", () => {
  const input = {
    current: { mean: 17 / 20, n: 20, cases: scoresOf("b") },
    baseline: { mean: 1, n: 20, cases: scoresOf("a") },
    margin: 0.02,
    strict: false,
    alpha: 0.05,
  };

  it("a regression on heavy cases: inconclusive unweighted (McNemar on 3 cases), a failure over the calls", () => {
    const unweighted = accuracyDelta(input);
    expect(unweighted.status).toBe("inconclusive");
    expect(unweighted.pValue).toBe(mcnemarExactFromCounts(3, 0).pValue);
    expect(unweighted.drop).toBeCloseTo(3 / 20, 12);
    expect(unweighted.weighted).toBeUndefined();

    const weighted = accuracyDelta({ ...input, weights: plantedWeights });
    const oracle = pairedDifference(expanded(planted));
    expect(weighted.status).toBe("fail");
    expect(weighted.drop).toBeCloseTo(30 / 47, 12);
    expect(weighted.baseline).toBe(1);
    expect(weighted.current).toBeCloseTo(17 / 47, 12);
    expect(weighted.pValue).toBeCloseTo(twoSidedNormalP(oracle.meanDiff / oracle.se!), 12);
    expect(weighted.pValue).toBeLessThan(0.05);
    expect(weighted.interval![0]).toBeCloseTo(-oracle.upper!, 12);
    expect(weighted.weighted).toEqual({ cases: 20, calls: 47 });
    expect(weighted.test).toContain("over the 47 logged calls its 20 shared cases stand for");
    expect(weighted.test).toContain("no McNemar");
  });

  it("a weighted drop beyond the margin that is not significant says how many more cases would decide it", () => {
    const mild = planted.map((p, i) => ({ ...p, b: i === 0 ? 0 : 1 }));
    const result = accuracyDelta({
      ...input,
      current: { mean: 0.95, n: 20, cases: new Map(mild.map((p) => [p.caseId, p.b])) },
      weights: plantedWeights,
    });
    expect(result.status).toBe("inconclusive");
    expect(result.moreCasesNeeded).toBeGreaterThan(0);
  });

  it("unpaired (no per-case scores): a z-test from the two summaries' cluster-robust SEs", () => {
    const result = accuracyDelta({
      current: { mean: 0.6, n: 40, cases: null, se: 0.08, calls: 400 },
      baseline: { mean: 0.9, n: 40, cases: null, se: 0.05, calls: 400 },
      margin: 0.02,
      strict: false,
      alpha: 0.05,
    });
    const se = Math.sqrt(0.08 ** 2 + 0.05 ** 2);
    expect(result.paired).toBe(false);
    expect(result.pValue).toBeCloseTo(twoSidedNormalP(0.3 / se), 12);
    expect(result.interval![0]).toBeCloseTo(0.3 - 1.959963984540054 * se, 9);
    expect(result.test).toContain(
      "40 cases standing for 400 logged calls vs the baseline's 40 cases standing for 400",
    );
    // The same accuracies read as 40 independent cases each: another (narrower) test.
    const unweighted = accuracyDelta({
      current: { mean: 0.6, n: 40, cases: null },
      baseline: { mean: 0.9, n: 40, cases: null },
      margin: 0.02,
      strict: false,
      alpha: 0.05,
    });
    expect(unweighted.test).toContain("two-proportion z-test");
    expect(unweighted.pValue).not.toBeCloseTo(result.pValue!, 6);
  });
});

/** Records of `model` for the planted cases: `right(i)` says which it gets right. */
function weightedCalls(model: string, right: (i: number) => boolean, weighted = true): CallRecord[] {
  return planted.map((p, i) =>
    call(model, i, {
      item: `${model}|t|${p.caseId}|0`,
      case_id: p.caseId,
      started_at: new Date(Date.UTC(2026, 10, 23, 10, 0, i)).toISOString(),
      ...(weighted && { case_weight: p.weight }),
      scores: [
        { scorer: "exact", score: right(i) ? 1 : 0, reason: "" },
        { scorer: "valid", score: 1, reason: "" },
      ],
    }),
  );
}

describe("per-case weights from the log", () => {
  it("the collector and the fast scan read each weighted group's weights and clusters; unweighted groups have none", () => {
    const events = [
      start,
      ...weightedCalls("local", () => true),
      ...weightedCalls("api", () => true, false),
      call("local", 20, { item: "local|t|c20|0", case_id: "c20", case_weight: 1, cluster: "doc-1" }),
    ];
    const collector = new CaseScoreCollector();
    for (const event of events) collector.add(event);
    const weights = collector.weights();
    expect([...weights.keys()]).toEqual([groupKey("local", "t")]);
    expect(weights.get(groupKey("local", "t"))).toEqual({
      weights: new Map([
        ["c0", 10],
        ["c1", 10],
        ["c2", 10],
      ]),
      clusters: new Map([["c20", "doc-1"]]),
    });
    // As opbench writes a record (the weight right after the cluster: the fast path's head), and
    // with the weight last (parsed whole).
    const inOpbenchOrder = (event: (typeof events)[number]) => {
      if (event.type !== "call" || event.case_weight === undefined) return event;
      const { case_weight, ...rest } = event;
      return Object.fromEntries(
        Object.entries(rest).flatMap(([k, v]) =>
          k === "cluster"
            ? [
                [k, v],
                ["case_weight", case_weight],
              ]
            : [[k, v]],
        ),
      );
    };
    for (const order of [inOpbenchOrder, (e: (typeof events)[number]) => e]) {
      const dir = mkdtempSync(join(tmpdir(), "opbench-weighted-scan-"));
      writeFileSync(join(dir, "events.jsonl"), events.map((e) => `${JSON.stringify(order(e))}\n`).join(""));
      expect(scanCaseData(dir)).toEqual(collector.data());
    }
  });
});

describe("gates on a weighted task", () => {
  const gate = (expression: string) => ({ spec: parseGate(expression), from: "command line" as const });
  const collect = (calls: CallRecord[]) => {
    const collector = new CaseScoreCollector();
    for (const event of [start, ...calls]) collector.add(event);
    return collector;
  };

  it("a drop gate passes (inconclusive) unweighted and fails weighted; every figure says it is over the logged calls", () => {
    const evaluate = (weighted: boolean) => {
      const baseCalls = weightedCalls("local", () => true, weighted);
      const runCalls = weightedCalls("local", (i) => i >= HEAVY, weighted);
      const run = collect(runCalls);
      const base = collect(baseCalls);
      return evaluateGates({
        gates: [gate("accuracy[model=local] drop <= 2 points"), gate("accuracy[model=local] >= 0.9")],
        run: {
          summary: build([start, ...runCalls]),
          load: null,
          caseScores: run.result(),
          caseWeights: run.weights(),
        },
        baseline: {
          source: "base",
          summary: build([start, ...baseCalls]),
          caseScores: base.result(),
          caseWeights: base.weights(),
          warnings: [],
        },
      });
    };
    const unweighted = evaluate(false);
    expect(unweighted.verdicts.map((v) => v.status)).toEqual(["inconclusive", "fail"]);
    expect(unweighted.verdicts[0]!.weighted).toBeUndefined();
    expect(unweighted.verdicts[1]!.message).toMatch(
      /accuracy \(exact\) = 0\.85 \[[\d.–]+\], n = 20, needs >= 0\.9: FAIL/,
    );

    const weighted = evaluate(true);
    const [drop, level] = weighted.verdicts;
    expect(drop!.status).toBe("fail");
    expect(drop!.delta).toBeCloseTo(-30 / 47, 12);
    expect(drop!.value).toBeCloseTo(17 / 47, 12);
    expect(drop!.weighted).toEqual({ cases: 20, calls: 47 });
    expect(drop!.message).toContain("dropped 63.8 points");
    expect(drop!.message).toContain("over the 47 logged calls its 20 shared cases stand for");
    expect(level!.status).toBe("fail");
    expect(level!.value).toBeCloseTo(17 / 47, 12);
    expect(level!.weighted).toEqual({ cases: 20, calls: 47 });
    expect(level!.message).toContain(
      "(weighted: over the 47 logged calls its 20 cases stand for), needs >= 0.9: FAIL",
    );
  });
});

describe("savings gates on a weighted task", () => {
  it("a savings figure of a weighted comparison says it counts the logged calls", () => {
    const summary = build([
      start,
      ...weightedCalls("local", (i) => i >= HEAVY),
      ...weightedCalls("api", () => true),
    ]);
    const report = evaluateGates({
      gates: [{ spec: parseGate("accuracy_retained >= 0.9"), from: "command line" }],
      run: { summary, load: null, caseScores: null },
      baseline: null,
    });
    const [verdict] = report.verdicts;
    expect(verdict!.status).toBe("fail");
    expect(verdict!.value).toBeCloseTo(17 / 47, 9);
    expect(verdict!.weighted).toEqual({ cases: 20, calls: 47 });
    expect(verdict!.message).toContain("(weighted: over the 47 logged calls its 20 cases stand for)");
  });
});
