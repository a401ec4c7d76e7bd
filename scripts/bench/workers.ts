/**
 * `--workers` (issue 19, point 4): the same calls made by opbench with its callers on the main
 * thread and in 2 (and, where the machine has the cores, 4 and 8) caller threads, interleaved and
 * repeated: the error of each measurement against the scripted server's truth, the wall time, the
 * rate of calls it drove and its CPU time. On a 2-core machine shared with the server this shows
 * that threads do not make timing worse; the rate they can drive needs more cores.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { DEFAULT_SCRIPT } from "../../fixtures/scripted-server/script.ts";
import { measureAccuracy } from "./lib/accuracy.ts";
import { benchCases } from "./lib/cases.ts";
import type { BenchContext } from "./lib/context.ts";
import { startServerProcess } from "./lib/server-process.ts";
import { type Spread, spreadOf } from "./lib/stats.ts";
import { runOpbenchCli } from "./lib/tools.ts";

export interface WorkersRow {
  workers: number;
  e2eErrorP50: Spread | null;
  e2eErrorP99: Spread | null;
  ttftErrorP50: Spread | null;
  ttftErrorP99: Spread | null;
  /** Calls per second over the run's calls (run_start → run_end). */
  callsPerS: Spread | null;
  wallMs: Spread | null;
  cpuMs: Spread | null;
}

export interface WorkersResult {
  cases: number;
  concurrency: number;
  cores: number;
  rows: WorkersRow[];
}

const CONCURRENCY = 64;

export async function benchWorkers(ctx: BenchContext): Promise<WorkersResult> {
  const cores = availableParallelism();
  const levels = [1, 2, ...(cores >= 8 ? [4, 8] : [])];
  const caseCount = ctx.smoke ? 200 : 4000;
  const cases = benchCases(caseCount, DEFAULT_SCRIPT);
  const server = await startServerProcess(DEFAULT_SCRIPT);
  const runs = new Map<
    number,
    {
      e2e50: number;
      e2e99: number;
      ttft50: number;
      ttft99: number;
      rate: number;
      wall: number;
      cpu: number | null;
    }[]
  >();
  try {
    for (let rep = 0; rep < ctx.reps; rep++) {
      const order = rep % 2 === 0 ? levels : [...levels].reverse();
      for (const workers of order) {
        ctx.log(`workers: repetition ${rep + 1}/${ctx.reps}, ${workers} worker(s)`);
        await server.truth(true);
        const op = await runOpbenchCli({
          workDir: join(ctx.workDir, "workers"),
          url: server.url,
          runner: ctx.runners[0]!,
          cases,
          concurrency: CONCURRENCY,
          warmup: CONCURRENCY * 2,
          stream: true,
          workers,
        });
        const accuracy = measureAccuracy(op.log.calls, await server.truth(true));
        if (accuracy.matched !== caseCount)
          throw new Error(
            `workers ${workers}: ${accuracy.matched} of ${caseCount} calls joined the server's truth`,
          );
        const list = runs.get(workers) ?? [];
        list.push({
          e2e50: accuracy.e2eErrorMs!.p50,
          e2e99: accuracy.e2eErrorMs!.p99,
          ttft50: accuracy.ttftErrorMs!.p50,
          ttft99: accuracy.ttftErrorMs!.p99,
          rate: op.log.runMs ? caseCount / (op.log.runMs / 1000) : Number.NaN,
          wall: op.process.wallMs,
          cpu: op.process.cpuMs,
        });
        runs.set(workers, list);
      }
    }
  } finally {
    await server.stop();
  }
  return {
    cases: caseCount,
    concurrency: CONCURRENCY,
    cores,
    rows: levels.map((workers) => {
      const list = runs.get(workers) ?? [];
      return {
        workers,
        e2eErrorP50: spreadOf(list, (r) => r.e2e50),
        e2eErrorP99: spreadOf(list, (r) => r.e2e99),
        ttftErrorP50: spreadOf(list, (r) => r.ttft50),
        ttftErrorP99: spreadOf(list, (r) => r.ttft99),
        callsPerS: spreadOf(list, (r) => r.rate),
        wallMs: spreadOf(list, (r) => r.wall),
        cpuMs: spreadOf(list, (r) => r.cpu),
      };
    }),
  };
}

export function workersSection(
  result: WorkersResult,
  table: (header: string[], rows: string[][]) => string[],
  fmt: (spread: Spread | null, digits?: number) => string,
): string[] {
  return [
    `### Caller threads (\`workers:\`): ${result.cases.toLocaleString("en")} cases, ~5 ms streamed calls, concurrency ${result.concurrency}, ${result.cores} cores`,
    "",
    "Error = client − server, ms; the rate is measured calls ÷ the run (run_start → run_end, its 128 warm-up calls included).",
    "",
    ...table(
      [
        "workers",
        "e2e error p50",
        "e2e error p99",
        "TTFT error p50",
        "TTFT error p99",
        "calls/s",
        "wall s",
        "CPU s",
      ],
      result.rows.map((r) => [
        String(r.workers),
        fmt(r.e2eErrorP50),
        fmt(r.e2eErrorP99),
        fmt(r.ttftErrorP50),
        fmt(r.ttftErrorP99),
        fmt(r.callsPerS, 0),
        fmt(
          r.wallMs && {
            ...r.wallMs,
            min: r.wallMs.min / 1000,
            median: r.wallMs.median / 1000,
            max: r.wallMs.max / 1000,
          },
        ),
        fmt(
          r.cpuMs && {
            ...r.cpuMs,
            min: r.cpuMs.min / 1000,
            median: r.cpuMs.median / 1000,
            max: r.cpuMs.max / 1000,
          },
        ),
      ]),
    ),
    "",
  ];
}
