/**
 * Issue 14, speed of grading SQL by execution: the Spider suite's 207 cases scored by its
 * `execution` scorer (sql_execution, 3 fillings of 20 rows per table), in one process. The first
 * pass starts the worker processes and builds every case's databases; the next passes find them
 * built. Each case runs 6 queries (gold and generated on 3 fillings). Figures: cases/s and
 * queries/s per pass, for right answers (the gold query) and for a wrong one.
 *
 *   node scripts/bench/sql-execution.ts [--passes N]
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { scoreInput } from "../../src/engine/attempt.ts";
import { loadSuite } from "../../src/suite/load.ts";
import { REPO_ROOT } from "./lib/tools.ts";

const { values } = parseArgs({ options: { passes: { type: "string", default: "3" } } });
const suite = await loadSuite(join(REPO_ROOT, "suites", "spider.yaml"));
const task = suite.tasks[0]!;
const scorer = task.scorers.find((s) => s.name === "execution")!;
const cases = [...task.cases];
const QUERIES_PER_CASE = 6;

/** `queriesPerCase`: 6 when every case runs on all fillings; unknown (a wrong query stops early). */
async function pass(
  label: string,
  output: (c: (typeof cases)[number]) => string,
  queriesPerCase: number | null = QUERIES_PER_CASE,
): Promise<void> {
  const started = performance.now();
  const results = await Promise.all(cases.map((c) => scorer.score(scoreInput(c, output(c)))));
  const seconds = (performance.now() - started) / 1000;
  const right = results.filter((r) => r.score === 1).length;
  const perSecond = (n: number) => Math.round(n / seconds).toLocaleString("en-US");
  console.log(
    `| ${label} | ${cases.length} | ${right} | ${(seconds * 1000).toFixed(0)} | ${perSecond(cases.length)} | ${queriesPerCase === null ? "—" : perSecond(cases.length * queriesPerCase)} |`,
  );
}

console.log(`Node ${process.version}, ${availableParallelism()} CPUs`);
console.log("| pass | cases | right | ms | cases/s | queries/s |");
console.log("| --- | --- | --- | --- | --- | --- |");
await pass("gold as output, cold (processes started, databases built)", (c) => c.expected!);
for (let i = 0; i < Number(values.passes); i++)
  await pass(`gold as output, warm ${i + 1}`, (c) => c.expected!);
await pass(
  "`SELECT count(*)` of the first table, warm",
  (c) => {
    const table = /CREATE TABLE "?(\w+)/.exec(String(c.row!.schema))![1]!;
    return `SELECT count(*) FROM ${table}`;
  },
  null,
);
