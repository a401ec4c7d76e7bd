/**
 * `opbench run --skip-missing-keys`: a model whose API key variable is unset is skipped instead of
 * refusing the whole run (what a CI job without secrets, or a first try with a local model only,
 * needs). Never silent: each skip is a line on stderr, and the model's `model_start` event carries
 * the error "skipped: …" (see `MODEL_SKIPPED` in src/core/records.ts), so `summary.json`
 * (`models[].error`), the table, `report.md` and `report.html` show it, naming the savings pairs
 * that could not be compared without it.
 */
import { secretEnvOf } from "../../runners/index.ts";
import { MODEL_SKIPPED } from "../core/records.ts";
import type { Runner } from "../core/runner.ts";
import type { ModelServices } from "../engine/services.ts";
import type { ResolvedModel, ResolvedSuite } from "../suite/resolved.ts";

/**
 * Each model to skip (its id → the reason its `model_start` records): those with an API key
 * variable that is unset or empty in `env`.
 */
export function modelsToSkip(
  suite: ResolvedSuite,
  env: NodeJS.ProcessEnv = process.env,
): Map<string, string> {
  const skips = new Map<string, string>();
  for (const model of suite.models) {
    const unset = secretEnvOf(model.config).filter((name) => !env[name]);
    if (unset.length === 0) continue;
    const names = unset.join(", ");
    const pairs = suite.savings
      .filter((p) => !p.projected && (p.baseline === model.id || p.candidate === model.id))
      .map((p) => `${p.candidate} vs ${p.baseline}`);
    const savings = pairs.length > 0 ? `; savings not compared: ${pairs.join(", ")}` : "";
    skips.set(
      model.id,
      `${MODEL_SKIPPED}${names} ${unset.length > 1 ? "are" : "is"} not set (--skip-missing-keys)${savings}`,
    );
  }
  return skips;
}

/**
 * Each judge to skip (its id → the reason its `judge_start` records): those with an API key
 * variable unset or empty in `env`. Their scorers are not run; the reason names them.
 */
export function judgesToSkip(
  suite: ResolvedSuite,
  env: NodeJS.ProcessEnv = process.env,
): Map<string, string> {
  const skips = new Map<string, string>();
  for (const judge of suite.judges ?? []) {
    const unset = secretEnvOf(judge.config).filter((name) => !env[name]);
    if (unset.length === 0) continue;
    const scorers = suite.tasks.flatMap((task) =>
      task.scorers.filter((s) => s.judge === judge.id).map((s) => `${task.id}: ${s.name}`),
    );
    skips.set(
      judge.id,
      `${MODEL_SKIPPED}${unset.join(", ")} ${unset.length > 1 ? "are" : "is"} not set (--skip-missing-keys); ` +
        `scorers not run: ${scorers.join(", ")}`,
    );
  }
  return skips;
}

/**
 * The lines that announce the skips on stderr, or, when every model would be skipped, an error
 * message instead (nothing would run: that is a missing key, exit 2, as without the flag).
 */
export function announceSkips(
  suite: ResolvedSuite,
  skips: ReadonlyMap<string, string>,
): { lines: string[] } | { error: string } {
  if (skips.size > 0 && skips.size === suite.models.length) {
    return {
      error:
        "--skip-missing-keys would skip every model of the suite; no call was made. Set the keys: " +
        [...skips.entries()].map(([id, reason]) => `${id}: ${reason.slice(MODEL_SKIPPED.length)}`).join("; "),
    };
  }
  return { lines: [...skips.entries()].map(([id, reason]) => `opbench: model ${id} ${reason}`) };
}

/** A runner that does not start: the engine records its reason in `model_start` and makes no call. */
function skippedRunner(reason: string): Runner {
  return {
    startup: () => Promise.reject(new Error(reason)),
    generate: () => {
      throw new Error(reason);
    },
  };
}

/** `prepare` with the skipped models' runners replaced (nothing of theirs is built). */
export function skippingPreparer(
  prepare: (model: ResolvedModel) => ModelServices,
  skips: ReadonlyMap<string, string>,
): (model: ResolvedModel) => ModelServices {
  if (skips.size === 0) return prepare;
  return (model) => {
    const reason = skips.get(model.id);
    return reason === undefined ? prepare(model) : { runner: skippedRunner(reason), locality: "api" };
  };
}
