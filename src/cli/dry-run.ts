/**
 * `opbench run --dry-run`: the plan and its price before any call. Tokens are estimated (~4
 * characters per token for prompts; max_tokens as the output bound), so the cost is an upper
 * bound for the output side and a rough figure for the input side.
 */
import Table from "cli-table3";
import { callParams } from "../engine/attempt.ts";
import { planModel } from "../engine/plan.ts";
import { roughTokens } from "../engine/rate-limiter.ts";
import type { ModelServices } from "../engine/services.ts";
import type { Shard } from "../engine/shard.ts";
import type { ResolvedModel, ResolvedSuite } from "../suite/resolved.ts";

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
  servicesOf: (model: ResolvedModel) => Pick<ModelServices, "locality" | "estimateCostUsd">,
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

/** The plan as a table. */
export function formatPlan(plans: ModelPlan[]): string {
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
          : `$${p.cost_usd_max.toFixed(4)}`;
    table.push([
      p.model,
      p.locality,
      `${p.calls} (+${p.warmup_calls})`,
      p.input_tokens_estimate,
      p.output_tokens_max,
      cost,
    ]);
  }
  const total = plans.reduce<number | null>(
    (sum, p) =>
      p.locality === "api" ? (sum === null || p.cost_usd_max === null ? null : sum + p.cost_usd_max) : sum,
    0,
  );
  return `${table.toString()}\nEstimated API cost at most: ${total === null ? "unknown (a model has no price: set its price block)" : `$${total.toFixed(4)}`}. No call was made.`;
}
