/** The table `opbench load` prints: one row per step, then the best step that met the SLO. */
import Table from "cli-table3";
import pc from "picocolors";
import type { LatencySummary } from "../metrics/group.ts";
import type { SloConfig } from "../suite/load-schema.ts";
import { formatMs } from "../terminal/summary-table.ts";
import type { LoadStepSummary } from "./step-summary.ts";
import type { LoadSummary } from "./summary.ts";

const rate = (x: number | null, digits = 2) => (x === null ? "–" : x.toFixed(digits));
const p50p99 = (l: LatencySummary | null) => (l ? `${formatMs(l.p50)} / ${formatMs(l.p99)}` : "–");
const pct = (x: number | null) => (x === null ? "–" : `${(x * 100).toFixed(1)}%`);

/** "c=4" or "5 req/s". */
export function levelLabel(step: Pick<LoadStepSummary, "concurrency" | "rate_per_s">): string {
  if (step.concurrency !== null) return `c=${step.concurrency}`;
  return `${step.rate_per_s ?? "?"} req/s`;
}

/** "ttft ≤ 500 ms, tpot ≤ 50 ms", or "none". */
export function describeSlo(slo: SloConfig): string {
  const parts = (["ttft_ms", "tpot_ms", "e2e_ms"] as const)
    .filter((key) => slo[key] !== undefined)
    .map((key) => `${key.replace("_ms", "")} ≤ ${slo[key]} ms`);
  return parts.length > 0 ? parts.join(", ") : "none (every successful call counts)";
}

function row(s: LoadStepSummary): string[] {
  const r = s.requests;
  const sent = `${r.succeeded}/${r.offered}${r.not_dispatched > 0 ? pc.yellow(` (${r.not_dispatched} not sent)`) : ""}`;
  const errors =
    s.errors.total === 0
      ? "0"
      : pc.red(
          Object.entries(s.errors.by_class)
            .map(([c, n]) => `${c} ${n}`)
            .join(", "),
        );
  const busy = s.server_metrics?.busy_slots_per_decode;
  const deferred = s.server_metrics?.gauges_max["llamacpp:requests_deferred"];
  const server =
    busy === undefined || busy === null
      ? "–"
      : `${busy.toFixed(2)}${deferred !== undefined && deferred > 0 ? ` (${deferred} queued)` : ""}`;
  return [
    String(s.step),
    levelLabel(s),
    sent,
    s.rate_per_s !== null
      ? `${rate(s.requests_per_s)} (sent ${rate(s.achieved_rate_per_s)})`
      : rate(s.requests_per_s),
    rate(s.output_tokens_per_s, 1),
    p50p99(s.ttft_corrected_ms),
    p50p99(s.tpot_ms),
    p50p99(s.e2e_corrected_ms),
    formatMs(s.dispatch_delay_ms?.p99),
    pct(s.goodput.fraction),
    server,
    errors,
  ];
}

/** Prints the step table and the headline line. */
export function printLoadSummary(summary: LoadSummary, write: (line: string) => void): void {
  const table = new Table({
    head: [
      "step",
      "load",
      "ok/offered",
      "req/s",
      "out tok/s",
      "TTFT* p50 / p99",
      "TPOT p50 / p99",
      "e2e* p50 / p99",
      "delay p99",
      "goodput",
      "busy slots",
      "errors",
    ],
    style: { head: ["cyan"], border: [] },
  });
  for (const step of summary.steps) table.push(row(step));
  write(table.toString());
  write(
    pc.dim(
      "* from the intended send time (corrected for coordinated omission); delay: actual − intended send; " +
        "busy slots: mean slots per llama_decode() (server /metrics)",
    ),
  );
  const slo = `SLO ${describeSlo(summary.slo)}, met by ≥ ${pct(summary.attainment)} of calls`;
  const best = summary.max_goodput_throughput;
  if (best) {
    const tokens =
      best.output_tokens_per_s === null ? "" : `, ${best.output_tokens_per_s.toFixed(1)} output tok/s`;
    write(
      pc.green(
        `Max throughput meeting the ${slo}: ${levelLabel(best)} (step ${best.step}): ` +
          `${best.requests_per_s.toFixed(2)} req/s${tokens}, goodput ${pct(best.goodput)}`,
      ),
    );
  } else {
    write(pc.yellow(`No step met the ${slo}.`));
  }
  if (summary.stopped && summary.stopped !== "levels_done")
    write(pc.dim(`Sweep stopped: ${summary.stopped}`));
}
