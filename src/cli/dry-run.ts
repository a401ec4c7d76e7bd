/**
 * `opbench run --dry-run`: the plan and its price before any call. Tokens are estimated (~4
 * characters per token for prompts; max_tokens as the output bound), so the cost is an upper
 * bound for the output side and a rough figure for the input side. LLM judges are priced at
 * their worst case: every measured output judged, each as long as its max_tokens allows.
 */
import Table from "cli-table3";
import { callParams, scoreInput } from "../engine/attempt.ts";
import { planModel } from "../engine/plan.ts";
import { roughTokens } from "../engine/rate-limiter.ts";
import type { ModelServices } from "../engine/services.ts";
import type { Shard } from "../engine/shard.ts";
import type { ResolvedModel, ResolvedSuite } from "../suite/resolved.ts";

type PlanServices = Pick<ModelServices, "locality" | "estimateCostUsd">;

export interface ModelPlan {
  model: string;
  locality: "local" | "api";
  calls: number;
  warmup_calls: number;
  input_tokens_estimate: number;
  output_tokens_max: number;
  /** Upper-bound API cost in USD; null for local models or unknown prices. */
  cost_usd_max: number | null;
}

/** The plan of every model (warm-up calls included in tokens and cost: they are paid for too). */
export function planSuite(
  suite: ResolvedSuite,
  servicesOf: (model: ResolvedModel) => PlanServices,
  shard?: Shard,
): ModelPlan[] {
  return suite.models.map((model) => {
    const services = servicesOf(model);
    let input = 0;
    let output = 0;
    let cost: number | null = services.locality === "api" ? 0 : null;
    let calls = 0;
    let warmup = 0;
    for (const item of planModel(suite, model, undefined, shard)) {
      if (item.warmup) warmup++;
      else calls++;
      const params = callParams(item, suite.modelParams[model.id]);
      const tokens = roughTokens((item.case.system ?? "") + item.case.prompt);
      input += tokens;
      output += params.maxTokens;
      if (cost !== null) {
        const estimate = services.estimateCostUsd?.(tokens, params.maxTokens) ?? null;
        cost = estimate === null ? null : cost + estimate;
      }
    }
    return {
      model: model.id,
      locality: services.locality,
      calls,
      warmup_calls: warmup,
      input_tokens_estimate: input,
      output_tokens_max: output,
      cost_usd_max: cost,
    };
  });
}

/** A judge's worst-case share of the plan: evaluation overhead, apart from the models'. */
export interface JudgePlan {
  judge: string;
  locality: "local" | "api";
  /** Judge calls at most: each question of each judge scorer about each measured output. */
  calls: number;
  input_tokens_estimate: number;
  output_tokens_max: number;
  /** Upper-bound API cost in USD; null for local judges or unknown prices. */
  cost_usd_max: number | null;
}

/**
 * Every judge's worst case: each judge scorer's questions (`Scorer.judgeRequests`: pairwise asks
 * twice) about each measured call's output (warm-up outputs are not judged), the output taken as
 * long as the call's max_tokens allows, estimated as the models' prompts are; the verdict at the
 * scorer's max_tokens.
 */
export function planJudges(
  suite: ResolvedSuite,
  servicesOf: (model: ResolvedModel) => PlanServices,
  shard?: Shard,
): JudgePlan[] {
  const plans = new Map<string, JudgePlan>();
  for (const judge of suite.judges ?? []) {
    const locality = servicesOf(judge).locality;
    plans.set(judge.id, {
      judge: judge.id,
      locality,
      calls: 0,
      input_tokens_estimate: 0,
      output_tokens_max: 0,
      cost_usd_max: locality === "api" ? 0 : null,
    });
  }
  if (plans.size === 0) return [];
  const services = new Map((suite.judges ?? []).map((judge) => [judge.id, servicesOf(judge)]));
  const longest = longestOutputs();
  for (const model of suite.models) {
    for (const item of planModel(suite, model, undefined, shard)) {
      const judged = item.task.scorers.filter((s) => s.judge !== undefined && s.judgeRequests);
      if (item.warmup || judged.length === 0) continue;
      const input = scoreInput(item.case, longest(callParams(item, suite.modelParams[model.id]).maxTokens));
      for (const scorer of judged) {
        const plan = plans.get(scorer.judge!);
        if (!plan) continue;
        for (const request of scorer.judgeRequests!(input)) {
          const tokens = roughTokens((request.system ?? "") + request.prompt);
          plan.calls++;
          plan.input_tokens_estimate += tokens;
          plan.output_tokens_max += request.maxTokens;
          if (plan.cost_usd_max !== null) {
            const estimate = services.get(plan.judge)?.estimateCostUsd?.(tokens, request.maxTokens) ?? null;
            plan.cost_usd_max = estimate === null ? null : plan.cost_usd_max + estimate;
          }
        }
      }
    }
  }
  return [...plans.values()];
}

/** An output of `maxTokens` tokens as the dry run counts them (4 characters each), made once per length. */
function longestOutputs(): (maxTokens: number) => string {
  const made = new Map<number, string>();
  return (maxTokens) => {
    let text = made.get(maxTokens);
    if (text === undefined) {
      text = "x".repeat(maxTokens * 4);
      made.set(maxTokens, text);
    }
    return text;
  };
}

const usd = (value: number) => `$${value.toFixed(4)}`;

/** Summed API cost bound of plans; null when one priced plan has an unknown price. */
function apiTotal(plans: readonly { locality: "local" | "api"; cost_usd_max: number | null }[]) {
  return plans.reduce<number | null>(
    (sum, p) =>
      p.locality === "api" ? (sum === null || p.cost_usd_max === null ? null : sum + p.cost_usd_max) : sum,
    0,
  );
}

/** The plan as a table, a line per judge, and the total cost bound. */
export function formatPlan(plans: ModelPlan[], judges: readonly JudgePlan[] = []): string {
  const table = new Table({
    head: ["model", "where", "calls (+warm-up)", "input tokens ≈", "output tokens ≤", "API cost ≤"],
    style: { head: ["cyan"], border: [] },
  });
  for (const p of plans) {
    const cost =
      p.locality === "local"
        ? "local (measured)"
        : p.cost_usd_max === null
          ? "unknown price"
          : usd(p.cost_usd_max);
    table.push([
      p.model,
      p.locality,
      `${p.calls} (+${p.warmup_calls})`,
      p.input_tokens_estimate,
      p.output_tokens_max,
      cost,
    ]);
  }
  const lines = [table.toString()];
  for (const j of judges) {
    const cost =
      j.locality === "local" ? "local" : j.cost_usd_max === null ? "unknown price" : usd(j.cost_usd_max);
    lines.push(
      `LLM judge ${j.judge} (evaluation overhead, worst case): ${j.calls} calls, input tokens ≈ ` +
        `${j.input_tokens_estimate}, output tokens ≤ ${j.output_tokens_max}, API cost ≤ ${cost}`,
    );
  }
  const models = apiTotal(plans);
  const judged = apiTotal(judges);
  const total = models === null || judged === null ? null : models + judged;
  const parts =
    judges.length > 0 && total !== null ? ` (models ${usd(models!)}, judges ${usd(judged!)})` : "";
  lines.push(
    `Estimated API cost at most: ${total === null ? "unknown (a model or judge has no price: set its price block)" : `${usd(total)}${parts}`}. No call was made.`,
  );
  return lines.join("\n");
}
