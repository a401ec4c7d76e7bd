/**
 * Point 1: overhead and accuracy of measurement. Each tool makes the same calls to the
 * scripted server; every call's e2e and TTFT are compared with the server's own record of the
 * same request. The bare undici loops show what Node + undici alone cost on this machine.
 */
import { join } from "node:path";
import { DEFAULT_SCRIPT, type StreamScript } from "../../fixtures/scripted-server/script.ts";
import { type AccuracyReport, measureAccuracy } from "./lib/accuracy.ts";
import { benchCases } from "./lib/cases.ts";
import type { BenchContext, Load, OpbenchRunnerKind } from "./lib/context.ts";
import { startServerProcess } from "./lib/server-process.ts";
import { type Spread, spreadOf } from "./lib/stats.ts";
import { runBareLoop, runOpbenchCli } from "./lib/tools.ts";

/** A tool measured against the server: opbench through one runner, or a bare loop. */
export type ToolName =
  | `opbench (${OpbenchRunnerKind})`
  | "bare undici (keep-alive)"
  | "bare undici (close)"
  | "minimal undici loop (Pool)";

export interface ToolOverhead {
  tool: ToolName;
  runs: AccuracyReport[];
  /** Over the repetitions: p50 and p99 of client − server, ms. */
  e2eP50: Spread | null;
  e2eP99: Spread | null;
  ttftP50: Spread | null;
  ttftP99: Spread | null;
}

export interface OverheadScenario {
  name: string;
  description: string;
  load: Load;
  /** Target on p50 and p99 of the error, ms. */
  targetMs: number;
  tools: ToolOverhead[];
}

/** ~100 ms streamed calls: at concurrency 64 this load stays below what 2 cores can serve. */
export const SLOW_SCRIPT: StreamScript = { ...DEFAULT_SCRIPT, ttftMs: 20, chunkGapMs: 10, chunks: 9 };

function scenarios(smoke: boolean): Omit<OverheadScenario, "tools">[] {
  const size = (full: number, quick: number) => (smoke ? quick : full);
  return [
    {
      name: "c1-5ms",
      description: "concurrency 1, ~5 ms streamed calls (TTFT 1 ms, 5 chunks 1 ms apart)",
      load: { script: DEFAULT_SCRIPT, concurrency: 1, calls: size(1000, 30), warmup: size(50, 5) },
      targetMs: 1,
    },
    {
      name: "c64-100ms",
      description: "concurrency 64, ~100 ms streamed calls (TTFT 20 ms, 9 chunks 10 ms apart)",
      load: { script: SLOW_SCRIPT, concurrency: 64, calls: size(3000, 128), warmup: size(128, 64) },
      targetMs: 2,
    },
    {
      name: "c64-5ms",
      description: "concurrency 64, ~5 ms streamed calls: more than 2 cores can serve (saturation)",
      load: { script: DEFAULT_SCRIPT, concurrency: 64, calls: size(4000, 128), warmup: size(128, 64) },
      targetMs: 2,
    },
  ];
}

/** Runs every scenario, `ctx.reps` times per tool, tools interleaved within a repetition. */
export async function benchOverhead(ctx: BenchContext): Promise<OverheadScenario[]> {
  const results: OverheadScenario[] = [];
  for (const scenario of scenarios(ctx.smoke)) {
    const { load } = scenario;
    const server = await startServerProcess(load.script);
    const runs = new Map<ToolName, AccuracyReport[]>();
    const record = (tool: ToolName, report: AccuracyReport) =>
      runs.set(tool, [...(runs.get(tool) ?? []), report]);
    try {
      const cases = benchCases(load.calls, load.script);
      for (let rep = 0; rep < ctx.reps; rep++) {
        ctx.log(`overhead ${scenario.name}: repetition ${rep + 1}/${ctx.reps}`);
        for (const runner of ctx.runners) {
          await server.truth(true);
          const op = await runOpbenchCli({
            workDir: join(ctx.workDir, "overhead", scenario.name, runner),
            url: server.url,
            runner,
            cases,
            concurrency: load.concurrency,
            warmup: load.warmup,
            stream: true,
          });
          if (op.log.failed > 0) throw new Error(`opbench (${runner}): ${op.log.failed} calls failed`);
          record(`opbench (${runner})`, measureAccuracy(op.log.calls, await server.truth(true)));
        }
        for (const connection of ["keep-alive", "close"] as const) {
          await server.truth(true);
          const bare = await runBareLoop({
            workDir: join(ctx.workDir, "overhead", scenario.name),
            url: server.url,
            calls: load.calls,
            warmup: load.warmup,
            concurrency: load.concurrency,
            connection,
            stream: true,
          });
          record(`bare undici (${connection})`, measureAccuracy(bare.calls, await server.truth(true)));
        }
      }
    } finally {
      await server.stop();
    }
    const tools = [...runs].map(
      ([tool, reports]): ToolOverhead => ({
        tool,
        runs: reports,
        e2eP50: spreadOf(reports, (r) => r.e2eErrorMs?.p50),
        e2eP99: spreadOf(reports, (r) => r.e2eErrorMs?.p99),
        ttftP50: spreadOf(reports, (r) => r.ttftErrorMs?.p50),
        ttftP99: spreadOf(reports, (r) => r.ttftErrorMs?.p99),
      }),
    );
    results.push({ ...scenario, tools });
  }
  return results;
}
