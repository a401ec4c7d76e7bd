/**
 * Renders benchmark results as the Markdown section of BENCHMARKS.md between its markers:
 * the machine, the targets (met or not), and one table per benchmark. Values over repetitions
 * read "median (min–max)".
 */
import type { GateBenchResult } from "../gate.ts";
import type { HotPath } from "../hot-paths.ts";
import { type LoadBenchResult, loadSection } from "../load.ts";
import type { MemoryResult } from "../memory.ts";
import type { MergeResult } from "../merge.ts";
import type { OverheadScenario } from "../overhead.ts";
import type { PublishResult } from "../publish.ts";
import type { ReplayBenchResult } from "../replay.ts";
import type { ReportResult } from "../report.ts";
import { type SandboxBenchResult, sandboxSection, sandboxTargetRows } from "../sandbox.ts";
import { type ScoringResult, scoringSection, scoringTargetRows } from "../scoring.ts";
import { type StartupResult, startupSection, startupTargetRows } from "../startup.ts";
import type { ThroughputResult } from "../throughput.ts";
import type { VersusResult } from "../versus-promptfoo.ts";
import { type WorkersResult, workersSection } from "../workers.ts";
import type { Machine } from "./machine.ts";
import type { Spread } from "./stats.ts";

export interface BenchResults {
  machine: Machine;
  smoke: boolean;
  reps: number;
  overhead?: OverheadScenario[];
  hotPaths?: HotPath[];
  throughput?: ThroughputResult;
  memory?: MemoryResult;
  report?: ReportResult;
  merge?: MergeResult;
  publish?: PublishResult;
  scoring?: ScoringResult;
  sandbox?: SandboxBenchResult;
  gate?: GateBenchResult;
  replay?: ReplayBenchResult;
  versus?: VersusResult;
  startup?: StartupResult;
  load?: LoadBenchResult;
  workers?: WorkersResult;
  /** Benchmarks that threw, with their message. */
  errors: { bench: string; message: string }[];
}

export const RESULTS_START = "<!-- bench:results:start -->";
export const RESULTS_END = "<!-- bench:results:end -->";

const n = (value: number | null | undefined, digits = 2): string =>
  value === null || value === undefined ? "–" : value.toFixed(digits);

/** "median (min–max)", or the single value of one run. */
export function fmt(spread: Spread | null | undefined, digits = 2): string {
  if (!spread) return "–";
  if (spread.n === 1) return n(spread.median, digits);
  return `${n(spread.median, digits)} (${n(spread.min, digits)}–${n(spread.max, digits)})`;
}

/** A spread of milliseconds in seconds. */
const seconds = (spread: Spread | null): Spread | null =>
  spread && { ...spread, min: spread.min / 1000, median: spread.median / 1000, max: spread.max / 1000 };

const met = (ok: boolean | null): string => (ok === null ? "not measured" : ok ? "**met**" : "**not met**");

function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ];
}

