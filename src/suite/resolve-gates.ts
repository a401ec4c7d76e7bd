/**
 * The suite's `gates:` checked at load time: each expression parses (else its column and what
 * was expected) and names only models, tasks, scorers and savings pairs the suite has.
 */
import { GateSyntaxError, parseGate } from "../gates/expression.ts";
import { type GateUniverse, gateProblem } from "../gates/validate.ts";
import type { IssueDraft } from "./errors.ts";
import type { TaskScorerNames } from "./resolve-savings.ts";
import type { ResolvedSavings } from "./resolved.ts";
import type { SuiteConfig } from "./schema.ts";

/** Two-sided significance level of delta gates when the suite sets none. */
export const DEFAULT_ALPHA = 0.05;

/** What the suite's gates may name. Tasks whose scorers are unknown (dataset missing) accept any scorer. */
export function suiteGateUniverse(
  config: SuiteConfig,
  scorerNames: readonly TaskScorerNames[],
  savings: readonly ResolvedSavings[],
): GateUniverse | null {
  if (scorerNames.some((t) => t.names === undefined)) return null;
  return {
    mode: "run",
    models: config.models.map((m) => m.id),
    tasks: scorerNames.map((t) => ({ id: t.id, scorers: t.names ?? [] })),
    savings: savings.map((s) => ({ candidate: s.candidate, baseline: s.baseline })),
  };
}

export function gateIssues(
  gates: readonly string[] | undefined,
  universe: GateUniverse | null,
): IssueDraft[] {
  const issues: IssueDraft[] = [];
  for (const [index, expression] of (gates ?? []).entries()) {
    const path = ["gates", index];
    try {
      const spec = parseGate(expression);
      const problem = universe ? gateProblem(spec, universe) : null;
      if (problem) issues.push({ path, at: "value", message: `gate "${expression}": ${problem}` });
    } catch (error) {
      if (!(error instanceof GateSyntaxError)) throw error;
      issues.push({
        path,
        at: "value",
        message: `gate "${expression}": column ${error.column}: expected ${error.expected}, found ${error.found}`,
        expected: error.expected,
      });
    }
  }
  return issues;
}
