/**
 * Start-up (issue 19): whole-process wall time of `opbench --help` and of `opbench run` of a
 * one-case suite against the scripted server, hyperfine-style: N runs of each program, the
 * programs interleaved in a rotating order, median and p90 of spawn → exit. The floor (an empty
 * Node script) and the bare undici loop making the same one call are measured the same way.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_SCRIPT } from "../../fixtures/scripted-server/script.ts";
import { currentBundle } from "../cli-bundle.ts";
import { benchCases } from "./lib/cases.ts";
import { assertExitedOk, type MeasuredRun, runNodeMeasured } from "./lib/child.ts";
import type { BenchContext } from "./lib/context.ts";
import { startServerProcess } from "./lib/server-process.ts";
import { type Percentiles, percentiles } from "./lib/stats.ts";
import { OPBENCH_BIN, OPBENCH_NODE_FLAGS, runBareLoop, runOpbenchCli } from "./lib/tools.ts";

/** The bounds on whole-process wall time (median), ms. */
export const STARTUP_TARGETS_MS = { help: 100, run: 200 } as const;

export interface StartupProgram {
  program: string;
  wallMs: Percentiles | null;
  cpuMs: Percentiles | null;
  peakRssMb: Percentiles | null;
}

export interface StartupResult {
  runs: number;
  programs: StartupProgram[];
}

type Measure = () => Promise<MeasuredRun>;

const FROM_SOURCES = { OPBENCH_FROM_SOURCES: "1" };

export async function benchStartup(ctx: BenchContext): Promise<StartupResult> {
  const runs = ctx.smoke ? 2 : 10 * ctx.reps;
  // The checkout's CLI bundle is built (when stale) before the first measured start, as the
  // compile cache is warm: the figures are of a start, not of a rebuild after a source edit.
  if (process.env.OPBENCH_FROM_SOURCES !== "1") await currentBundle();
  const server = await startServerProcess(DEFAULT_SCRIPT);
  try {
    const empty = join(ctx.workDir, "startup-empty.mjs");
    writeFileSync(empty, "");
    const cases = benchCases(1, DEFAULT_SCRIPT);
    const one = { url: server.url, cases, concurrency: 1, warmup: 0, stream: true };
    const programs: [string, Measure][] = [
      ["node (empty script): the floor", () => runNodeMeasured(empty, [])],
      [
        "opbench --help",
        async () => {
          const run = await runNodeMeasured(OPBENCH_BIN, ["--help"], { maxStdout: 100 }, OPBENCH_NODE_FLAGS);
          assertExitedOk(run, "opbench --help");
          return run;
        },
      ],
      [
        "opbench run, one case (llamacpp)",
        async () => (await runOpbenchCli({ ...one, workDir: join(ctx.workDir, "startup-run") })).process,
      ],
      // The same two commands from the TypeScript sources, as every start ran before the bundle.
      [
        "sources: opbench --help (OPBENCH_FROM_SOURCES=1)",
        async () => {
          const run = await runNodeMeasured(
            OPBENCH_BIN,
            ["--help"],
            { maxStdout: 100, env: FROM_SOURCES },
            OPBENCH_NODE_FLAGS,
          );
          assertExitedOk(run, "opbench --help from the sources");
          return run;
        },
      ],
      [
        "sources: opbench run, one case (OPBENCH_FROM_SOURCES=1)",
        async () =>
          (await runOpbenchCli({ ...one, workDir: join(ctx.workDir, "startup-run-sources") }, FROM_SOURCES))
            .process,
      ],
      [
        "bare undici loop, one call",
        async () =>
          (
            await runBareLoop({
              ...one,
              workDir: join(ctx.workDir, "startup-bare"),
              url: server.url,
              calls: 1,
              connection: "keep-alive",
            })
          ).process,
      ],
    ];
    const measured = programs.map(() => [] as MeasuredRun[]);
    for (let i = 0; i < runs; i++) {
      for (let k = 0; k < programs.length; k++) {
        const index = (i + k) % programs.length;
        measured[index]!.push(await programs[index]![1]());
      }
      if (i % 10 === 9) ctx.log(`startup: ${i + 1}/${runs} rounds`);
    }
    return {
      runs,
      programs: programs.map(([program], index) => {
        const all = measured[index]!;
        const of = (pick: (run: MeasuredRun) => number | null) =>
          percentiles(all.map(pick).filter((v): v is number => v !== null));
        return {
          program,
          wallMs: of((r) => r.wallMs),
          cpuMs: of((r) => r.cpuMs),
          peakRssMb: of((r) => r.peakRssMb),
        };
      }),
    };
  } finally {
    await server.stop();
  }
}

const ms = (value: number | undefined): string => (value === undefined ? "–" : value.toFixed(0));

export function startupTargetRows(result: StartupResult): string[][] {
  const row = (program: string, what: string, bound: number): string[] => {
    const wall = result.programs.find((p) => p.program.startsWith(program))?.wallMs;
    return [
      `19. start-up, ${what}`,
      `≤ ${bound} ms wall (median, whole process)`,
      wall ? `median ${ms(wall.p50)}, p90 ${ms(wall.p90)} ms over ${wall.n} runs` : "–",
      wall ? (wall.p50 <= bound ? "**met**" : "**not met**") : "not measured",
    ];
  };
  return [
    row("opbench --help", "`opbench --help`", STARTUP_TARGETS_MS.help),
    row("opbench run", "`opbench run` of a one-case suite", STARTUP_TARGETS_MS.run),
  ];
}

export function startupSection(
  result: StartupResult,
  table: (header: string[], rows: string[][]) => string[],
): string[] {
  return [
    "### Start-up: whole-process wall time (spawn → exit)",
    "",
    `${result.runs} runs of each program, interleaved; ms. The bin's Node flags, its compile cache and the checkout's CLI bundle (built before the first run) are used as \`npx opbench\` uses them.`,
    "",
    ...table(
      ["program", "wall p50", "wall p90", "wall min", "CPU p50", "peak RSS MB p50"],
      result.programs.map((p) => [
        p.program,
        ms(p.wallMs?.p50),
        ms(p.wallMs?.p90),
        ms(p.wallMs?.min),
        ms(p.cpuMs?.p50),
        ms(p.peakRssMb?.p50),
      ]),
    ),
    "",
  ];
}