/** One line per target of the issue, with the measured value and whether it is met. */
export function targetRows(results: BenchResults): string[][] {
  const rows: string[][] = [];
  for (const scenario of results.overhead ?? []) {
    for (const op of scenario.tools.filter((t) => t.tool.startsWith("opbench"))) {
      const worst = Math.max(op.e2eP50?.median ?? Infinity, op.e2eP99?.median ?? Infinity);
      const worstTtft = Math.max(op.ttftP50?.median ?? Infinity, op.ttftP99?.median ?? Infinity);
      rows.push([
        `1. overhead, ${scenario.name}, ${op.tool}`,
        `e2e and TTFT error p50, p99 ≤ ${scenario.targetMs} ms`,
        `e2e p50 ${fmt(op.e2eP50)}, p99 ${fmt(op.e2eP99)}; TTFT p50 ${fmt(op.ttftP50)}, p99 ${fmt(op.ttftP99)} ms`,
        met(Number.isFinite(worst) ? worst <= scenario.targetMs && worstTtft <= scenario.targetMs : null),
      ]);
    }
  }
  const t = results.throughput;
  for (const ratio of t?.ratios.filter((r) => r.bare !== "bare undici (close)") ?? []) {
    rows.push([
      `2. wall time, ${t!.cases} cases at concurrency ${t!.concurrency}, ${ratio.opbench}`,
      `≤ 1.25 × ${ratio.bare}`,
      `${fmt(ratio.wall)} ×`,
      met(ratio.wall ? ratio.wall.median <= 1.25 : null),
    ]);
    if (ratio.bare === "minimal undici loop (Pool)")
      rows.push([
        `19. CPU time, ${t!.cases} cases at concurrency ${t!.concurrency}, ${ratio.opbench}`,
        `≤ 1.5 × ${ratio.bare}`,
        `${fmt(ratio.cpu)} ×`,
        met(ratio.cpu ? ratio.cpu.median <= 1.5 : null),
      ]);
  }
  const sizes = t?.rssByCases ?? [];
  if (sizes.length >= 2) {
    const first = sizes[0]!;
    const last = sizes[sizes.length - 1]!;
    const growth = first.peakRssMb && last.peakRssMb ? last.peakRssMb / first.peakRssMb : null;
    rows.push([
      `2. opbench run peak RSS, ${first.cases.toLocaleString("en")} → ${last.cases.toLocaleString("en")} cases`,
      "does not grow with the number of cases (largest run ≤ 1.25 × the smallest's)",
      `${sizes.map((size) => n(size.peakRssMb, 0)).join(" → ")} MB${
        last.earlyPeakRssMb
          ? ` (the ${last.cases.toLocaleString("en")}-case run: ${n(last.earlyPeakRssMb, 0)} MB by its 3rd second)`
          : ""
      }`,
      met(growth === null ? null : growth <= 1.25),
    ]);
  }
  const m = results.memory;
  if (m) {
    const million = m.summaries.filter((s) => s.records === 1_000_000);
    const worst = million.length ? Math.max(...million.map((s) => s.peakRssMb ?? Infinity)) : null;
    rows.push([
      "2. memory, summary of 1,000,000 records",
      "< 150 MB peak RSS",
      worst === null ? "–" : `${n(worst, 0)} MB`,
      met(worst === null ? null : worst < 150),
    ]);
  }
  const r = results.report;
  if (r) {
    const what = `12. report.html of ${r.records.toLocaleString("en")} calls`;
    const wallS = seconds(r.wallMs);
    rows.push([
      `${what}, time`,
      "≤ 5 s (whole process)",
      `${fmt(wallS, 1)} s`,
      met(wallS ? wallS.median <= 5 : null),
    ]);
    rows.push([
      `${what}, memory`,
      "≤ 200 MB peak RSS",
      `${fmt(r.peakRssMb, 0)} MB`,
      met(r.peakRssMb ? r.peakRssMb.median <= 200 : null),
    ]);
    rows.push([`${what}, size`, "< 3 MB", `${n(r.htmlMb, 2)} MB`, met(r.htmlMb < 3)]);
  }
  const merged = results.merge?.sizes ?? [];
  const issueSize = merged.find((m) => m.calls === 100_000);
  const largest = merged.at(-1);
  if (issueSize && largest && largest !== issueSize) {
    const growth =
      issueSize.peakRssMb && largest.peakRssMb ? largest.peakRssMb.median / issueSize.peakRssMb.median : null;
    rows.push([
      `13. opbench merge of ${largest.shards} shards: ${merged.map((m) => m.calls.toLocaleString("en")).join(" → ")} calls`,
      `flat memory: peak RSS at ${largest.calls.toLocaleString("en")} calls ≤ 1.25 × at 100,000 (the issue's 10 × 10,000)`,
      `${merged.map((m) => fmt(m.peakRssMb, 0)).join(" → ")} MB; ${merged.map((m) => fmt(seconds(m.wallMs), 1)).join(" → ")} s`,
      met(growth === null ? null : growth <= 1.25),
    ]);
  }
  const p = results.publish;
  if (p) {
    const wallS = seconds(p.wallMs);
    rows.push([
      `16. opbench publish of ${p.runs} runs, time`,
      "≤ 30 s (whole process)",
      `${fmt(wallS, 1)} s`,
      met(wallS ? wallS.median <= 30 : null),
    ]);
    rows.push([
      `16. opbench publish of ${p.runs} runs, page sizes`,
      "index and trend page < 1 MB each",
      `${n(p.indexMb, 2)} MB, ${n(p.trendMb, 2)} MB`,
      met(p.indexMb < 1 && p.trendMb < 1),
    ]);
  }
  if (results.startup) rows.push(...startupTargetRows(results.startup));
  if (results.scoring) rows.push(...scoringTargetRows(results.scoring, (w) => fmt(seconds(w), 1)));
  if (results.sandbox) rows.push(...sandboxTargetRows(results.sandbox));
  const g = results.gate;
  if (g) {
    for (const [name, measured] of [
      ["gate", g.gate],
      ["compare", g.compare],
    ] as const) {
      const wallS = seconds(measured.wallMs);
      rows.push([
        `13. opbench ${name}, two runs of ${g.records.toLocaleString("en")} calls`,
        "≤ 3 s (whole process)",
        `${fmt(wallS, 1)} s`,
        met(wallS ? wallS.median <= 3 : null),
      ]);
    }
  }
  const rp = results.replay;
  if (rp) {
    const wallS = seconds(rp.wallMs);
    rows.push(
      [
        `20. opbench init --from, ${rp.lines.toLocaleString("en")} logged calls`,
        "≥ 100,000 calls/s",
        `${fmt(rp.callsPerS, 0)} calls/s`,
        met(rp.callsPerS ? rp.callsPerS.median >= 100_000 : null),
      ],
      [
        `20. opbench init --from --sample 500 of a ${n(rp.logMb / 1000, 2)} GB log`,
        "< 60 s and < 200 MB peak RSS",
        `${fmt(wallS, 1)} s, ${fmt(rp.peakRssMb, 0)} MB`,
        met(wallS && rp.peakRssMb ? wallS.median < 60 && rp.peakRssMb.median < 200 : null),
      ],
    );
  }
  const v = results.versus;
  const pf = v?.tools.find((x) => x.tool.startsWith("promptfoo"));
  for (const op of v?.tools.filter((x) => x.tool.startsWith("opbench") && x.tool.includes("streamed")) ??
    []) {
    const speed = pf?.wallMs && op.wallMs ? pf.wallMs.median / op.wallMs.median : null;
    const memory = pf?.peakRssMb && op.peakRssMb ? op.peakRssMb.median / pf.peakRssMb.median : null;
    const noPromptfoo = `– (${v!.promptfooError ? "promptfoo did not run" : "no data"})`;
    rows.push([
      `3. ${v!.cases} cases at concurrency ${v!.concurrency}, ${op.tool}: speed vs promptfoo`,
      "≥ 5× faster",
      speed === null ? noPromptfoo : `${n(speed, 1)} ×`,
      met(speed === null ? null : speed >= 5),
    ]);
    rows.push([
      `3. memory vs promptfoo, ${op.tool}`,
      "≤ 1/3 of promptfoo's peak RSS",
      memory === null ? noPromptfoo : `${n(memory, 2)} of promptfoo's`,
      met(memory === null ? null : memory <= 1 / 3),
    ]);
    const worst = Math.max(op.e2eErrorP50?.median ?? Infinity, op.e2eErrorP99?.median ?? Infinity);
    rows.push([
      `3. latency error, ${op.tool}`,
      "within point 1's bounds (≤ 2 ms at concurrency 16)",
      `e2e p50 ${fmt(op.e2eErrorP50)}, p99 ${fmt(op.e2eErrorP99)}; TTFT p50 ${fmt(op.ttftErrorP50)}, p99 ${fmt(op.ttftErrorP99)} ms`,
      met(Number.isFinite(worst) ? worst <= 2 : null),
    ]);
  }
  return rows;
}

