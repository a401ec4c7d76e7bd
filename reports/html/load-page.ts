/**
 * The load report page: report.html of `opbench load`, from load.json alone. The same shell as
 * the run report (stylesheet, drawing script, inlined libraries, escaping): the step the summary
 * names as the highest throughput meeting the SLO, throughput vs latency, goodput per step, and a
 * table of every step with its cost and energy where known ("—" where not: never a made-up 0).
 */
import type { LoadStepSummary } from "../../src/load/step-summary.ts";
import type { LoadSummary } from "../../src/load/summary.ts";
import { renderSlot } from "./chart.ts";
import { escapeHtml, joules, ms, percent, usd } from "./format.ts";
import { hasSlo, loadCharts, sloText, stepLevel } from "./load-charts.ts";
import { pageShell } from "./page.ts";

const num = (value: number | null, digits = 3): string =>
  value === null ? "—" : String(Number(value.toPrecision(digits)));

/** One row of the step table, every cell as text ("—": unknown). */
export function loadStepRow(step: LoadStepSummary): string[] {
  const latency = (l: LoadStepSummary["e2e_ms"]) => (l ? `${ms(l.p50)} / ${ms(l.p95)}` : "—");
  return [
    String(step.step),
    stepLevel(step),
    step.status,
    `${step.requests.succeeded} / ${step.requests.offered}`,
    num(step.requests_per_s),
    num(step.output_tokens_per_s),
    latency(step.ttft_corrected_ms),
    latency(step.e2e_corrected_ms),
    step.goodput.fraction === null ? "—" : percent(step.goodput.fraction),
    step.cost.per_1k_calls_usd === null ? "—" : usd(step.cost.per_1k_calls_usd),
    step.energy.per_call_j === null ? "—" : joules(step.energy.per_call_j),
    step.energy.per_output_token_j === null ? "—" : joules(step.energy.per_output_token_j),
  ];
}

const STEP_COLUMNS = [
  "Step",
  "Level",
  "Status",
  "Succeeded / offered",
  "Requests/s",
  "Output tokens/s",
  "TTFT p50 / p95",
  "E2E p50 / p95",
  "Goodput",
  "Cost per 1k calls",
  "Energy per call",
  "Energy per output token",
];
/** Columns that hold numbers (right-aligned). */
const NUMERIC = new Set([0, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

function renderStepTable(load: LoadSummary): string {
  if (load.steps.length === 0) return `<p class="note">The sweep has no step.</p>`;
  const knee = load.max_goodput_throughput?.step ?? null;
  const body = load.steps
    .map((step) => {
      const cells = loadStepRow(step)
        .map((cell, i) => `<td${NUMERIC.has(i) ? ' class="num"' : ""}>${escapeHtml(cell)}</td>`)
        .join("");
      return `<tr${step.step === knee ? ' class="knee"' : ""}>${cells}</tr>`;
    })
    .join("");
  const head = STEP_COLUMNS.map(
    (c, i) => `<th scope="col"${NUMERIC.has(i) ? ' class="num"' : ""}>${escapeHtml(c)}</th>`,
  ).join("");
  const sources = [
    ...new Set(load.steps.flatMap((s) => [s.cost.source, s.energy.source]).filter((s) => s !== null)),
  ];
  const caption = `Every step; latencies from the intended send time (coordinated omission corrected); cost and energy over the measured calls${sources.length > 0 ? ` (${sources.join(", ")})` : ""}, "—" where unknown.`;
  return `<table class="accuracy load-steps"><caption>${escapeHtml(caption)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function renderKnee(load: LoadSummary): string {
  if (!hasSlo(load)) {
    return `<p class="note">The sweep set no SLO, so no step is named the highest throughput meeting it.</p>`;
  }
  const knee = load.max_goodput_throughput;
  if (!knee) {
    return `<p class="note">No completed step met the SLO (${escapeHtml(sloText(load))}) for ${escapeHtml(percent(load.attainment))} of its requests.</p>`;
  }
  const step = load.steps.find((s) => s.step === knee.step);
  const figures: [string, string, string][] = [
    ["Level", step ? stepLevel(step) : `step ${knee.step}`, `step ${knee.step}`],
    [
      "Throughput",
      `${num(knee.requests_per_s)} req/s`,
      knee.output_tokens_per_s === null ? "" : `${num(knee.output_tokens_per_s)} output tokens/s`,
    ],
    ["Goodput", percent(knee.goodput), `target ${percent(load.attainment)}`],
  ];
  const html = figures
    .map(
      ([label, value, detail]) =>
        `<div class="figure"><div class="label">${escapeHtml(label)}</div><div class="value">${escapeHtml(value)}</div>${detail ? `<div class="detail">${escapeHtml(detail)}</div>` : ""}</div>`,
    )
    .join("");
  return `<div class="cards"><section class="card"><h3>Highest throughput meeting the SLO</h3><p class="sub">${escapeHtml(sloText(load))}</p><div class="figures">${html}</div></section></div>`;
}

/** The whole load page for `load`. `withLibraries: false` leaves the libraries out (tests). */
export function renderLoadReport(load: LoadSummary, options: { withLibraries?: boolean } = {}): string {
  const charts = loadCharts(load);
  const specs = charts.flatMap((c) => (c.kind === "chart" ? [{ id: c.id, spec: c.spec }] : []));
  const title = `opbench load report: ${load.model}`;
  const run = load.run;
  const sub = [
    run ? `Run ${run.run_id}, started ${run.started_at}, ${run.status}` : null,
    `${load.mode} sweep, ${load.steps.length} step(s)`,
    load.stopped ? `stopped: ${load.stopped}` : null,
    load.runner ? `runner ${load.runner}` : null,
  ]
    .filter((s) => s !== null)
    .join("; ");
  return pageShell({
    title,
    header: `<p class="sub">${escapeHtml(sub)}.</p>`,
    css: "\ntable.load-steps tr.knee td { background: #eaf6f1; font-weight: 600; }",
    main: `<section id="knee"><h2>Highest throughput meeting the SLO</h2>${renderKnee(load)}</section>
<section id="load-charts"><h2>Throughput, latency and goodput</h2>${charts.map(renderSlot).join("\n")}</section>
<section id="steps"><h2>Steps</h2>${renderStepTable(load)}</section>`,
    footer: `Written by opbench${run ? ` ${escapeHtml(run.opbench_version)}` : ""} from load.json; one self-contained file, nothing is fetched.`,
    specs,
    withLibraries: options.withLibraries !== false,
  });
}
