/**
 * Point 2, wall time: 10,000 cases of ~5 ms streamed calls at concurrency 32, opbench's CLI
 * against a bare undici loop making the same calls in the same run (interleaved, repeated),
 * and opbench's peak RSS as the number of cases grows.
 */
import { join } from "node:path";
import { DEFAULT_SCRIPT } from "../../fixtures/scripted-server/script.ts";
import { benchCases } from "./lib/cases.ts";
import type { MeasuredRun } from "./lib/child.ts";
import type { BenchContext } from "./lib/context.ts";
import { startServerProcess } from "./lib/server-process.ts";
import { type Spread, spread, spreadOf } from "./lib/stats.ts";
import { runBareLoop, runMinimalLoop, runOpbenchCli } from "./lib/tools.ts";
import type { ToolName } from "./overhead.ts";

export interface ThroughputRun {
  /** Spawn → exit of the process, ms. */
  wallMs: number;
  /** The calls alone: opbench's run_start → run_end (ms resolution), the bare loop's own timer. */
  callsMs: number | null;
  peakRssMb: number | null;
  cpuMs: number | null;
}

export interface ToolThroughput {
  tool: ToolName;
  runs: ThroughputRun[];
  wallMs: Spread | null;
  callsMs: Spread | null;
  peakRssMb: Spread | null;
  cpuMs: Spread | null;
}

export interface ThroughputResult {
  cases: number;
  concurrency: number;
  tools: ToolThroughput[];
  /** Per repetition, opbench wall ÷ bare loop wall, for each (opbench runner, bare loop) pair. */
  ratios: {
    opbench: ToolName;
    bare: ToolName;
    wall: Spread | null;
    calls: Spread | null;
    /** CPU time (user + system) of the opbench process ÷ the loop's. */
    cpu?: Spread | null;
  }[];
  /** opbench (first runner) peak RSS by number of cases: flat if records stream to disk. */
  rssByCases: { cases: number; peakRssMb: number | null; earlyPeakRssMb?: number | null; wallMs: number }[];
}

const CONCURRENCY = 32;

/**
 * `rssByCases: false` (the `cpu` benchmark) leaves out the peak-RSS runs of 1,000 to 100,000
 * cases: only the paired runs of opbench and the loops, for a quick, rerunnable CPU/wall ratio.
 */
export async function benchThroughput(
  ctx: BenchContext,
  options: { rssByCases: boolean } = { rssByCases: true },
): Promise<ThroughputResult> {
  const caseCount = ctx.smoke ? 300 : 10_000;
  const server = await startServerProcess(DEFAULT_SCRIPT);
  const runs = new Map<ToolName, ThroughputRun[]>();
  const record = (tool: ToolName, run: ThroughputRun) => runs.set(tool, [...(runs.get(tool) ?? []), run]);
  const fromProcess = (p: MeasuredRun, callsMs: number | null): ThroughputRun => ({
    wallMs: p.wallMs,
    callsMs,
    peakRssMb: p.peakRssMb,
    cpuMs: p.cpuMs,
  });
  const rssByCases: ThroughputResult["rssByCases"] = [];
  try {
    const cases = benchCases(caseCount, DEFAULT_SCRIPT);
    for (let rep = 0; rep < ctx.reps; rep++) {
      ctx.log(
        `throughput: repetition ${rep + 1}/${ctx.reps} (${caseCount} cases, concurrency ${CONCURRENCY})`,
      );
      // Alternate which side goes first, so neither always runs on a warmer machine.
      const order = rep % 2 === 0 ? ["opbench", "bare"] : ["bare", "opbench"];
      for (const side of order) {
        if (side === "opbench") {
          for (const runner of ctx.runners) {
            const op = await runOpbenchCli({
              workDir: join(ctx.workDir, "throughput", runner),
              url: server.url,
              runner,
              cases,
              concurrency: CONCURRENCY,
              warmup: 0,
              stream: true,
            });
            if (op.log.failed > 0 || op.log.calls.length !== caseCount) {
              throw new Error(`opbench (${runner}): ${op.log.calls.length} of ${caseCount} calls succeeded`);
            }
            record(`opbench (${runner})`, fromProcess(op.process, op.log.runMs));
          }
        } else {
          for (const connection of ["keep-alive", "close"] as const) {
            const bare = await runBareLoop({
              workDir: join(ctx.workDir, "throughput"),
              url: server.url,
              calls: caseCount,
              warmup: 0,
              concurrency: CONCURRENCY,
              connection,
              stream: true,
            });
            record(`bare undici (${connection})`, fromProcess(bare.process, bare.loopMs));
          }
          const minimal = await runMinimalLoop({
            url: server.url,
            calls: caseCount,
            concurrency: CONCURRENCY,
            stream: true,
          });
          record("minimal undici loop (Pool)", fromProcess(minimal.process, minimal.loopMs));
        }
        await server.truth(true);
      }
    }
    const sizes = !options.rssByCases ? [] : ctx.smoke ? [100, 300] : [1_000, 10_000, 100_000];
    for (const size of sizes) {
      ctx.log(`throughput: peak RSS with ${size} cases`);
      const op = await runOpbenchCli({
        workDir: join(ctx.workDir, "throughput", "rss"),
        url: server.url,
        runner: ctx.runners[0]!,
        cases: benchCases(size, DEFAULT_SCRIPT),
        concurrency: CONCURRENCY,
        warmup: 0,
        stream: true,
      });
      await server.truth(true);
      rssByCases.push({
        cases: size,
        peakRssMb: op.process.peakRssMb,
        earlyPeakRssMb: op.process.earlyPeakRssMb,
        wallMs: op.process.wallMs,
      });
    }
  } finally {
    await server.stop();
  }
  const tools = [...runs].map(
    ([tool, list]): ToolThroughput => ({
      tool,
      runs: list,
      wallMs: spreadOf(list, (r) => r.wallMs),
      callsMs: spreadOf(list, (r) => r.callsMs),
      peakRssMb: spreadOf(list, (r) => r.peakRssMb),
      cpuMs: spreadOf(list, (r) => r.cpuMs),
    }),
  );
  const ratios: ThroughputResult["ratios"] = [];
  for (const runner of ctx.runners) {
    const op = runs.get(`opbench (${runner})`) ?? [];
    for (const bare of [
      "bare undici (keep-alive)",
      "bare undici (close)",
      "minimal undici loop (Pool)",
    ] as const) {
      const base = runs.get(bare) ?? [];
      const paired = (pick: (r: ThroughputRun) => number | null) =>
        spread(
          op.flatMap((run, i) => {
            const a = pick(run);
            const b = base[i] ? pick(base[i]) : null;
            return a !== null && b !== null && b > 0 ? [a / b] : [];
          }),
        );
      ratios.push({
        opbench: `opbench (${runner})`,
        bare,
        wall: paired((r) => r.wallMs),
        calls: paired((r) => r.callsMs),
        cpu: paired((r) => r.cpuMs),
      });
    }
  }
  return { cases: caseCount, concurrency: CONCURRENCY, tools, ratios, rssByCases };
}