/** The whole generated section. */
export function renderResults(results: BenchResults): string {
  const { machine } = results;
  const out: string[] = [RESULTS_START, ""];
  out.push(
    `Generated by \`npm run bench\`${results.smoke ? " **--smoke (sizes too small to mean anything)**" : ""} on ${machine.date.slice(0, 10)}, ${results.reps} repetition(s); opbench ${machine.commit ?? "?"}${machine.dirty ? " (uncommitted changes)" : ""}.`,
    "",
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GiB RAM, Linux ${machine.kernel}, Node ${machine.node}; 1-minute load average at start ${machine.loadAverage}.`,
    "",
    ...lscpuLines(machine),
    "### Targets",
    "",
    ...table(
      ["target", "bound", "measured: median (min–max) over repetitions", "verdict"],
      targetRows(results),
    ),
    "",
  );
  for (const { bench, message } of results.errors)
    out.push(`**${bench} failed:** ${message.split("\n")[0]}`, "");
  for (const scenario of results.overhead ?? []) {
    out.push(`### Overhead: ${scenario.description}`, "");
    out.push(
      `${scenario.load.calls} measured calls after ${scenario.load.warmup} warm-up calls; error = client − server, ms.`,
      "",
    );
    out.push(
      ...table(
        [
          "tool",
          "e2e error p50",
          "e2e error p99",
          "TTFT error p50",
          "TTFT error p99",
          "server e2e p50 (its own clock)",
        ],
        scenario.tools.map((t) => [
          t.tool,
          fmt(t.e2eP50),
          fmt(t.e2eP99),
          fmt(t.ttftP50),
          fmt(t.ttftP99),
          n(t.runs[0]?.serverE2eMs?.p50),
        ]),
      ),
      "",
    );
  }
  if (results.hotPaths) {
    out.push("### Hot paths (tinybench, in process, no network)", "");
    out.push(
      ...table(
        ["operation", "ops/s (median)", "median µs", "p99 µs"],
        results.hotPaths.map((h) => [
          `${h.name} (per ${h.unit})`,
          Math.round(h.opsPerSec).toLocaleString("en"),
          n(h.medianUs, 1),
          n(h.p99Us, 1),
        ]),
      ),
      "",
    );
  }
  const t = results.throughput;
  if (t) {
    out.push(
      `### Throughput: ${t.cases.toLocaleString("en")} cases, ~5 ms streamed calls, concurrency ${t.concurrency}`,
      "",
    );
    out.push(
      ...table(
        ["tool", "wall s (process)", "calls s (in process)", "peak RSS MB", "CPU s"],
        t.tools.map((x) => [
          x.tool,
          fmt(scale(x.wallMs, 1e-3)),
          fmt(scale(x.callsMs, 1e-3)),
          fmt(x.peakRssMb, 0),
          fmt(scale(x.cpuMs, 1e-3)),
        ]),
      ),
      "",
      ...table(
        ["ratio", "wall (process)", "calls only", "CPU time"],
        t.ratios.map((r) => [`${r.opbench} ÷ ${r.bare}`, fmt(r.wall), fmt(r.calls), fmt(r.cpu)]),
      ),
      "",
    );
  }
  if (t && t.rssByCases.length > 0) {
    out.push(
      ...table(
        ["cases (opbench run)", "peak RSS MB", "peak RSS in its first 3 s, MB", "wall s"],
        t.rssByCases.map((r) => [
          r.cases.toLocaleString("en"),
          n(r.peakRssMb, 0),
          r.earlyPeakRssMb ? n(r.earlyPeakRssMb, 0) : "– (ended sooner)",
          n(r.wallMs / 1000, 1),
        ]),
      ),
      "",
    );
  }
  const m = results.memory;
  if (m) {
    out.push("### Memory: `opbench summary` over synthetic logs", "");
    out.push(
      `Floor: an empty Node process peaks at ${n(m.nodeBaselineRssMb, 0)} MB; \`opbench --help\` at ${n(m.cliBaselineRssMb, 0)} MB.`,
      "",
    );
    out.push(
      ...table(
        ["records", "distinct cases", "log MB", "peak RSS MB", "wall s"],
        m.summaries.map((s) => [
          s.records.toLocaleString("en"),
          s.cases.toLocaleString("en"),
          n(s.logMb, 0),
          n(s.peakRssMb, 0),
          n(s.wallMs / 1000, 1),
        ]),
      ),
      "",
    );
  }
  const r = results.report;
  if (r) {
    out.push("### Report: `opbench report DIR -o html` over a synthetic run", "");
    out.push(
      ...table(
        ["calls", "log MB", "wall s", "peak RSS MB", "report.html MB"],
        [
          [
            r.records.toLocaleString("en"),
            n(r.logMb, 0),
            fmt(seconds(r.wallMs), 1),
            fmt(r.peakRssMb, 0),
            n(r.htmlMb, 2),
          ],
        ],
      ),
      "",
    );
  }
  if (results.merge) {
    out.push(...renderMerge(results.merge), "");
  }
  if (results.scoring) {
    out.push(
      ...scoringSection(
        results.scoring,
        table,
        (w) => fmt(seconds(w), 1),
        (m) => fmt(m, 0),
      ),
    );
  }
  if (results.sandbox) out.push(...sandboxSection(results.sandbox, table));
  const g = results.gate;
  if (g) {
    out.push(
      "### Gates: `opbench gate B --baseline A` and `opbench compare A B` over two synthetic runs",
      "",
    );
    out.push(
      ...table(
        ["command", "calls per run", "log MB per run", "wall s", "CPU s (user + system)", "peak RSS MB"],
        (["gate", "compare"] as const).map((name) => [
          `opbench ${name}`,
          g.records.toLocaleString("en"),
          n(g.logMb, 0),
          fmt(seconds(g[name].wallMs), 1),
          fmt(seconds(g[name].cpuMs), 1),
          fmt(g[name].peakRssMb, 0),
        ]),
      ),
      "",
    );
  }
  const rp = results.replay;
  if (rp) {
    out.push("### Replay: `opbench init --from` over a synthetic chat-completions log", "");
    out.push(
      ...table(
        [
          "logged calls",
          "log MB",
          "wall s",
          "CPU s (user + system)",
          "peak RSS MB",
          "calls/s",
          "calls per CPU-s",
        ],
        [
          [
            rp.lines.toLocaleString("en"),
            n(rp.logMb, 0),
            fmt(seconds(rp.wallMs), 1),
            fmt(seconds(rp.cpuMs), 1),
            fmt(rp.peakRssMb, 0),
            fmt(rp.callsPerS, 0),
            fmt(rp.callsPerCpuS, 0),
          ],
        ],
      ),
      "",
    );
  }
  const v = results.versus;
  if (v) {
    out.push(
      `### Versus promptfoo ${v.promptfooVersion}: ${v.cases.toLocaleString("en")} cases, ~5 ms calls, concurrency ${v.concurrency}`,
      "",
    );
    if (v.promptfooError)
      out.push(`promptfoo could not be measured: \`${v.promptfooError.split("\n")[0]}\``, "");
    out.push(
      ...table(
        [
          "tool",
          "wall s",
          "peak RSS MB",
          "e2e error p50 ms",
          "e2e error p99 ms",
          "TTFT error p50 ms",
          "TTFT error p99 ms",
        ],
        v.tools.map((x) => [
          x.tool,
          fmt(scale(x.wallMs, 1e-3)),
          fmt(x.peakRssMb, 0),
          fmt(x.e2eErrorP50),
          fmt(x.e2eErrorP99),
          fmt(x.ttftErrorP50),
          fmt(x.ttftErrorP99),
        ]),
      ),
      "",
    );
  }
  if (results.startup) out.push(...startupSection(results.startup, table));
  if (results.load) out.push(...loadSection(results.load, table));
  if (results.workers) out.push(...workersSection(results.workers, table, fmt));
  out.push(RESULTS_END);
  return out.join("\n");
}

