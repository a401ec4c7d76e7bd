/**
 * The reproducibility record: what a reader needs to re-run the benchmark or judge its numbers —
 * opbench version, suite and its hash, git commit, each model's backend (llama.cpp build,
 * device), the host, and the price data.
 */
import { MODEL_SKIPPED } from "../../src/core/records.ts";
import type { Summary } from "../../src/metrics/summary.ts";
import { escapeHtml } from "./format.ts";

/** One line of the record: a label and its value (plain text). */
export interface RecordRow {
  label: string;
  value: string;
}

/** The llama.cpp build a backend reports, if any: a server's build_info, or the bundled release. */
function llamaCppBuild(backend: Record<string, unknown> | null): string | null {
  if (!backend) return null;
  if (typeof backend.build_info === "string") return backend.build_info;
  const release = backend.llama_cpp_release as { repo?: unknown; release?: unknown } | undefined;
  if (release && typeof release.release === "string") {
    const type = typeof backend.build_type === "string" ? ` (${backend.build_type})` : "";
    return `${typeof release.repo === "string" ? `${release.repo} ` : ""}${release.release}${type}`;
  }
  return null;
}

/** The record's rows, in reading order. */
export function reproducibilityRows(summary: Summary): RecordRow[] {
  const { run } = summary;
  const host = run.host;
  const gpus = host.gpus.length > 0 ? host.gpus.join(", ") : "none";
  const rows: RecordRow[] = [
    { label: "opbench", value: run.opbench_version },
    { label: "Suite", value: `${run.suite.name} (sha256 ${run.suite.hash})` },
    {
      label: "Git commit",
      value: run.git.commit ? `${run.git.commit}${run.git.dirty ? " (uncommitted changes)" : ""}` : "unknown",
    },
    {
      label: "Run",
      value: `${run.run_id}, ${run.started_at} to ${run.ended_at ?? "(not ended)"}, ${run.status}`,
    },
    {
      label: "Host",
      value: `${host.os} ${host.arch}, ${host.cpu}, ${host.cores} cores, ${host.memory_gb} GB; GPUs: ${gpus}`,
    },
    { label: "Node.js", value: run.node_version },
    {
      label: "Price data",
      value: summary.prices
        ? `${summary.prices.package} ${summary.prices.version ?? "(version unknown)"}, ${summary.prices.data}`
        : "none recorded",
    },
  ];
  for (const m of summary.models) {
    const backend = m.backend as Record<string, unknown> | null;
    const parts = [`runner ${m.runner}`];
    if (backend && typeof backend.device === "string") parts.push(`device ${backend.device}`);
    const build = llamaCppBuild(backend);
    if (build) parts.push(`llama.cpp ${build}`);
    if (m.error?.startsWith(MODEL_SKIPPED)) parts.push(m.error);
    else if (m.error) parts.push(`start failed: ${m.error}`);
    rows.push({ label: `Model ${m.model}`, value: parts.join(", ") });
  }
  return rows;
}

/** The record as an HTML definition list (every value escaped). */
export function renderReproducibility(rows: readonly RecordRow[]): string {
  const items = rows.map((r) => `<dt>${escapeHtml(r.label)}</dt><dd>${escapeHtml(r.value)}</dd>`).join("");
  return `<dl class="record">${items}</dl>`;
}
