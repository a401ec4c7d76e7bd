import { describe, expect, it } from "vitest";
import type { CaseScore } from "../../src/stats/accuracy.ts";
import { averageRepeats, estimateAccuracy } from "../../src/stats/accuracy.ts";
import { zCritical } from "../../src/stats/critical.ts";
import { prefersWilson, waldInterval, wilsonInterval } from "../../src/stats/proportion.ts";
import type { NonEmpty } from "../../src/stats/samples.ts";
import { clusteredStandardError, meanStandardError } from "../../src/stats/standard-error.ts";

/** Cases with 0/1 scores: `correct` ones then the rest wrong. */
function binaryCases(correct: number, total: number): NonEmpty<CaseScore> {
  return Array.from({ length: total }, (_, i) => ({
    caseId: `c${i}`,
    score: i < correct ? 1 : 0,
    repeats: 1,
  })) as unknown as NonEmpty<CaseScore>;
}

describe("zCritical", () => {
  it("is 1.959964 at 95 % (scipy.stats.norm.ppf(0.975))", () => {
    expect(zCritical(0.95)).toBeCloseTo(1.959963984540054, 9);
    expect(() => zCritical(1)).toThrow(/confidence must be in \(0, 1\)/);
  });
});

describe("wilsonInterval", () => {
  // Newcombe (1998), Stat Med 17:857, Table I, method 3 (score interval without continuity
  // correction), published to 4 decimals; cross-checked with scipy binomtest(...).proportion_ci("wilson").
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])("%i/%i → %f..%f (Newcombe 1998)", (k, n, lower, upper) => {
    const interval = wilsonInterval(k, n);
    expect(interval.lower).toBeCloseTo(lower, 4);
    expect(interval.upper).toBeCloseTo(upper, 4);
  });

  it("handles n = 1 and all correct (scipy values)", () => {
    expect(wilsonInterval(1, 1).lower).toBeCloseTo(0.20654931437723745, 10);
    expect(wilsonInterval(1, 1).upper).toBe(1);
    expect(wilsonInterval(0, 1).upper).toBeCloseTo(0.7934506856227626, 10);
    expect(wilsonInterval(29, 29).lower).toBeCloseTo(0.8830302015002592, 10);
  });

  it("rejects impossible counts", () => {
    expect(() => wilsonInterval(0, 0)).toThrow(/trials must be an integer ≥ 1/);
    expect(() => wilsonInterval(5, 4)).toThrow(/successes must be an integer in \[0, 4\]/);
    expect(() => wilsonInterval(1.5, 4)).toThrow(/successes/);
  });
});

describe("waldInterval and the Wilson rule", () => {
  it("30/40 → 0.75 ± 1.96·0.0685 (numpy)", () => {
    const interval = waldInterval(30, 40);
    expect(interval.lower).toBeCloseTo(0.6158104392212133, 10);
    expect(interval.upper).toBeCloseTo(0.8841895607787867, 10);
  });

  it("prefers Wilson for n < 30 or fewer than 5 successes or failures", () => {
    expect(prefersWilson(15, 29)).toBe(true);
    expect(prefersWilson(4, 100)).toBe(true);
    expect(prefersWilson(96, 100)).toBe(true);
    expect(prefersWilson(5, 30)).toBe(false);
    expect(prefersWilson(50, 100)).toBe(false);
  });
});

describe("averageRepeats", () => {
  it("averages per case, keeps first-seen order and the cluster", () => {
    const cases = averageRepeats([
      { caseId: "b", score: 1, cluster: "doc1" },
      { caseId: "a", score: 0 },
      { caseId: "b", score: 0, cluster: "doc1" },
      { caseId: "a", score: 1 },
      { caseId: "b", score: 1, cluster: "doc1" },
    ]);
    expect(cases).toHaveLength(2);
    expect(cases[0]).toEqual({ caseId: "b", score: 2 / 3, repeats: 3, cluster: "doc1" });
    expect(cases[1]).toEqual({ caseId: "a", score: 0.5, repeats: 2 });
  });

  it("rejects scores outside [0, 1] and inconsistent clusters", () => {
    expect(() => averageRepeats([{ caseId: "x", score: 2 }])).toThrow(/case x: score must be in \[0, 1\]/);
    expect(() => averageRepeats([{ caseId: "x", score: Number.NaN }])).toThrow(/\[0, 1\]/);
    expect(() =>
      averageRepeats([
        { caseId: "x", score: 1, cluster: "p" },
        { caseId: "x", score: 1, cluster: "q" },
      ]),
    ).toThrow(/disagree on the cluster/);
  });

  it("returns nothing for no observations", () => {
    expect(averageRepeats([])).toEqual([]);
  });
});

