/**
 * A published site's pages, from its history alone: the index (each suite's latest result and
 * its runs) and a trend page per suite (accuracy with intervals, p50/p95 latency, TTFT, cost per
 * 1k calls and energy per call over time, per model × task, each point linking to its run, suite
 * changes marked). Links are relative, so the site works from file:// and under any sub-path; the
 * charting libraries are one shared file of the site, so a page stays small.
 */
import type { TopLevelSpec } from "vega-lite";
import { CHART_CONFIG } from "../html/chart.ts";
import { OKABE_ITO } from "../html/colors.ts";
import { escapeHtml } from "../html/format.ts";
import { pageShell } from "../html/page.ts";
import type { HistoryRecord } from "./history.ts";

/** The site's copy of Vega, Vega-Lite and vega-embed, relative to the site root. */
export const LIBRARY_FILE = "assets/vega-libraries.js";
/** Points a trend chart shows one by one; older runs are drawn as weekly medians. */
export const MAX_POINTS = 200;

/** A suite's folder name in the site: its name, made safe for a path. */
export const suiteSlug = (suite: string) => suite.replace(/[^A-Za-z0-9._-]+/g, "-") || "suite";

/** One point of a trend chart. */
export interface TrendPoint {
  series: string;
  at: string;
  value: number;
  lower: number | null;
  upper: number | null;
  run: string;
  commit: string;
  /** Relative to the trend page; null once the report was pruned (or for an aggregate). */
  href: string | null;
  aggregated: boolean;
}

type Metric = {
  key: string;
  title: string;
  unit: string;
  pick: (f: HistoryRecord["figures"][number]) => [number | null, number | null, number | null];
  log?: boolean;
};

const METRICS: Metric[] = [
  {
    key: "accuracy",
    title: "Accuracy (first scorer), 95% CI",
    unit: "",
    pick: (f) => [f.accuracy, f.accuracy_lower, f.accuracy_upper],
  },
  { key: "e2e-p50", title: "p50 end-to-end latency", unit: "ms", pick: (f) => [f.e2e_p50_ms, null, null] },
  { key: "e2e-p95", title: "p95 end-to-end latency", unit: "ms", pick: (f) => [f.e2e_p95_ms, null, null] },
  { key: "ttft-p50", title: "p50 time to first token", unit: "ms", pick: (f) => [f.ttft_p50_ms, null, null] },
  {
    key: "cost",
    title: "Cost per 1,000 calls",
    unit: "USD",
    pick: (f) => [f.cost_per_1k_usd, null, null],
    log: true,
  },
  {
    key: "energy",
    title: "Energy per call",
    unit: "J",
    pick: (f) => [f.energy_per_call_j, null, null],
    log: true,
  },
];

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** Monday (UTC) of the week of an ISO time, as a date. */
const weekOf = (at: string) => {
  const d = new Date(at);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return `${d.toISOString().slice(0, 10)}T00:00:00.000Z`;
};

/** The points of one metric: the newest MAX_POINTS runs as they are, older ones as weekly medians. */
export function trendPoints(records: readonly HistoryRecord[], metric: Metric): TrendPoint[] {
  const sorted = [...records].sort((a, b) => a.started_at.localeCompare(b.started_at));
  const cut = Math.max(0, sorted.length - MAX_POINTS);
  const tasks = new Set(sorted.flatMap((r) => r.figures.map((f) => f.task)));
  const seriesOf = (f: HistoryRecord["figures"][number]) =>
    tasks.size > 1 ? `${f.model} · ${f.task}` : f.model;
  const older = new Map<string, number[]>();
  for (const r of sorted.slice(0, cut)) {
    for (const f of r.figures) {
      const [value] = metric.pick(f);
      if (value === null) continue;
      const key = `${seriesOf(f)}\u0000${weekOf(r.started_at)}`;
      older.set(key, [...(older.get(key) ?? []), value]);
    }
  }
  const aggregated = [...older].map(([key, values]): TrendPoint => {
    const [series, at] = key.split("\u0000") as [string, string];
    return {
      series,
      at,
      value: median(values),
      lower: null,
      upper: null,
      run: `${values.length} run(s), weekly median`,
      commit: "",
      href: null,
      aggregated: true,
    };
  });
  const recent = sorted.slice(cut).flatMap((r) =>
    r.figures.flatMap((f): TrendPoint[] => {
      const [value, lower, upper] = metric.pick(f);
      if (value === null) return [];
      return [
        {
          series: seriesOf(f),
          at: r.started_at,
          value,
          lower,
          upper,
          run: r.run_id,
          commit: r.commit ? `${r.commit.slice(0, 10)}${r.dirty ? " (dirty)" : ""}` : "",
          href: r.report ? `../../${r.report}` : null,
          aggregated: false,
        },
      ];
    }),
  );
  return [...aggregated, ...recent];
}

