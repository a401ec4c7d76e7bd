/** The compact table printed at the end of a run: one row per model × task. */

import Table from "cli-table3";
import pc from "picocolors";
import { MODEL_SKIPPED } from "../core/records.ts";
import { DEFAULT_CARBON_G_PER_KWH } from "../energy/carbon.ts";
import type { GroupSummary, LatencySummary, ScorerAccuracy } from "../metrics/group.ts";
import type { Summary } from "../metrics/summary.ts";
import {
  bandLabel,
  energySourceLabel,
  formatCarbonPerMillion,
  formatCompute,
  formatWh,
} from "./energy-labels.ts";
import { judgeOverheadLines } from "./judge-lines.ts";
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
      "compute / call",
      "CO2e / 1M calls",
    ],
    style: { head: ["cyan"], border: [] },
  });
  for (const r of summary.results) {
    const local = r.cost.source === "local-estimate";
    const source = local ? `local estimate (${r.cost.local?.mode})` : (r.cost.source ?? "–");
    // Marginal local cost is energy × price: it carries the energy's band.
    const band = local && r.cost.local?.mode === "marginal" ? bandLabel(r.energy.band) : "";
    const withBand = (usd: string) => (band && usd !== "unknown" ? `${usd} ${band}` : usd);
    table.push([
      r.model,
      r.task ?? "",
      withBand(formatUsd(r.cost.per_1k_calls_usd)),
      withBand(formatUsd(r.cost.per_correct_usd)),
      source,
      formatWh(r.energy.per_call_j),
      energySourceLabel(r.energy),
      formatCompute(r.compute),
      formatCarbonPerMillion(r.carbon),
    ]);
  }
  return table;
}

/** The lines under the cost table: the carbon default and how to get the full local cost, once each. */
function costNotes(summary: Summary): string[] {
  const notes: string[] = [];
  if (summary.results.some((r) => r.carbon?.source === "default" && r.carbon.per_1m_calls_kg !== null)) {
    notes.push(
      `* CO2e at the default grid intensity, ${DEFAULT_CARBON_G_PER_KWH} gCO2/kWh (world average 2022, Ember); ` +
        "set models[].energy.carbon_g_per_kwh for your grid",
    );
  }
  const marginal = [
    ...new Set(
      summary.results
        .filter(
          (r) =>
            r.cost.source === "local-estimate" &&
            r.cost.local?.mode === "marginal" &&
            r.cost.total_usd !== null,
        )
        .map((r) => r.model),
    ),
  ];
  if (marginal.length > 0) {
    notes.push(
      `${marginal.join(", ")}: local cost is electricity only (energy × $/kWh); for the full cost give ` +
        "models[].hardware.usd_per_hour (a cloud instance's hourly rate, or purchase price ÷ hours of service)",
    );
  }
  return notes;
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
  for (const note of costNotes(summary)) write(pc.dim(note));
  for (const r of summary.results) {
    const weighted = r.accuracy.find((a) => a.calls !== undefined);
    if (weighted) {
      write(
        pc.dim(
          `${r.model} · ${r.task}: accuracy weighted by logged calls: ${weighted.n} case(s) stand for ${weighted.calls} call(s), each counted (the traffic's rate); intervals treat each case as one draw`,
        ),
      );
    }
  }
  for (const s of summary.savings) write(pc.bold(savingsLine(s)));
  for (const line of judgeOverheadLines(summary.judges)) write(pc.dim(line));
  for (const m of summary.models) {
    if (m.error?.startsWith(MODEL_SKIPPED)) write(pc.yellow(`${m.model}: ${m.error}`));
    else if (m.error) write(pc.red(`${m.model}: did not start: ${m.error}`));
    if (m.energy) {
      const notes = m.energy.notes.length > 0 ? ` (${m.energy.notes.join("; ")})` : "";
      const method = m.energy.method ?? "unknown";
      const description = m.energy.description.replace(new RegExp(`^${method}:\\s*`), "");
      write(pc.dim(`${m.model}: energy ${method}: ${description}${notes}`));
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
