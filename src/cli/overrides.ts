/** Command-line overrides of a resolved suite (`--model`, `--concurrency`, `--limit` …). */
import { modelFromFlagValue } from "../../runners/index.ts";
import { maskUrl, URL_MASK } from "../core/url.ts";
import type { ResolvedModel, ResolvedSuite } from "../suite/resolved.ts";
import type { ModelConfig } from "../suite/schema.ts";

export interface SuiteOverrides {
  model?: string | undefined;
  concurrency?: number | undefined;
  repeats?: number | undefined;
  limit?: number | undefined;
  warmup?: number | undefined;
  workers?: number | undefined;
}

/** Keeps only the overrides that were given (for the run log, and to re-apply on --resume). */
export function givenOverrides(args: SuiteOverrides): SuiteOverrides {
  const out: SuiteOverrides = {};
  for (const key of ["model", "concurrency", "repeats", "limit", "warmup", "workers"] as const) {
    if (args[key] !== undefined) Object.assign(out, { [key]: args[key] });
  }
  return out;
}

/**
 * The overrides a resumed run applies: those it started with unless new ones are given. A
 * `--model` URL with credentials was recorded masked, so it must be given again (the same URL,
 * credentials included): it then takes the place of the recorded one, the rest still applies.
 * Throws an Error saying so when it is missing or differs.
 */
export function resumedOverrides(recorded: SuiteOverrides, given: SuiteOverrides): SuiteOverrides {
  const maskedModel = recorded.model?.includes(URL_MASK) === true;
  const onlyModelGiven = Object.keys(given).length === 1 && given.model !== undefined;
  if (maskedModel && onlyModelGiven && maskUrl(given.model!) === recorded.model) {
    return { ...recorded, model: given.model };
  }
  if (Object.keys(given).length > 0) return given;
  if (maskedModel) {
    throw new Error(
      `this run was started with --model ${recorded.model}, whose credentials are not recorded: ` +
        "resume with the same --model URL again",
    );
  }
  return recorded;
}

/**
 * `--model`: the model of the first registered runner that takes the value (built in: a URL
 * attaches to a running llama-server; anything else is a GGUF file run in-process, relative to
 * the working directory, not the suite).
 * @throws Error when no runner takes the value
 */
export function modelFromFlag(value: string, concurrency: number): ResolvedModel {
  const model = modelFromFlagValue(value);
  if (!model) throw new Error(`--model ${maskUrl(value)}: no runner takes this value`);
  // A readable id for the table and records: the runner's name for it, made a valid model id.
  const id = model.name.replace(/[^A-Za-z0-9._:@/-]/g, "-").replace(/^[^A-Za-z0-9]+/, "") || "model";
  const config = { id, ...model.config } as ModelConfig;
  return { id, label: model.label, runner: config.runner, config, concurrency };
}

function positive(name: string, value: number | undefined, allowZero = false): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new RangeError(
      `--${name} must be a ${allowZero ? "non-negative" : "positive"} integer, got ${value}`,
    );
  }
  return value;
}

/** A copy of `suite` with the given overrides applied. Throws RangeError on bad numbers. */
export function applyOverrides(suite: ResolvedSuite, args: SuiteOverrides): ResolvedSuite {
  const concurrency = positive("concurrency", args.concurrency);
  const repeats = positive("repeats", args.repeats);
  const limit = positive("limit", args.limit);
  const warmup = positive("warmup", args.warmup, true);
  const workers = positive("workers", args.workers);
  let models = suite.models;
  if (args.model !== undefined) {
    models = [modelFromFlag(args.model, concurrency ?? suite.models[0]?.concurrency ?? 1)];
  } else if (concurrency !== undefined) {
    models = models.map((m) => ({ ...m, concurrency }));
  }
  return {
    ...suite,
    models,
    repeats: repeats ?? suite.repeats,
    warmup: warmup ?? suite.warmup,
    ...(workers !== undefined && { workers }),
    tasks:
      limit === undefined ? suite.tasks : suite.tasks.map((t) => ({ ...t, cases: t.cases.slice(0, limit) })),
    modelParams: args.model !== undefined ? {} : suite.modelParams,
    savings: args.model !== undefined ? [] : suite.savings,
  };
}