/** The times at which the suite changed (its hash differs from the run before). */
export function suiteChanges(records: readonly HistoryRecord[]): { at: string; hash: string }[] {
  const sorted = [...records].sort((a, b) => a.started_at.localeCompare(b.started_at));
  return sorted.flatMap((r, i) =>
    i > 0 && r.suite_hash !== sorted[i - 1]?.suite_hash
      ? [{ at: r.started_at, hash: r.suite_hash.slice(0, 12) }]
      : [],
  );
}

/** Every series of the suite's runs, in first-seen order: one colour per model across the charts. */
function allSeries(records: readonly HistoryRecord[]): string[] {
  const everything = METRICS.flatMap((m) => trendPoints(records, m).map((p) => p.series));
  return [...new Set(everything)];
}

function trendSpec(
  records: readonly HistoryRecord[],
  metric: Metric,
  series: readonly string[],
): TopLevelSpec | null {
  const points = trendPoints(records, metric);
  if (points.length === 0) return null;
  const color = {
    field: "series",
    type: "nominal",
    title: "Model",
    scale: { domain: [...series], range: series.map((_, i) => OKABE_ITO[i % OKABE_ITO.length] as string) },
  } as const;
  const x = { field: "at", type: "temporal", title: "Run started (UTC)" } as const;
  const y = {
    field: "value",
    type: "quantitative",
    title: metric.unit ? `${metric.title} (${metric.unit})` : metric.title,
    ...(metric.key === "accuracy" ? { scale: { domain: [0, 1] }, axis: { format: ".0%" } } : {}),
    ...(metric.log && points.every((p) => p.value > 0) ? { scale: { type: "log" } } : {}),
  } as const;
  const changes = suiteChanges(records);
  return {
    title: {
      text: metric.title,
      subtitle: "Each point is a run (click to open it); dashed lines: the suite changed",
    },
    description: `${metric.title} over time for ${[...new Set(points.map((p) => p.series))].join(", ")}: ${points.length} point(s).`,
    width: 430,
    height: 220,
    config: {
      ...CHART_CONFIG,
      legend: { ...CHART_CONFIG.legend, orient: "bottom", direction: "horizontal", columns: 3 },
    },
    layer: [
      ...(changes.length > 0
        ? [
            {
              data: { values: changes },
              mark: { type: "rule" as const, strokeDash: [4, 3], color: "#888888" },
              encoding: {
                x: { field: "at", type: "temporal" as const },
                tooltip: [{ field: "hash", title: "Suite hash" }],
              },
            },
          ]
        : []),
      {
        data: { values: points },
        layer: [
          ...(points.some((p) => p.lower !== null && p.upper !== null)
            ? [
                {
                  transform: [{ filter: "datum.lower != null && datum.upper != null" }],
                  mark: { type: "rule" as const, opacity: 0.6 },
                  encoding: { x, y: { ...y, field: "lower" }, y2: { field: "upper" }, color },
                },
              ]
            : []),
          { mark: { type: "line" as const, opacity: 0.5 }, encoding: { x, y, color } },
          {
            mark: { type: "point" as const, filled: true, size: 60, cursor: "pointer" as const },
            encoding: {
              x,
              y,
              color,
              href: { field: "href" },
              tooltip: [
                { field: "series", title: "Model" },
                { field: "run", title: "Run" },
                { field: "at", type: "temporal" as const, title: "Started", format: "%Y-%m-%d %H:%M" },
                { field: "value", title: metric.title, format: ".4~g" },
                { field: "commit", title: "Commit" },
              ],
            },
          },
        ],
      },
    ],
  } as TopLevelSpec;
}

