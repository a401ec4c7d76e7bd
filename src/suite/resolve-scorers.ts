/** A task's scorers: shorthand normalised, defaults chosen, configs checked, then built. */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { Scorer, ScorerContext } from "../core/scorer.ts";
import { createScorer } from "../scoring/index.ts";
import { type CaseList, someExpected } from "./case-list.ts";
import type { IssueDraft } from "./errors.ts";
import { jsonSchemaProblem } from "./json-schema-check.ts";
import type { ScorerConfig, TaskConfig } from "./schema.ts";
import type { PathSegment } from "./yaml-positions.ts";

/**
 * The scorers of the task at `taskIndex`. Without a `scorers` list: `exact` when the cases have
 * expected answers, else `json_valid` when the task has a `json_schema`, else none.
 */
export function buildScorers(
  task: TaskConfig,
  taskIndex: number,
  cases: CaseList,
  baseDir: string,
): { scorers: Scorer[]; configs: ScorerConfig[]; issues: IssueDraft[] } {
  const configs = scorerConfigs(task, cases);
  const context: ScorerContext = { baseDir };
  if (task.json_schema) context.taskJsonSchema = task.json_schema;
  const scorers: Scorer[] = [];
  const issues: IssueDraft[] = [];
  const names = new Map<string, number>();
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
  }
  return { scorers, configs, issues };
}

/** Scorer configs as written (shorthand strings become `{type}`), or the defaults. */
export function scorerConfigs(task: TaskConfig, cases: CaseList): ScorerConfig[] {
  if (task.scorers) {
    return task.scorers.map((entry) =>
      typeof entry === "string" ? ({ type: entry } as ScorerConfig) : entry,
    );
  }
  if (someExpected(cases)) return [{ type: "exact" }];
  if (task.json_schema) return [{ type: "json_valid" }];
  return [];
}

/** Problems worth a precise position, found before the scorer factory runs. */
function checkScorerConfig(config: ScorerConfig, context: ScorerContext, path: PathSegment[]): IssueDraft[] {
  switch (config.type) {
    case "regex": {
      const flagsProblem = regexProblem("", config.flags);
      if (flagsProblem)
        return [{ path: [...path, "flags"], at: "value", message: flagsProblem, expected: "RegExp flags" }];
      const problem = regexProblem(config.pattern, config.flags);
      if (!problem) return [];
      return [
        {
          path: [...path, "pattern"],
          at: "value",
          message: problem,
          expected: "a JavaScript regular expression",
        },
      ];
    }
    case "one_of": {
      if (config.labels_file === undefined) return [];
      const file = resolve(context.baseDir, config.labels_file);
      if (isFile(file)) return [];
      const message = `labels file not found: ${file}`;
      return [{ path: [...path, "labels_file"], at: "value", message, expected: "an existing file" }];
    }
    case "json_schema": {
      if (config.schema) {
        const problem = jsonSchemaProblem(config.schema);
        if (!problem) return [];
        const message = `invalid JSON Schema: ${problem}`;
        return [{ path: [...path, "schema"], at: "value", message, expected: "a JSON Schema" }];
      }
      if (context.taskJsonSchema) return [];
      const message = "the json_schema scorer needs a `schema`, or a `json_schema` on its task";
      return [{ path, at: "value", message, expected: "a `schema`" }];
    }
    default:
      return [];
  }
}

function regexProblem(pattern: string, flags: string | undefined): string | undefined {
  try {
    new RegExp(pattern, flags);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
