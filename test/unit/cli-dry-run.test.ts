/**
 * The dry run's judge bound: each judge scorer's questions about each measured output (pairwise
 * twice, warm-ups not judged), the output as long as max_tokens allows, priced by the judge's own
 * services, on its own line and in the total.
 */
import { describe, expect, it } from "vitest";
import { formatPlan, planJudges, planSuite } from "../../src/cli/dry-run.ts";
import { roughTokens } from "../../src/engine/rate-limiter.ts";
import { createScorer } from "../../src/scoring/index.ts";
import { pointwisePrompt } from "../../src/scoring/judge.ts";
import { pairwisePrompt } from "../../src/scoring/judge-pairwise.ts";
import { JUDGE_SYSTEM } from "../../src/scoring/judge-verdict.ts";
import type { ResolvedModel, ResolvedSuite } from "../../src/suite/resolved.ts";
import { tinySuite } from "../helpers/scripted-runner.ts";

const cases = [
  { id: "1", prompt: "What is the capital of France?", expected: "Paris" },
  { id: "2", prompt: "Name a prime number above ten, please.", expected: "11" },
  { id: "3", prompt: "Say anything (no reference here)." },
];
const RUBRIC = "Correct and short.";
const CRITERIA = "Which one is right?";

function judgedSuite(warmup: number, maxTokens = 16, judgeId = "referee"): ResolvedSuite {
  const suite = tinySuite({ cases, warmup });
  suite.tasks[0]!.params.maxTokens = maxTokens;
  suite.judges = [
    suite.models.find((m) => m.id === judgeId) ?? { ...suite.models[0]!, id: judgeId, label: judgeId },
  ];
  const configs = [
    { type: "judge", judge: judgeId, rubric: RUBRIC, max_tokens: 100 },
    { type: "judge_pairwise", judge: judgeId, criteria: CRITERIA },
  ];
  suite.tasks[0]!.scorers = [
    createScorer({ type: "exact" }, { baseDir: "." }),
    ...configs.map((c) => createScorer(c as never, { baseDir: "." })),
  ];
  return suite;
}

// USD per token: input 1 µ$, output 2 µ$.
const price = (input: number, output: number) => input * 1e-6 + output * 2e-6;
const api = () => ({ locality: "api" as const, estimateCostUsd: price });
const tokensOf = (prompt: string) => roughTokens(JUDGE_SYSTEM + prompt);

describe("--dry-run judge bound", () => {
  it("counts every question about every measured output at its longest, and prices it", () => {
    const maxTokens = 16;
    const [judge] = planJudges(judgedSuite(2, maxTokens), api);
    // The output's worst case adds max_tokens to each prompt that shows it (exactly: 4 characters a token).
    const pointwise = cases.map(
      (c) => tokensOf(pointwisePrompt({ rubric: RUBRIC }, { ...c, output: "" })) + maxTokens,
    );
    const withReference = cases.filter((c) => c.expected !== undefined);
    const pairwise = withReference.flatMap((c) => [
      tokensOf(pairwisePrompt(CRITERIA, c.prompt, "", c.expected!)) + maxTokens,
      tokensOf(pairwisePrompt(CRITERIA, c.prompt, c.expected!, "")) + maxTokens,
    ]);
    const input = [...pointwise, ...pairwise].reduce((a, b) => a + b, 0);
    const output = cases.length * 100 + pairwise.length * 512;
    expect(judge).toMatchObject({
      judge: "referee",
      locality: "api",
      calls: cases.length + 2 * withReference.length,
      input_tokens_estimate: input,
      output_tokens_max: output,
    });
    expect(judge!.cost_usd_max).toBeCloseTo(price(input, output), 12);
  });

  it("grows with the model's max_tokens, and leaves warm-up outputs unjudged", () => {
    const [short] = planJudges(judgedSuite(0, 16), api);
    const [long] = planJudges(judgedSuite(3, 1016), api);
    expect(long!.calls).toBe(short!.calls);
    expect(long!.input_tokens_estimate - short!.input_tokens_estimate).toBe(1000 * short!.calls);
  });

  it("a local judge has no API cost; a suite without judges plans none", () => {
    expect(planJudges(judgedSuite(0), () => ({ locality: "local" }))[0]!.cost_usd_max).toBeNull();
    expect(planJudges(tinySuite({ cases }), api)).toEqual([]);
  });

  it("prints each judge on its own line and adds it to the total", () => {
    const suite = judgedSuite(0);
    const models = planSuite(suite, api);
    const judges = planJudges(suite, api);
    const text = formatPlan(models, judges);
    const modelCost = models[0]!.cost_usd_max!;
    const judgeCost = judges[0]!.cost_usd_max!;
    expect(text).toContain(
      `LLM judge referee (evaluation overhead, worst case): ${judges[0]!.calls} calls, input tokens ≈ ` +
        `${judges[0]!.input_tokens_estimate}, output tokens ≤ ${judges[0]!.output_tokens_max}, API cost ≤ $${judgeCost.toFixed(4)}`,
    );
    expect(text).toContain(
      `Estimated API cost at most: $${(modelCost + judgeCost).toFixed(4)} (models $${modelCost.toFixed(4)}, judges $${judgeCost.toFixed(4)})`,
    );
    const unpriced = formatPlan(models, [{ ...judges[0]!, cost_usd_max: null }]);
    expect(unpriced).toContain("API cost ≤ unknown price");
    expect(unpriced).toContain("Estimated API cost at most: unknown");
  });

  it("prices a judge that is also a model under test by that model's services", () => {
    const suite = judgedSuite(0, 16, "m");
    const servicesOf = (m: ResolvedModel) => (m.id === "m" ? api() : { locality: "local" as const });
    const [judge] = planJudges(suite, servicesOf);
    expect(judge).toMatchObject({ judge: "m", locality: "api", calls: 3 + 2 * 2 });
    expect(judge!.cost_usd_max).toBeGreaterThan(0);
  });
});
