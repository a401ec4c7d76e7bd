/**
 * CI's check of a finished run: `node scripts/ci/check-run.ts <run-dir>`. The CLI exits 0 even
 * when every call failed (failures are results), so CI reads the run's summary.json: the run
 * completed, every model started, and every model × task of the suite made all its calls with
 * none failed. Exits 1 naming each problem.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Summary } from "../../src/metrics/summary.ts";
import type { SuiteDescription } from "../../src/suite/describe.ts";

/** What is wrong with the run, one line each; empty for a clean run. */
function runProblems(summary: Summary): string[] {
  const problems: string[] = [];
  if (summary.run.status !== "completed") problems.push(`the run ended "${summary.run.status}"`);
  for (const model of summary.models) {
    if (model.error !== null) problems.push(`${model.model} did not start: ${model.error}`);
  }
  const suite = summary.run.suite.resolved as SuiteDescription | null;
  if (!Array.isArray(suite?.models) || !Array.isArray(suite?.tasks)) {
    return [...problems, "the summary holds no suite description (run.suite.resolved)"];
  }
  for (const model of suite.models) {
    for (const task of suite.tasks) {
      const pair = `${model.id} × ${task.id}`;
      const group = summary.results.find((r) => r.model === model.id && r.task === task.id);
      const expected = task.cases * suite.repeats;
      if (!group || group.calls === 0) {
        problems.push(`${pair}: no calls (expected ${expected})`);
        continue;
      }
      if (group.calls < expected) problems.push(`${pair}: ${group.calls} of ${expected} calls made`);
      if (group.failed > 0) {
        const classes = Object.entries(group.errors_by_class)
          .map(([errorClass, n]) => `${errorClass}: ${n}`)
          .join(", ");
        const example = group.error_examples[0];
        problems.push(
          `${pair}: ${group.failed} of ${group.calls} calls failed (${classes})` +
            (example ? `, e.g. ${example}` : ""),
        );
      }
    }
  }
  return problems;
}

function main(args: string[]): number {
  const runDir = args[0];
  if (args.length !== 1 || runDir === undefined) {
    console.error("usage: node scripts/ci/check-run.ts <run-dir>");
    return 2;
  }
  const path = join(runDir, "summary.json");
  let summary: Summary;
  try {
    summary = JSON.parse(readFileSync(path, "utf8")) as Summary;
  } catch (error) {
    console.error(`check-run: FAILED: cannot read ${path}: ${(error as Error).message}`);
    return 1;
  }
  const problems = runProblems(summary);
  if (problems.length > 0) {
    console.error(`check-run: FAILED: the run in ${runDir} is not clean:`);
    for (const problem of problems) console.error(`  - ${problem}`);
    return 1;
  }
  const calls = summary.results.reduce((sum, r) => sum + r.calls, 0);
  console.log(
    `check-run: ok: ${summary.results.length} model × task pair(s), ${calls} calls, none failed ` +
      `(Node ${summary.run.node_version})`,
  );
  return 0;
}

process.exitCode = main(process.argv.slice(2));