/** A suite's trend page (at `suites/<slug>/index.html`). */
export function renderTrendPage(suite: string, records: readonly HistoryRecord[]): string {
  const series = allSeries(records);
  const specs = METRICS.flatMap((m) => {
    const spec = trendSpec(records, m, series);
    return spec ? [{ id: `trend-${m.key}`, spec, title: m.title }] : [];
  });
  const runs = [...records]
    .sort((a, b) => b.started_at.localeCompare(a.started_at))
    .map(
      (r) =>
        `<tr><td>${r.report ? `<a href="../../${escapeHtml(r.report)}">${escapeHtml(r.run_id)}</a>` : `${escapeHtml(r.run_id)} <span class="ci">(report pruned)</span>`}</td><td>${escapeHtml(r.started_at)}</td><td>${escapeHtml(r.status)}</td><td><code>${escapeHtml(r.commit?.slice(0, 10) ?? "—")}</code></td><td><code>${escapeHtml(r.suite_hash.slice(0, 12))}</code></td><td>${r.savings.map((s) => escapeHtml(s)).join("<br>")}</td></tr>`,
    )
    .join("\n");
  return pageShell({
    title: `opbench trends: ${suite}`,
    header: `<p class="sub"><a href="../../index.html">All suites</a> · ${records.length} run(s)</p>`,
    main: `<section id="trends"><h2>Over time</h2><div class="charts">${specs
      .map(
        (s) =>
          `<figure class="chart"><div class="vega" id="${s.id}" role="img" aria-label="${escapeHtml(s.title)} over time"></div></figure>`,
      )
      .join("\n")}</div></section>
<section id="runs"><h2>Runs</h2><table class="accuracy"><thead><tr><th scope="col">Run</th><th scope="col">Started</th><th scope="col">Status</th><th scope="col">Commit</th><th scope="col">Suite hash</th><th scope="col">Savings</th></tr></thead><tbody>${runs}</tbody></table></section>`,
    footer: "Written by opbench publish from history.json; nothing is fetched from outside this site.",
    specs: specs.map(({ id, spec }) => ({ id, spec })),
    withLibraries: false,
    librarySrc: `../../${LIBRARY_FILE}`,
  });
}

/** The site's index: each suite's latest run, its headline and its links. */
export function renderIndexPage(records: readonly HistoryRecord[]): string {
  const bySuite = new Map<string, HistoryRecord[]>();
  for (const r of records) bySuite.set(r.suite, [...(bySuite.get(r.suite) ?? []), r]);
  const rows = [...bySuite]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([suite, runs]) => {
      const latest = [...runs].sort((a, b) => b.started_at.localeCompare(a.started_at))[0] as HistoryRecord;
      const headline = latest.savings[0] ?? "no savings pair";
      const report = latest.report ? ` · <a href="${escapeHtml(latest.report)}">latest report</a>` : "";
      return `<tr><td><a href="suites/${escapeHtml(suiteSlug(suite))}/index.html">${escapeHtml(suite)}</a>${report}</td><td class="num">${runs.length}</td><td>${escapeHtml(latest.started_at)}</td><td>${escapeHtml(headline)}</td></tr>`;
    })
    .join("\n");
  return pageShell({
    title: "opbench results",
    header: `<p class="sub">${bySuite.size} suite(s), ${records.length} run(s).</p>`,
    main: `<section id="suites"><h2>Suites</h2><table class="accuracy"><thead><tr><th scope="col">Suite</th><th scope="col" class="num">Runs</th><th scope="col">Latest run</th><th scope="col">Latest savings</th></tr></thead><tbody>${rows}</tbody></table></section>`,
    footer: "Written by opbench publish; every page of this site works offline.",
    specs: [],
    withLibraries: false,
  });
}
