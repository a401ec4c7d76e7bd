/**
 * Point 3: the same 1,000-case suite with promptfoo and with opbench against the same scripted
 * server at the same concurrency: wall time, peak RSS, and latency error against the server's
 * truth (promptfoo's results joined by case, opbench's by response id).
 */
import { join } from "node:path";
import { DEFAULT_SCRIPT } from "../../fixtures/scripted-server/script.ts";
import { type AccuracyReport, measureAccuracy } from "./lib/accuracy.ts";
import { benchCases } from "./lib/cases.ts";
import type { BenchContext } from "./lib/context.ts";
import { installPromptfoo, PROMPTFOO_VERSION, runPromptfoo } from "./lib/promptfoo.ts";
import { startServerProcess } from "./lib/server-process.ts";
import { type Spread, spreadOf } from "./lib/stats.ts";
import { runBareLoop, runOpbenchCli } from "./lib/tools.ts";

export interface VersusRun {
  wallMs: number;
  peakRssMb: number | null;
  cpuMs: number | null;
  accuracy: AccuracyReport;
}

export interface VersusTool {
  tool: string;
  runs: VersusRun[];
  wallMs: Spread | null;
  peakRssMb: Spread | null;
  e2eErrorP50: Spread | null;
  e2eErrorP99: Spread | null;
  ttftErrorP50: Spread | null;
  ttftErrorP99: Spread | null;
}

export interface VersusResult {
  promptfooVersion: string;
  /** Why promptfoo could not be measured, when it could not. */
  promptfooError: string | null;
  installMs: number | null;
  cases: number;
  concurrency: number;
  tools: VersusTool[];
}

const CONCURRENCY = 16;

export async function benchVersusPromptfoo(ctx: BenchContext): Promise<VersusResult> {
  const caseCount = ctx.smoke ? 30 : 1_000;
  let install: Awaited<ReturnType<typeof installPromptfoo>> | undefined;
  let promptfooError: string | null = null;
  try {
    install = await installPromptfoo(ctx.log);
  } catch (error) {
    promptfooError = (error as Error).message;
    ctx.log(`promptfoo could not be installed: ${promptfooError.split("\n")[0]}`);
  }
  const server = await startServerProcess(DEFAULT_SCRIPT);
  const runs = new Map<string, VersusRun[]>();
  const record = (tool: string, run: VersusRun) => runs.set(tool, [...(runs.get(tool) ?? []), run]);
  try {
    const cases = benchCases(caseCount, DEFAULT_SCRIPT);
    for (let rep = 0; rep < ctx.reps; rep++) {
      ctx.log(
        `versus promptfoo: repetition ${rep + 1}/${ctx.reps} (${caseCount} cases, concurrency ${CONCURRENCY})`,
      );
      await server.truth(true);
      if (install && promptfooError === null) {
        try {
          const pf = await runPromptfoo(
            install,
            join(ctx.workDir, "promptfoo"),
            server.url,
            cases,
            CONCURRENCY,
          );
          if (pf.passed !== caseCount)
            throw new Error(`promptfoo: ${pf.passed} of ${caseCount} cases passed`);
          record(`promptfoo ${PROMPTFOO_VERSION} (whole responses)`, {
            wallMs: pf.process.wallMs,
            peakRssMb: pf.process.peakRssMb,
            cpuMs: pf.process.cpuMs,
            accuracy: measureAccuracy(pf.calls, await server.truth(true), "case"),
          });
        } catch (error) {
          promptfooError = (error as Error).message;
          ctx.log(`promptfoo failed: ${promptfooError.split("\n")[0]}`);
        }
      }
      const variants = [
        ...ctx.runners.map((runner) => ({ runner, stream: true })),
        { runner: ctx.runners[0]!, stream: false },
      ];
      for (const { runner, stream } of variants) {
        await server.truth(true);
        const op = await runOpbenchCli({
          workDir: join(ctx.workDir, "versus", `${runner}-${stream}`),
          url: server.url,
          runner,
          cases,
          concurrency: CONCURRENCY,
          warmup: 0,
          stream,
        });
        if (op.log.calls.length !== caseCount) throw new Error(`opbench: ${op.log.failed} calls failed`);
        record(`opbench (${runner}, ${stream ? "streamed" : "whole responses"})`, {
          wallMs: op.process.wallMs,
          peakRssMb: op.process.peakRssMb,
          cpuMs: op.process.cpuMs,
          accuracy: measureAccuracy(op.log.calls, await server.truth(true)),
        });
      }
      await server.truth(true);
      const bare = await runBareLoop({
        workDir: join(ctx.workDir, "versus"),
        url: server.url,
        calls: caseCount,
        warmup: 0,
        concurrency: CONCURRENCY,
        connection: "keep-alive",
        stream: true,
      });
      record("bare undici (keep-alive, streamed)", {
        wallMs: bare.process.wallMs,
        peakRssMb: bare.process.peakRssMb,
        cpuMs: bare.process.cpuMs,
        accuracy: measureAccuracy(bare.calls, await server.truth(true)),
      });
    }
  } finally {
    await server.stop();
  }
  const tools = [...runs].map(
    ([tool, list]): VersusTool => ({
      tool,
      runs: list,
      wallMs: spreadOf(list, (r) => r.wallMs),
      peakRssMb: spreadOf(list, (r) => r.peakRssMb),
      e2eErrorP50: spreadOf(list, (r) => r.accuracy.e2eErrorMs?.p50),
      e2eErrorP99: spreadOf(list, (r) => r.accuracy.e2eErrorMs?.p99),
      ttftErrorP50: spreadOf(list, (r) => r.accuracy.ttftErrorMs?.p50),
      ttftErrorP99: spreadOf(list, (r) => r.accuracy.ttftErrorMs?.p99),
    }),
  );
  return {
    promptfooVersion: PROMPTFOO_VERSION,
    promptfooError,
    installMs: install?.installMs ?? null,
    cases: caseCount,
    concurrency: CONCURRENCY,
    tools,
  };
}