describe("estimateAccuracy", () => {
  it("uses Wilson for small n", () => {
    const estimate = estimateAccuracy(binaryCases(1, 29));
    expect(estimate.method).toBe("wilson");
    expect(estimate.binary).toBe(true);
    expect(estimate.mean).toBeCloseTo(1 / 29, 12);
    expect(estimate.lower).toBeCloseTo(0.006113214292762667, 10);
    expect(estimate.upper).toBeCloseTo(0.17175521879320282, 10);
  });

  it("uses Wald for 30/40", () => {
    const estimate = estimateAccuracy(binaryCases(30, 40));
    expect(estimate.method).toBe("wald");
    expect(estimate.se).toBeCloseTo(0.06846531968814576, 12);
    expect(estimate.lower).toBeCloseTo(0.6158104392212133, 10);
  });

  it("handles n = 1, all correct and all wrong", () => {
    const one = estimateAccuracy([{ caseId: "only", score: 1, repeats: 1 }]);
    expect(one).toMatchObject({ n: 1, mean: 1, method: "wilson", upper: 1 });
    expect(one.lower).toBeCloseTo(0.20654931437723745, 10);
    const allRight = estimateAccuracy(binaryCases(200, 200));
    expect(allRight).toMatchObject({ mean: 1, se: 0, method: "wilson", upper: 1 });
    expect(allRight.lower!).toBeGreaterThan(0.98);
    const allWrong = estimateAccuracy(binaryCases(0, 200));
    expect(allWrong).toMatchObject({ mean: 0, method: "wilson", lower: 0 });
    expect(allWrong.upper!).toBeGreaterThan(0);
  });

  it("uses the sample SD for partial-credit scores (scipy.stats.sem)", () => {
    const scores = [0.5, 1, 0.25, 0.75, 1, 0];
    const cases = scores.map((score, i) => ({
      caseId: `${i}`,
      score,
      repeats: 1,
    })) as unknown as NonEmpty<CaseScore>;
    const estimate = estimateAccuracy(cases);
    expect(estimate.method).toBe("mean-se");
    expect(estimate.binary).toBe(false);
    expect(estimate.se).toBeCloseTo(0.16666666666666669, 12);
    expect(estimate.lower).toBeCloseTo(0.2566726692433243, 10);
    expect(estimate.upper).toBeCloseTo(0.9099939974233424, 10);
  });

  it("has no interval for one partial-credit case", () => {
    const estimate = estimateAccuracy([{ caseId: "a", score: 0.5, repeats: 2 }]);
    expect(estimate).toMatchObject({ mean: 0.5, se: null, lower: null, upper: null, method: "mean-se" });
  });

  it("uses clustered SE when cases carry a cluster key", () => {
    // Reference: numpy OLS sandwich (X = 1) with Stata's CR1 factor G/(G−1)·(N−1)/(N−K).
    const scores = [1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 0.5];
    const clusters = ["a", "a", "a", "b", "b", "c", "c", "c", "c", "d", "e", "e"];
    const cases = scores.map((score, i) => ({
      caseId: `q${i}`,
      score,
      repeats: 1,
      cluster: clusters[i],
    })) as unknown as NonEmpty<CaseScore>;
    const estimate = estimateAccuracy(cases);
    expect(estimate.method).toBe("clustered");
    expect(estimate.clusters).toBe(5);
    expect(estimate.mean).toBeCloseTo(0.625, 12);
    expect(estimate.se).toBeCloseTo(0.08235098073355153, 12);
    expect(estimate.lower).toBeCloseTo(0.46359504367068716, 10);
    expect(estimate.upper).toBeCloseTo(0.7864049563293128, 10);
  });

  it("gives a clustered estimate whose scores are all 0 (or all 1) Wilson's interval over its clusters, not a point", () => {
    const clusters = ["a", "a", "b", "c", "c", "c", "d"];
    const cases = (score: number) =>
      clusters.map((cluster, i) => ({
        caseId: `q${i}`,
        score,
        repeats: 1,
        cluster,
      })) as unknown as NonEmpty<CaseScore>;
    const wrong = estimateAccuracy(cases(0));
    expect(wrong).toMatchObject({ method: "clustered", se: 0, mean: 0, clusters: 4 });
    expect(wrong.upper).toBeCloseTo(wilsonInterval(0, 4).upper, 12);
    expect(wrong.upper).toBeGreaterThan(0.4);
    const right = estimateAccuracy(cases(1));
    expect(right.lower).toBeCloseTo(wilsonInterval(4, 4).lower, 12);
    expect(right.upper).toBe(1);
  });

  it("gives no clustered interval with a single cluster", () => {
    const cases = binaryCases(3, 6).map((c) => ({ ...c, cluster: "same" })) as unknown as NonEmpty<CaseScore>;
    expect(estimateAccuracy(cases)).toMatchObject({
      method: "clustered",
      se: null,
      lower: null,
      clusters: null,
    });
  });

  it("rejects out-of-range scores", () => {
    expect(() => estimateAccuracy([{ caseId: "z", score: -0.1, repeats: 1 }])).toThrow(/case z: score/);
  });
});

