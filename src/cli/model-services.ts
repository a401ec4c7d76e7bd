/**
 * The composition root of a model: its runner from the registry, plus pricing and energy from the
 * cost and energy modules, as the engine's ModelServices.
 */
import { pricingModelOf, runnerDefinition } from "../../runners/index.ts";
import { parseDuration } from "../core/duration.ts";
import type { ModelConfigBase } from "../core/model-config.ts";
import type { CallRecord } from "../core/records.ts";
import type { priceApiCall } from "../cost/api-price.ts";
import type { TokenCounts } from "../cost/tokens.ts";
import { publishedCallEnergy } from "../energy/published-estimates.ts";
import type { ModelServices } from "../engine/services.ts";
import type { withWorkerCallers } from "../engine/worker-callers.ts";
import { workersUnsupported } from "../engine/worker-support.ts";
import type { ResolvedModel } from "../suite/resolved.ts";

/** Idle-power measurement before a local model's calls, unless the suite says otherwise. */
export const DEFAULT_IDLE_MS = 3000;

const tokensOf = (record: CallRecord): TokenCounts => ({
  input_tokens: record.input_tokens,
  cached_input_tokens: record.cached_input_tokens,
  cache_write_input_tokens: record.cache_write_input_tokens,
  output_tokens: record.output_tokens,
  reasoning_tokens: record.reasoning_tokens,
});

type PriceApiCall = typeof priceApiCall;

/**
 * The engine's `prepareModel` for a suite. The pricing dataset (~20 MB in memory) is loaded only
 * when some model is priced per token.
 */
export async function modelPreparer(
  models: readonly ResolvedModel[],
  workers = 1,
): Promise<(model: ResolvedModel) => ModelServices> {
  const priced = models.some((m) => runnerDefinition(m.config).locality === "api");
  const pricing = priced ? (await import("../cost/api-price.ts")).priceApiCall : undefined;
  checkWorkers(models, workers);
  // The caller threads' module (and `node:worker_threads`) load only for a run that uses them.
  const callers = workers > 1 ? (await import("../engine/worker-callers.ts")).withWorkerCallers : undefined;
  return (model) => prepareModel(model, pricing, callers && { withWorkerCallers: callers, workers });
}

/** Throws a RangeError saying why when `workers` > 1 and a model cannot make its calls in threads. */
export function checkWorkers(models: readonly ResolvedModel[], workers: number): void {
  if (workers <= 1) return;
  for (const model of models) {
    const why = workersUnsupported(model.config as ModelConfigBase & Record<string, unknown>);
    if (why) throw new RangeError(`workers: model ${model.id} cannot make its calls in threads: ${why}`);
  }
}

/**
 * A model's runner and services; `price` is required for API models (see {@link modelPreparer});
 * `threads`: its calls are made in that many caller threads.
 */
export function prepareModel(
  model: ResolvedModel,
  price?: PriceApiCall,
  threads?: { withWorkerCallers: typeof withWorkerCallers; workers: number },
): ModelServices {
  const config = model.config;
  const definition = runnerDefinition(config);
  const runner = definition.create(config);
  const services: ModelServices = {
    runner: threads ? threads.withWorkerCallers(runner, config, threads.workers) : runner,
    locality: definition.locality,
    limits: { rpm: config.rpm, tpm: config.tpm },
  };
  const energy = config.energy;
  if (definition.locality === "local") {
    if (energy?.method !== "none") {
      services.energy = {
        monitor: {
          dcgmUrl: energy?.dcgm_url,
          gpus: energy?.gpus,
          hardware: config.hardware,
          utilisation: energy?.utilisation,
          ...(energy?.method === "modelled" && { sources: [] }),
        },
        idleMs: energy?.idle !== undefined ? parseDuration(energy.idle) : DEFAULT_IDLE_MS,
      };
    }
    return services;
  }
  if (!price) throw new Error(`model ${model.id}: API models need the pricing module (use modelPreparer)`);
  const priceApiCall = price;
  const name = pricingModelOf(config);
  const provider = definition.pricingProvider?.(config);
  services.priceCall = (record) => {
    // The snapshot the API names is the most exact key; fall back to the configured name.
    const snapshot = record.model_snapshot;
    if (snapshot && snapshot !== name) {
      const exact = priceApiCall(
        tokensOf(record),
        { provider, model: snapshot, at: record.started_at },
        config.price,
      );
      if (exact.cost_usd !== null) return exact;
    }
    return priceApiCall(tokensOf(record), { provider, model: name, at: record.started_at }, config.price);
  };
  services.estimateCostUsd = (inputTokens, maxOutputTokens) =>
    priceApiCall(
      {
        input_tokens: inputTokens,
        cached_input_tokens: null,
        cache_write_input_tokens: null,
        output_tokens: maxOutputTokens,
        reasoning_tokens: null,
      },
      { provider, model: name },
      config.price,
    ).cost_usd;
  if (energy?.method !== "none") {
    const own =
      energy?.wh_per_query !== undefined || energy?.wh_per_output_token !== undefined
        ? [{ pattern: "*", proxy: false, estimate: ownEstimate(model.id, energy) }]
        : [];
    services.callEnergy = (record) =>
      publishedCallEnergy(record.model_snapshot ?? name, record.output_tokens, own);
  }
  return services;
}

/** A suite's own per-query or per-token figure as a published-estimate record. */
function ownEstimate(modelId: string, energy: { wh_per_query?: number; wh_per_output_token?: number }) {
  const perToken = energy.wh_per_output_token;
  const wh = perToken ?? energy.wh_per_query!;
  return {
    id: `suite:${modelId}`,
    basis: perToken !== undefined ? ("per_output_token" as const) : ("per_query" as const),
    low_wh: wh,
    central_wh: wh,
    high_wh: wh,
    source: { title: "the suite's energy block", publisher: "suite author", url: "", date: "" },
    boundary: "as stated by the suite author",
    band_basis: "none given",
  };
}
