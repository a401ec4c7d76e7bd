/** The report's evaluation-overhead table: each LLM judge's calls, tokens, cost and time. */
import type { Summary } from "../../src/metrics/summary.ts";
import { enUS, escapeHtml, ms, usd } from "./format.ts";

/** The section, or "" when the run had no judge. */
export function renderJudgeOverhead(summary: Summary): string {
  const judges = summary.judges ?? [];
  if (judges.length === 0) return "";
  const rows = judges.map((j) => {
    const status = j.error === null ? "started" : escapeHtml(j.error);
    const cost =
      j.cost_usd === null
        ? "unknown"
        : `${usd(j.cost_usd)}${j.unpriced_calls > 0 ? ` (${j.unpriced_calls} unpriced)` : ""}`;
    return `<tr><td>${escapeHtml(j.judge)}</td><td>${escapeHtml(j.runner ?? "")}</td><td>${status}</td><td>${j.calls}</td><td>${j.failed_calls}</td><td>${enUS(j.input_tokens)}</td><td>${enUS(j.output_tokens)}</td><td>${cost}</td><td>${ms(j.time_ms)}</td></tr>`;
  });
  return `<section id="judges"><h2>Evaluation overhead (LLM judges)</h2>
<p>What grading with LLM judges cost. Not part of any model's cost, latency or energy above.</p>
<table class="judges"><thead><tr><th>judge</th><th>runner</th><th>status</th><th>calls</th><th>failed</th><th>input tokens</th><th>output tokens</th><th>cost</th><th>time in calls</th></tr></thead>
<tbody>${rows.join("\n")}</tbody></table></section>`;
}