describe("standard errors", () => {
  it("meanStandardError is null for one value", () => {
    expect(meanStandardError([3])).toBeNull();
    expect(meanStandardError([1, 3])).toBeCloseTo(1, 12);
  });

  it("clustered SE equals the CR1 form of the iid SE when every case is its own cluster", () => {
    // With singleton clusters CR1 = sqrt(n/(n−1) · Σe²/n²) = s/√n.
    const values = [0.2, 0.9, 0.4, 0.4, 1, 0] as const;
    const robust = clusteredStandardError(values, ["1", "2", "3", "4", "5", "6"]);
    expect(robust!.se).toBeCloseTo(meanStandardError(values)!, 12);
    expect(robust!.clusters).toBe(6);
  });

  it("rejects mismatched cluster keys", () => {
    expect(() => clusteredStandardError([1, 2], ["a"])).toThrow(/2 values but 1 cluster keys/);
  });
});

describe("estimateFromMoments (one pass, memory independent of the case count)", () => {
  it("gives the same estimate as the per-case computation, clustered or not", async () => {
    const { estimateAccuracy, estimateFromMoments } = await import("../../src/stats/accuracy.ts");
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (const withClusters of [false, true]) {
      for (const binary of [true, false]) {
        const cases = Array.from({ length: 57 }, (_, i) => {
          const score = binary ? (random() < 0.7 ? 1 : 0) : Math.round(random() * 4) / 4;
          const cluster = withClusters && i % 5 !== 0 ? `c${i % 7}` : undefined;
          return { caseId: String(i), score, repeats: 1, ...(cluster !== undefined && { cluster }) };
        });
        const clusters = new Map<string, { n: number; sum: number }>();
        const single = { n: 0, sum: 0, sumSquares: 0 };
        for (const c of cases) {
          if (c.cluster === undefined) {
            single.n++;
            single.sum += c.score;
            single.sumSquares += c.score ** 2;
          } else {
            const e = clusters.get(c.cluster) ?? { n: 0, sum: 0 };
            e.n++;
            e.sum += c.score;
            clusters.set(c.cluster, e);
          }
        }
        const moments = {
          n: cases.length,
          sum: cases.reduce((a, c) => a + c.score, 0),
          sumSquares: cases.reduce((a, c) => a + c.score ** 2, 0),
          nonBinary: cases.filter((c) => c.score !== 0 && c.score !== 1).length,
          clusters: withClusters ? clusters : new Map(),
          single,
        };
        const fromCases = estimateAccuracy(cases as never);
        const fromMoments = estimateFromMoments(moments);
        expect(fromMoments.method).toBe(fromCases.method);
        expect(fromMoments.clusters).toBe(fromCases.clusters);
        expect(fromMoments.mean).toBeCloseTo(fromCases.mean, 12);
        expect(fromMoments.se!).toBeCloseTo(fromCases.se!, 12);
        expect(fromMoments.lower!).toBeCloseTo(fromCases.lower!, 12);
        expect(fromMoments.upper!).toBeCloseTo(fromCases.upper!, 12);
      }
    }
  });
});
