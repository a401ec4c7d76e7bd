/**
 * `resolveSuite()`: a validated suite and its loaded datasets → the `ResolvedSuite` the engine
 * runs. One pure pass (no file reads beyond what scorer factories need) applying the read-only
 * built-in defaults; every problem is collected and thrown together as a `SuiteError`.
 */
import { createHash } from "node:crypto";
import { runnerAppliesGrammar, runnerOffersTools } from "../../runners/index.ts";
import { parseDuration } from "../core/duration.ts";
import type { StructuredOutput } from "../core/runner.ts";
import { jsonSchemaProblem } from "../scoring/ajv.ts";
import type { LoadedDataset } from "./dataset.ts";
import { BUILTIN_DEFAULTS, mergeParams, pickGenerationParams, toResolvedParams } from "./defaults.ts";
import { type IssueDraft, positionIssues, SuiteError } from "./errors.ts";
import { renderCases } from "./resolve-cases.ts";
import { DEFAULT_ALPHA, gateIssues, suiteGateUniverse } from "./resolve-gates.ts";
import { resolveJudges } from "./resolve-judges.ts";
import { resolveModels } from "./resolve-models.ts";
import {
  type ListPriceLookupFn,
  resolveSavings,
  savingsScorerIssues,
  type TaskScorerNames,
} from "./resolve-savings.ts";
import { buildScorers } from "./resolve-scorers.ts";
import type { ResolvedParams, ResolvedSuite, ResolvedTask, RetryPolicy } from "./resolved.ts";
import type { SuiteConfig, TaskConfig } from "./schema.ts";
import { resolveTools } from "./tools-config.ts";
import { locatorForText } from "./yaml-positions.ts";

export { describeSuite, type SuiteDescription } from "./describe.ts";

export interface ResolveContext {
  /** Absolute path of the suite file, or "<inline>". */
  sourcePath: string;
  /** Directory relative paths are resolved against (the suite file's). */
  baseDir: string;
  /** The suite text as read: hashed, and parsed again for positions if there are problems. */
  text: string;
  /** The loaded dataset of each task, in task order. */
  datasets: readonly LoadedDataset[];
  /** List prices, needed only by projected savings baselines (the loader passes them then). */
  lookupPrice?: ListPriceLookupFn | undefined;
}

/**
 * Resolves a validated suite. Parameters merge as built-in < `defaults` < top-level `timeout` <
 * task fields; model `params` go to `modelParams` for the engine to merge per call.
 * Throws `SuiteError` listing every problem found.
 */
export function resolveSuite(config: SuiteConfig, context: ResolveContext): ResolvedSuite {
  if (context.datasets.length !== config.tasks.length) {
    throw new Error(`resolveSuite: ${config.tasks.length} tasks but ${context.datasets.length} datasets`);
  }
  const issues: IssueDraft[] = [];
  const { models, issues: modelIssues } = resolveModels(config, context.baseDir);
  const savings = resolveSavings(config.savings, config.models, context.lookupPrice);
  issues.push(...modelIssues, ...duplicateTaskIds(config.tasks), ...savings.issues);

  const suiteParams = toResolvedParams(config.defaults);
  if (config.timeout !== undefined) suiteParams.timeoutMs = parseDuration(config.timeout);
  const tasks = config.tasks.map((task, index) => {
    const resolved = resolveTask(task, index, context.datasets[index]!, suiteParams, context.baseDir);
    issues.push(...resolved.issues);
    return resolved.task;
  });
  const scorerNames = tasks.map((task, index): TaskScorerNames => {
    // The default scorers depend on the rows: unknown when the dataset did not load.
    const known = config.tasks[index]!.scorers !== undefined || !context.datasets[index]!.unavailable;
    return { id: task.id, names: known ? task.scorerConfigs.map((c) => c.name ?? c.type) : undefined };
  });
  const judges = resolveJudges(
    config,
    models,
    tasks.map((task) => task.scorerConfigs),
    context.baseDir,
  );
  issues.push(...judges.issues);
  issues.push(...savingsScorerIssues(config.savings, scorerNames), ...grammarIssues(config));
  issues.push(...toolIssues(config));
  issues.push(...gateIssues(config.gates, suiteGateUniverse(config, scorerNames, savings.savings)));
  if (issues.length > 0) {
    throw new SuiteError(positionIssues(issues, context.sourcePath, locatorForText(context.text)));
  }

  const modelParams: Record<string, Partial<ResolvedParams>> = {};
  for (const model of config.models) modelParams[model.id] = toResolvedParams(model.params);
  const resolved: ResolvedSuite = {
    name: config.name,
    sourcePath: context.sourcePath,
    baseDir: context.baseDir,
    hash: suiteHash(context.text, context.datasets),
    models,
    judges: judges.judges,
    tasks,
    repeats: config.repeats ?? BUILTIN_DEFAULTS.repeats,
    warmup: config.warmup ?? BUILTIN_DEFAULTS.warmup,
    parallelModels: config.parallel_models ?? BUILTIN_DEFAULTS.parallelModels,
    ...(config.workers !== undefined && { workers: config.workers }),
    maxOutputBytes: config.max_output_bytes ?? BUILTIN_DEFAULTS.maxOutputBytes,
    retry: retryPolicy(config),
    modelParams,
    savings: savings.savings,
    gates: config.gates ?? [],
    gateAlpha: config.gate_alpha ?? DEFAULT_ALPHA,
    maxErrorRate: config.max_error_rate ?? null,
  };
  if (config.description !== undefined) resolved.description = config.description;
  if (config.reference === "recorded") resolved.reference = "recorded";
  if (config.load !== undefined) resolved.load = config.load;
  return resolved;
}

