/**
 * Load mode beside the HTTP load tools (issue 19, point 3): opbench's `load` command, autocannon
 * (npm, installed into a temporary directory at bench time) and wrk (Debian's package) drive the
 * same scripted server at the same concurrency levels and at fixed request rates. Each tool runs
 * alone against the server, one step per process; the server counts the requests it answered,
 * so each tool's own count is checked against the server's. wrk has no fixed-rate mode (that is
 * wrk2, not packaged by Debian): it runs the concurrency levels only.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_SCRIPT } from "../../fixtures/scripted-server/script.ts";
import { benchCases, casePrompt, MAX_TOKENS, writeBenchSuite } from "./lib/cases.ts";
import { runNodeMeasured } from "./lib/child.ts";
import type { BenchContext } from "./lib/context.ts";
import {
  type ExternalTools,
  findOrInstallTools,
  runAutocannon,
  runWrk,
  type ToolRun,
} from "./lib/load-tools.ts";
import { startServerProcess } from "./lib/server-process.ts";
import { OPBENCH_BIN, OPBENCH_NODE_FLAGS } from "./lib/tools.ts";

export interface LoadStepResult {
  tool: "opbench load" | "autocannon" | "wrk";
  /** Closed loop: connections / callers; null in rate mode. */
  concurrency: number | null;
  /** Fixed rate asked for, requests/s; null in closed-loop mode. */
  rate: number | null;
  durationS: number;
  /** Requests the tool says it completed (2xx). */
  toolCount: number | null;
  /** Requests the server answered during the tool's run. */
  serverCount: number;
  /** Completed requests per second of the step, as the server counted them. */
  ratePerS: number;
  /** opbench: p99 of actual − intended send time (rate mode), ms. */
  dispatchDelayP99Ms: number | null;
  /** Whether the step kept its rate: ≥ 95% of the asked rate (and, for opbench, dispatch delay p99 ≤ 1 ms). */
  sustained: boolean | null;
  cpuMs: number | null;
  peakRssMb: number | null;
  note?: string;
}

export interface LoadBenchResult {
  durationS: number;
  concurrency: number[];
  rates: number[];
  steps: LoadStepResult[];
  /** Why a tool did not run (offline, not root, smoke). */
  skipped: { tool: string; reason: string }[];
}

/** The largest dispatch delay p99 at which opbench's step counts as sustained, ms. */
export const MAX_DISPATCH_DELAY_P99_MS = 1;

/**
 * Warm-up of opbench's rate steps, seconds of arrivals (`--warmup rate × this`), as a user's
 * sweep has one (the README's example: `warmup: 4`): without it the dispatch delay p99 of a 5 s
 * step is its first dispatches' — connections opened, code not yet optimised — not the steady
 * rate's. Its requests are left out of the step's rate. The closed-loop steps have none, as
 * autocannon's and wrk's have none.
 */
export const RATE_WARMUP_S = 0.5;

export async function benchLoad(ctx: BenchContext): Promise<LoadBenchResult> {
  const durationS = ctx.smoke ? 1 : 5;
  const concurrency = ctx.smoke ? [4] : [8, 32, 64];
  const rates = ctx.smoke ? [50] : [250, 500, 1000, 2000, 4000];
  const tools: ExternalTools = await findOrInstallTools(ctx);
  const server = await startServerProcess(DEFAULT_SCRIPT);
  const steps: LoadStepResult[] = [];
  try {
    const cases = benchCases(64, DEFAULT_SCRIPT);
    const dir = join(ctx.workDir, "load");
    const suite = writeBenchSuite(dir, { url: server.url, cases, concurrency: 1, warmup: 0, stream: true });
    const body = JSON.stringify({
      messages: [{ role: "user", content: casePrompt(cases[0]!) }],
      max_tokens: MAX_TOKENS,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0,
      cache_prompt: false,
    });
    const bodyFile = join(dir, "body.json");
    writeFileSync(bodyFile, body);
    const url = `${server.url}/v1/chat/completions`;
    const settings: { concurrency: number | null; rate: number | null }[] = [
      ...concurrency.map((c) => ({ concurrency: c, rate: null })),
      ...rates.map((r) => ({ concurrency: null, rate: r })),
    ];
    for (let rep = 0; rep < ctx.reps; rep++) {
      for (const setting of settings) {
        const label = setting.rate === null ? `concurrency ${setting.concurrency}` : `${setting.rate}/s`;
        ctx.log(`load: repetition ${rep + 1}/${ctx.reps}, ${label}`);
        await server.truth(true);
        const op = await runOpbenchLoad(suite, dir, setting, durationS);
        steps.push(finish("opbench load", setting, durationS, op, (await server.truth(true)).length));
        if (tools.autocannon) {
          const ac = await runAutocannon(tools.autocannon, url, bodyFile, setting, durationS);
          steps.push(finish("autocannon", setting, durationS, ac, (await server.truth(true)).length));
        }
        if (tools.wrk && setting.concurrency !== null) {
          const wrk = await runWrk(tools.wrk, url, bodyFile, setting.concurrency, durationS, dir);
          steps.push(finish("wrk", setting, durationS, wrk, (await server.truth(true)).length));
        }
      }
    }
  } finally {
    await server.stop();
  }
  return { durationS, concurrency, rates, steps, skipped: tools.skipped };
}

