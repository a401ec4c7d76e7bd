/** A task's scorers: shorthand normalised, defaults chosen, configs checked, then built. */
import type { ToolDefinition } from "../core/runner.ts";
import type { Scorer, ScorerContext } from "../core/scorer.ts";
import { createScorer, defaultScorerConfigs, scorerDefinition } from "../scoring/index.ts";
import { type CaseList, someExpected } from "./case-list.ts";
import type { IssueDraft } from "./errors.ts";
import type { ScorerConfig, TaskConfig } from "./schema.ts";
import type { PathSegment } from "./yaml-positions.ts";

/**
 * The scorers of the task at `taskIndex`. Without a `scorers` list, the registry's defaults
 * (see `defaultScorerConfigs`).
 */
export function buildScorers(
  task: TaskConfig,
  taskIndex: number,
  cases: CaseList,
  baseDir: string,
  tools?: readonly ToolDefinition[],
): { scorers: Scorer[]; configs: ScorerConfig[]; issues: IssueDraft[] } {
  const configs = scorerConfigs(task, cases);
  const context: ScorerContext = { baseDir };
  if (task.json_schema) context.taskJsonSchema = task.json_schema;
  if (tools) context.taskTools = tools;
  const scorers: Scorer[] = [];
  const issues: IssueDraft[] = [];
  const names = new Map<string, number>();
  const paths = new Map<Scorer, PathSegment[]>();
  for (const [index, config] of configs.entries()) {
    const path: PathSegment[] = task.scorers ? ["tasks", taskIndex, "scorers", index] : ["tasks", taskIndex];
    const problems = checkScorerConfig(config, context, path);
    if (problems.length > 0) {
      issues.push(...problems);
      continue;
    }
    let scorer: Scorer;
    try {
      scorer = createScorer(config, context);
    } catch (error) {
      issues.push({
        path,
        at: "value",
        message: `cannot build the ${config.type} scorer: ${(error as Error).message}`,
      });
      continue;
    }
    const earlier = names.get(scorer.name);
    if (earlier !== undefined) {
      const message = `two scorers are named "${scorer.name}" (also scorers[${earlier}]): give one a \`name\``;
      issues.push({ path, at: "value", message, expected: "scorer names unique within the task" });
    }
    names.set(scorer.name, index);
    scorers.push(scorer);
    paths.set(scorer, path);
  }
  issues.push(...combinationIssues(scorers, paths));
  return { scorers, configs, issues };
}

/** A scorer that combines others must name scorers of the task that combine none themselves. */
function combinationIssues(
  scorers: readonly Scorer[],
  paths: ReadonlyMap<Scorer, PathSegment[]>,
): IssueDraft[] {
  const plain = scorers.filter((scorer) => !scorer.combines).map((scorer) => scorer.name);
  const expected = `the name of another scorer of this task${plain.length > 0 ? ` (${plain.join(", ")})` : ""}`;
  return scorers.flatMap((scorer) =>
    (scorer.combines ?? [])
      .filter((name) => !plain.includes(name))
      .map((name) => ({
        path: [...paths.get(scorer)!, "weights", name],
        at: "key" as const,
        message: `"${name}" is not a scorer of this task that ${scorer.name} can combine`,
        expected,
      })),
  );
}

/** Scorer configs as written (shorthand strings become `{type}`), or the defaults. */
export function scorerConfigs(task: TaskConfig, cases: CaseList): ScorerConfig[] {
  if (task.scorers) {
    return task.scorers.map((entry) =>
      typeof entry === "string" ? ({ type: entry } as ScorerConfig) : entry,
    );
  }
  return defaultScorerConfigs({
    hasExpected: someExpected(cases),
    hasJsonSchema: !!task.json_schema,
    hasTools: (task.tools?.length ?? 0) > 0,
  });
}

/** Problems worth a precise position, found by the scorer's own check before its factory runs. */
function checkScorerConfig(config: ScorerConfig, context: ScorerContext, path: PathSegment[]): IssueDraft[] {
  const problems = scorerDefinition(config.type)?.check?.(config, context) ?? [];
  return problems.map(({ field, message, expected }) => ({
    path: field === undefined ? path : [...path, field],
    at: "value",
    message,
    expected,
  }));
}
