/**
 * The gates section of the Markdown report (report.md, the GitHub step summary): the overall
 * verdict, then one row per gate × model × task with its numbers and test. Pure.
 */
import type { GateReport, GateVerdict } from "../src/metrics/gate-report.ts";

const MARK: Record<GateVerdict["status"], string> = {
  pass: "✅ pass",
  fail: "❌ fail",
  inconclusive: "⚠️ inconclusive",
  unknown: "❌ unknown",
};

/** The section's lines (no trailing blank line); `esc` is the report's Markdown escaping. */
export function gatesMarkdown(report: GateReport, esc: (text: string) => string): string[] {
  const failed = report.verdicts.filter((v) => v.status === "fail" || v.status === "unknown").length;
  const inconclusive = report.verdicts.filter((v) => v.status === "inconclusive").length;
  const headline =
    report.status === "pass"
      ? `**Gates: passed** (${report.verdicts.length} checks${inconclusive ? `, ${inconclusive} inconclusive` : ""})`
      : `**Gates: FAILED** (${failed} of ${report.verdicts.length} checks)`;
  const lines = ["### Gates", "", headline];
  if (report.baseline) {
    lines.push(
      "",
      `Baseline: ${esc(report.baseline.source)} (suite ${esc(report.baseline.suite)}, α = ${report.alpha})`,
    );
  }
  if (report.error_rate && report.max_error_rate !== null) {
    const { failed: f, calls, rate, exceeded } = report.error_rate;
    const pct = rate === null ? "unknown" : `${(rate * 100).toFixed(2)}%`;
    lines.push(
      "",
      `${exceeded ? "❌" : "✅"} failed calls: ${f} of ${calls} (${pct}), allowed ≤ ${(report.max_error_rate * 100).toFixed(2)}%`,
    );
  }
  if (report.verdicts.length > 0) {
    lines.push("", "| | gate | model | task | result |", "| --- | --- | --- | --- | --- |");
    for (const v of report.verdicts) {
      const result = v.message.slice(v.message.indexOf(": ") + 2);
      lines.push(
        `| ${MARK[v.status]} | ${esc(v.gate)} | ${esc(v.model)} | ${esc(v.task ?? "")} | ${esc(result)} |`,
      );
    }
  }
  const warnings = [
    ...report.warnings,
    ...report.verdicts.flatMap((v) => v.warnings.map((w) => `${v.model}: ${w}`)),
  ];
  if (warnings.length > 0) lines.push("", ...warnings.map((w) => `> ${esc(w)}`));
  return lines;
}