function resolveTask(
  task: TaskConfig,
  index: number,
  dataset: LoadedDataset,
  suiteParams: Partial<ResolvedParams>,
  baseDir: string,
): { task: ResolvedTask; issues: IssueDraft[] } {
  const { cases, issues } = renderCases(task, index, dataset);
  let structured: StructuredOutput | undefined;
  if (task.json_schema) {
    const problem = jsonSchemaProblem(task.json_schema);
    if (problem) {
      const message = `invalid JSON Schema: ${problem}`;
      issues.push({ path: ["tasks", index, "json_schema"], at: "value", message, expected: "a JSON Schema" });
    }
    structured = { type: "json_schema", schema: task.json_schema };
  } else if (task.grammar !== undefined) {
    structured = { type: "grammar", grammar: task.grammar };
  }
  const offered = resolveTools(task, index);
  issues.push(...offered.issues);
  const scoring = buildScorers(task, index, cases, baseDir, offered.tools);
  issues.push(...scoring.issues);
  const resolved: ResolvedTask = {
    id: task.id,
    cases,
    scorers: scoring.scorers,
    scorerConfigs: scoring.configs,
    params: mergeParams(suiteParams, toResolvedParams(pickGenerationParams(task))),
  };
  if (task.description !== undefined) resolved.description = task.description;
  if (structured) resolved.structured = structured;
  if (offered.tools) resolved.tools = offered.tools;
  if (offered.toolChoice) resolved.toolChoice = offered.toolChoice;
  return { task: resolved, issues };
}

/**
 * A task's GBNF grammar given to a model whose runner cannot apply one (the hosted APIs): every
 * call would fail, so the suite is refused before any, naming the model and the way out.
 */
function grammarIssues(config: SuiteConfig): IssueDraft[] {
  const unable = config.models.filter((m) => !runnerAppliesGrammar(m.runner) && m.ignore_grammar !== true);
  if (unable.length === 0) return [];
  return config.tasks.flatMap((task, index): IssueDraft[] =>
    task.grammar === undefined
      ? []
      : [
          {
            path: ["tasks", index, "grammar"],
            at: "key",
            message: `a GBNF grammar is llama.cpp-only, and ${unable.map((m) => `model "${m.id}" (runner ${m.runner})`).join(", ")} cannot apply it: set ignore_grammar: true on ${unable.length === 1 ? "that model" : "those models"} (the prompt alone then constrains the answer), or give json_schema in place of grammar`,
          },
        ],
  );
}

/** A task's tools offered to a model whose runner cannot offer them: refused before any call. */
function toolIssues(config: SuiteConfig): IssueDraft[] {
  const unable = config.models.filter((m) => !runnerOffersTools(m.runner));
  if (unable.length === 0) return [];
  const names = unable.map((m) => `model "${m.id}" (runner ${m.runner})`).join(", ");
  return config.tasks.flatMap((task, index): IssueDraft[] =>
    task.tools === undefined || task.tools.length === 0
      ? []
      : [
          {
            path: ["tasks", index, "tools"],
            at: "key",
            message: `${names} cannot offer tools to the model: run this task on a runner that can (llamacpp, openai, anthropic, gemini)`,
          },
        ],
  );
}

function duplicateTaskIds(tasks: readonly TaskConfig[]): IssueDraft[] {
  const first = new Map<string, number>();
  const issues: IssueDraft[] = [];
  for (const [index, task] of tasks.entries()) {
    const earlier = first.get(task.id);
    if (earlier === undefined) {
      first.set(task.id, index);
      continue;
    }
    const message = `duplicate task id "${task.id}" (also tasks[${earlier}])`;
    issues.push({ path: ["tasks", index, "id"], at: "value", message, expected: "a task id used once" });
  }
  return issues;
}

function retryPolicy(config: SuiteConfig): RetryPolicy {
  const defaults = BUILTIN_DEFAULTS.retry;
  const retry = config.retry ?? {};
  return {
    attempts: retry.attempts ?? defaults.attempts,
    backoffMs: retry.backoff !== undefined ? parseDuration(retry.backoff) : defaults.backoffMs,
    maxBackoffMs: retry.max_backoff !== undefined ? parseDuration(retry.max_backoff) : defaults.maxBackoffMs,
  };
}

/** sha256 (hex) of the suite text, then the sha256 (hex) of each dataset file, in task order. */
export function suiteHash(text: string, datasets: readonly LoadedDataset[]): string {
  const hash = createHash("sha256").update(text);
  for (const dataset of datasets) if (dataset.sha256) hash.update(dataset.sha256);
  return hash.digest("hex");
}
