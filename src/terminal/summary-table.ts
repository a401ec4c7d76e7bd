/** The compact table printed at the end of a run: one row per model × task. */
import Table from "cli-table3";
import pc from "picocolors";
import type { GroupSummary, LatencySummary, ScorerAccuracy } from "../metrics/group.ts";
import type { Summary } from "../metrics/summary.ts";
import { savingsLine } from "./savings-lines.ts";

/** "82.1% [71.0–89.6]" (interval omitted when the data can't support one). */
export function formatAccuracy(acc: ScorerAccuracy): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}`;
  const interval = acc.lower !== null && acc.upper !== null ? ` [${pct(acc.lower)}–${pct(acc.upper)}]` : "";
  return `${pct(acc.mean)}%${interval}`;
}

/** Milliseconds with sensible precision: 0.42 ms, 12.3 ms, 1234 ms. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "–";
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

const p50 = (l: LatencySummary | null) => formatMs(l?.p50);

function row(r: GroupSummary): string[] {
  const [primary, ...others] = r.accuracy;
  const accuracy = primary
    ? [
        `${formatAccuracy(primary)} ${pc.dim(primary.scorer)}`,
        ...others.map((a) => `${formatAccuracy(a)} ${pc.dim(a.scorer)}`),
      ].join("\n")
    : "–";
  const errors =
    r.failed === 0
      ? "0"
      : pc.red(
          `${r.failed} (${Object.entries(r.errors_by_class)
            .map(([c, n]) => `${c} ${n}`)
            .join(", ")})`,
        );
  const tps = r.throughput.output_tokens_per_s;
  return [
    r.model,
    r.task ?? "",
    `${r.succeeded}/${r.calls}`,
    accuracy,
    p50(r.latency.ttft_ms),
    `${p50(r.latency.e2e_ms)} / ${formatMs(r.latency.e2e_ms?.p95)}`,
    p50(r.latency.tpot_ms),
    tps === null ? "–" : tps.toFixed(1),
    errors,
  ];
}

/** "$0.0123" with enough digits for tiny per-call costs; "unknown" for null. */
export function formatUsd(usd: number | null): string {
  if (usd === null) return "unknown";
  if (usd === 0) return "$0";
  return usd >= 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toPrecision(3)}`;
}

function costTable(summary: Summary): Table.Table {
  const table = new Table({
    head: [
      "model",
      "task",
      "cost / 1k calls",
      "cost / correct",
      "cost source",
      "energy / call",
      "energy source",
    ],
    style: { head: ["cyan"], border: [] },
  });
  for (const r of summary.results) {
    const source =
      r.cost.source === "local-estimate" ? `local estimate (${r.cost.local?.mode})` : (r.cost.source ?? "–");
    const wh = r.energy.per_call_j === null ? "unknown" : `${(r.energy.per_call_j / 3600).toPrecision(3)} Wh`;
    table.push([
      r.model,
      r.task ?? "",
      formatUsd(r.cost.per_1k_calls_usd),
      formatUsd(r.cost.per_correct_usd),
      source,
      wh,
      r.energy.source ?? "–",
    ]);
  }
  return table;
}

/** Prints the table and notes (demo model, failed model starts, where the files are). */
export function printSummary(summary: Summary, write: (line: string) => void): void {
  const table = new Table({
    head: [
      "model",
      "task",
      "ok/calls",
      "accuracy [95% CI]",
      "TTFT p50",
      "e2e p50 / p95",
      "TPOT p50",
      "out tok/s",
      "errors",
    ],
    style: { head: ["cyan"], border: [] },
  });
  if (summary.results.length === 0) return;
  for (const r of summary.results) table.push(row(r));
  write(table.toString());
  write(costTable(summary).toString());
  for (const s of summary.savings) write(pc.bold(savingsLine(s)));
  for (const m of summary.models) {
    if (m.error) write(pc.red(`${m.model}: did not start: ${m.error}`));
    if (m.energy) {
      const notes = m.energy.notes.length > 0 ? ` (${m.energy.notes.join("; ")})` : "";
      write(pc.dim(`${m.model}: energy ${m.energy.method ?? "unknown"}: ${m.energy.description}${notes}`));
    }
    if (m.backend?.demo_model) {
      write(
        pc.yellow(
          `${m.model}: opbench's built-in DEMO model (random weights): its accuracy means nothing. ` +
            "Use --model <file.gguf|llama-server URL> or set models[] in the suite.",
        ),
      );
    }
  }
  if (summary.run.status !== "completed") write(pc.yellow(`run status: ${summary.run.status}`));
}
