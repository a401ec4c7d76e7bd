/**
 * Issue 14, the code sandbox's speed: `code_tests` grading many outputs at once (each a fresh
 * sandboxed process running two tests), as the engine does with concurrent calls. Target: ≥ 50
 * cases/s on 2 cores.
 */
import { availableParallelism } from "node:os";
import { createScorer, loadAllScorers } from "../../src/scoring/index.ts";
import type { BenchContext } from "./lib/context.ts";
import { type Spread, spreadOf } from "./lib/stats.ts";
import { REPO_ROOT } from "./lib/tools.ts";

export interface SandboxBenchResult {
  /** Outputs graded per repetition. */
  cases: number;
  cores: number;
  /** Cases per second over repetitions. */
  casesPerSec: Spread | null;
}

const INPUT = {
  output: "```js\nfunction add(a, b) {\n  return a + b;\n}\n```",
  expected: undefined,
  row: { tests: ["add(1, 2) === 3", { input: [2, 2], expected: 4 }] },
};

export async function benchSandbox(ctx: BenchContext): Promise<SandboxBenchResult> {
  await loadAllScorers();
  const scorer = createScorer({ type: "code_tests", entry: "add" }, { baseDir: REPO_ROOT });
  const first = await scorer.score(INPUT);
  if (first.score !== 1) throw new Error(`code_tests scored ${first.score}: ${first.reason}`);
  const cases = ctx.smoke ? 4 : 200;
  const runs: number[] = [];
  for (let rep = 0; rep < ctx.reps; rep++) {
    ctx.log(`sandbox: ${cases} code_tests cases, repetition ${rep + 1} of ${ctx.reps}`);
    const start = performance.now();
    await Promise.all(Array.from({ length: cases }, () => scorer.score(INPUT)));
    runs.push(cases / ((performance.now() - start) / 1000));
  }
  return { cases, cores: availableParallelism(), casesPerSec: spreadOf(runs, (r) => r) };
}

const TARGET_CASES_PER_S = 50;

export function sandboxTargetRows(result: SandboxBenchResult): string[][] {
  const median = result.casesPerSec?.median;
  const verdict =
    median === undefined ? "not measured" : median >= TARGET_CASES_PER_S ? "**met**" : "**not met**";
  return [
    [
      `14. code sandbox (code_tests), ${result.cores} cores`,
      `≥ ${TARGET_CASES_PER_S} cases/s`,
      median === undefined ? "–" : `${median.toFixed(1)} cases/s`,
      verdict,
    ],
  ];
}

export function sandboxSection(
  result: SandboxBenchResult,
  table: (header: string[], rows: string[][]) => string[],
): string[] {
  const s = result.casesPerSec;
  const cell = (v: number | undefined) => (v === undefined ? "–" : v.toFixed(1));
  return [
    "### Code sandbox (`code_tests`: one sandboxed process per case, two tests each)",
    "",
    ...table(
      ["cases", "cores", "cases/s min", "median", "max"],
      [[String(result.cases), String(result.cores), cell(s?.min), cell(s?.median), cell(s?.max)]],
    ),
    "",
  ];
}