function finish(
  tool: LoadStepResult["tool"],
  setting: { concurrency: number | null; rate: number | null },
  durationS: number,
  run: ToolRun,
  serverCount: number,
): LoadStepResult {
  const measured = serverCount - (run.warmup ?? 0);
  const ratePerS = run.windowS ? measured / run.windowS : measured / durationS;
  const delayOk = tool !== "opbench load" || (run.dispatchDelayP99Ms ?? 0) <= MAX_DISPATCH_DELAY_P99_MS;
  return {
    tool,
    ...setting,
    durationS,
    toolCount: run.count,
    serverCount,
    ratePerS,
    dispatchDelayP99Ms: run.dispatchDelayP99Ms ?? null,
    sustained: setting.rate === null ? null : ratePerS >= 0.95 * setting.rate && delayOk,
    cpuMs: run.cpuMs,
    peakRssMb: run.peakRssMb,
    ...(run.note && { note: run.note }),
  };
}

/** One step of `opbench load` (its own process), read back from load.json. */
async function runOpbenchLoad(
  suite: string,
  dir: string,
  setting: { concurrency: number | null; rate: number | null },
  durationS: number,
): Promise<ToolRun> {
  const out = join(dir, `opbench-${setting.concurrency ?? `r${setting.rate}`}-${Date.now()}`);
  const args = ["load", suite, "--out", out, "--duration", `${durationS}s`, "-o", "load-json"];
  args.push(
    ...(setting.rate === null
      ? ["--concurrency", String(setting.concurrency)]
      : ["--rates", String(setting.rate), "--max-in-flight", "1024"]),
  );
  const warmup = setting.rate === null ? 0 : Math.round(setting.rate * RATE_WARMUP_S);
  args.push("--warmup", String(warmup));
  args.push("--no-server-metrics");
  const run = await runNodeMeasured(OPBENCH_BIN, args, { cwd: dir, env: { CI: "1" } }, OPBENCH_NODE_FLAGS);
  if (run.exitCode !== 0) throw new Error(`opbench load exited ${run.exitCode}: ${run.stderr.slice(-2000)}`);
  const loadJson = JSON.parse(readFileSync(join(out, "load.json"), "utf8")) as
    | { steps?: StepLike[] }
    | StepLike[];
  const step = (Array.isArray(loadJson) ? loadJson : (loadJson.steps ?? []))[0];
  if (!step) throw new Error(`opbench load wrote no step in ${out}/load.json`);
  return {
    count: step.requests.succeeded + step.requests.warmup,
    windowS: null,
    dispatchDelayP99Ms: step.dispatch_delay_ms?.p99 ?? null,
    warmup: step.requests.warmup,
    cpuMs: run.cpuMs,
    peakRssMb: run.peakRssMb,
    note:
      step.requests.not_dispatched > 0
        ? `${step.requests.not_dispatched} arrivals not dispatched`
        : undefined,
  };
}

interface StepLike {
  requests: { succeeded: number; warmup: number; not_dispatched: number };
  dispatch_delay_ms: { p99: number } | null;
}

const num = (v: number | null | undefined, digits = 0) =>
  v === null || v === undefined ? "–" : v.toFixed(digits);

export function loadSection(
  result: LoadBenchResult,
  table: (header: string[], rows: string[][]) => string[],
): string[] {
  const best = (tool: string) => {
    const sustained = result.steps.filter((s) => s.tool === tool && s.sustained).map((s) => s.rate!);
    const closed = result.steps.filter((s) => s.tool === tool && s.rate === null).map((s) => s.ratePerS);
    return `${sustained.length ? Math.max(...sustained) : "–"} / ${closed.length ? Math.max(...closed).toFixed(0) : "–"}`;
  };
  const tools = [...new Set(result.steps.map((s) => s.tool))];
  return [
    "### Load mode vs HTTP load tools (scripted server, ~5 ms streamed responses)",
    "",
    `Each step ${result.durationS} s, one process per step and tool; counts: the tool's own (2xx) vs the server's. Sustained: ≥ 95% of the asked rate (opbench: and dispatch delay p99 ≤ ${MAX_DISPATCH_DELAY_P99_MS} ms, after a warm-up of ${RATE_WARMUP_S} s of arrivals, left out of its rate).`,
    ...result.skipped.map((s) => `\n**${s.tool} not run:** ${s.reason}`),
    "",
    ...table(
      ["tool", "highest fixed rate sustained / highest closed-loop rate, req/s"],
      tools.map((t) => [t, best(t)]),
    ),
    "",
    ...table(
      [
        "tool",
        "concurrency / rate",
        "server req/s",
        "tool count",
        "server count",
        "counts agree",
        "dispatch delay p99 ms",
        "sustained",
        "CPU ms",
        "CPU ms per 1,000 req",
        "peak RSS MB",
      ],
      result.steps.map((s) => [
        s.tool,
        s.rate === null ? `c=${s.concurrency}` : `${s.rate}/s`,
        num(s.ratePerS),
        num(s.toolCount),
        String(s.serverCount),
        s.toolCount === null
          ? "–"
          : s.toolCount === s.serverCount
            ? "yes"
            : `no (${s.toolCount - s.serverCount})`,
        num(s.dispatchDelayP99Ms, 2),
        s.sustained === null ? "–" : s.sustained ? "yes" : "no",
        num(s.cpuMs),
        s.cpuMs === null || s.serverCount === 0 ? "–" : num((s.cpuMs * 1000) / s.serverCount),
        num(s.peakRssMb),
      ]),
    ),
    "",
  ];
}
