/**
 * Gates checked against what a run has (or a suite will have) before they are evaluated: a
 * selector naming a model, task, scorer or savings pair that does not exist is a usage error
 * (exit code 2), said with the ids there are, not a gate that silently checks nothing.
 */
import { GateSyntaxError, parseGate } from "./expression.ts";
import { FIGURES } from "./figures.ts";
import type { GateSpec } from "./spec.ts";

/** What gates may name: a run's (or a suite's) models, tasks with their scorers, savings pairs. */
export interface GateUniverse {
  /** `load`: a load sweep (only goodput); `run`: a suite's run. */
  mode: "run" | "load";
  models: readonly string[];
  tasks: readonly { id: string; scorers: readonly string[] }[];
  savings: readonly { candidate: string; baseline: string }[];
}

/** A gate that cannot be checked on this run: exit code 2. */
export class GateUsageError extends Error {
  override name = "GateUsageError";
}

const list = (ids: readonly string[]) => (ids.length > 0 ? ids.join(", ") : "none");

/** Why `spec` cannot be checked on `universe`; null when it can. */
export function gateProblem(spec: GateSpec, universe: GateUniverse): string | null {
  const figure = FIGURES[spec.figure]!;
  const selector = spec.selector ?? {};
  if (universe.mode === "load" && figure.scope !== "load") {
    return `${spec.figure} is not measured by a load sweep (gate load sweeps with goodput)`;
  }
  if (universe.mode === "run" && figure.scope === "load") {
    return "goodput is measured by load sweeps (opbench load), not by runs";
  }
  const known = (key: string, value: string | undefined, ids: readonly string[]) =>
    value === undefined || value === "*" || ids.includes(value)
      ? null
      : `${key}=${value}: no such ${key} (there are: ${list(ids)})`;
  if (figure.scope === "savings") {
    if (universe.savings.length === 0) return `${spec.figure} needs a savings pair, and there is none`;
    return (
      known("candidate", selector.candidate, [...new Set(universe.savings.map((s) => s.candidate))]) ??
      known("baseline", selector.baseline, [...new Set(universe.savings.map((s) => s.baseline))]) ??
      known(
        "task",
        selector.task,
        universe.tasks.map((t) => t.id),
      )
    );
  }
  if (figure.scope === "load") return known("model", selector.model, universe.models);
  if (selector.task === "all" && spec.figure === "accuracy") {
    return "task=all: accuracy is per task (each task has its own cases and scorers); leave task out to check every task";
  }
  const taskProblem =
    selector.task === "all"
      ? null
      : known(
          "task",
          selector.task,
          universe.tasks.map((t) => t.id),
        );
  const problem = known("model", selector.model, universe.models) ?? taskProblem;
  if (problem || selector.scorer === undefined || selector.scorer === "*") return problem;
  const tasks = universe.tasks.filter(
    (t) => selector.task === undefined || selector.task === "*" || t.id === selector.task,
  );
  if (tasks.some((t) => t.scorers.includes(selector.scorer!))) return null;
  return `scorer=${selector.scorer}: no task${selector.task ? ` ${selector.task}` : ""} has this scorer (scorers: ${list([...new Set(tasks.flatMap((t) => t.scorers))])})`;
}

/** A parsed gate and where it came from (for messages: the suite, or --gate). */
export interface SourcedGate {
  spec: GateSpec;
  from: "suite" | "command line";
}

/**
 * Parses and checks gate expressions; throws GateSyntaxError or GateUsageError naming the
 * expression (both exit code 2).
 */
export function parseGates(
  expressions: readonly { expression: string; from: SourcedGate["from"] }[],
  universe: GateUniverse | null,
): SourcedGate[] {
  return expressions.map(({ expression, from }) => {
    const spec = parseGate(expression);
    const problem = universe ? gateProblem(spec, universe) : null;
    if (problem) throw new GateUsageError(`gate "${spec.expression}" (${from}): ${problem}`);
    return { spec, from };
  });
}

export { GateSyntaxError };
