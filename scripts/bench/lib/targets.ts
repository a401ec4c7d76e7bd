/** The targets table of BENCHMARKS.md: one row per target of the issues, the measured value and its verdict. */

import { sandboxTargetRows } from "../sandbox.ts";
import { scoringTargetRows } from "../scoring.ts";
import { startupTargetRows } from "../startup.ts";
import { fmt, met, n, seconds } from "./markdown.ts";
import type { BenchResults } from "./report.ts";

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
      ...(rp.batch ?? []).map((b) => [
        `20. opbench init --from, ${b.format}, ${b.calls.toLocaleString("en")} calls`,
        "≥ 100,000 calls/s and < 200 MB peak RSS",
        `${fmt(b.callsPerS, 0)} calls/s, ${fmt(b.peakRssMb, 0)} MB`,
        met(b.callsPerS && b.peakRssMb ? b.callsPerS.median >= 100_000 && b.peakRssMb.median < 200 : null),
      ]),
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