/** The merge benchmark's table: one row per size. */
export function renderMerge(result: MergeResult): string[] {
  return [
    "### Merge: `opbench merge` of synthetic shards (`-o summary-json`)",
    "",
    ...table(
      ["shards", "calls", "calls per shard", "logs MB", "wall s", "CPU s", "peak RSS MB"],
      result.sizes.map((m) => [
        String(m.shards),
        m.calls.toLocaleString("en"),
        `${m.perShard[0].toLocaleString("en")}–${m.perShard[1].toLocaleString("en")}`,
        n(m.logsMb, 0),
        fmt(seconds(m.wallMs), 1),
        fmt(seconds(m.cpuMs), 1),
        fmt(m.peakRssMb, 0),
      ]),
    ),
  ];
}

const LSCPU_KEYS =
  /^(Model name|CPU\(s\)|Thread\(s\) per core|Core\(s\) per socket|CPU max MHz|L[123]\w* cache|Hypervisor vendor|Virtualization type):/;

/** The informative lines of `lscpu`, as a code block (none off Linux). */
function lscpuLines(machine: Machine): string[] {
  const lines = machine.lscpu?.split("\n").filter((line) => LSCPU_KEYS.test(line)) ?? [];
  return lines.length ? ["```", ...lines.map((line) => line.replace(/\s{2,}/g, "  ")), "```", ""] : [];
}

function scale(spread: Spread | null, factor: number): Spread | null {
  return (
    spread && {
      n: spread.n,
      min: spread.min * factor,
      median: spread.median * factor,
      max: spread.max * factor,
    }
  );
}

/** Replaces the generated section of `markdown` (between the markers) with `section`. */
export function replaceResults(markdown: string, section: string): string {
  const start = markdown.indexOf(RESULTS_START);
  const end = markdown.indexOf(RESULTS_END);
  if (start < 0 || end < start)
    throw new Error(`BENCHMARKS.md has no ${RESULTS_START} … ${RESULTS_END} section`);
  return markdown.slice(0, start) + section + markdown.slice(end + RESULTS_END.length);
}
