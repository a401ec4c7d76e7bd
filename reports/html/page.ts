/**
 * The report page: one self-contained HTML file. Vega, Vega-Lite and vega-embed are inlined from
 * their npm packages (minified UMD builds, read once per process), the chart specs sit in a
 * `<script type="application/json">` (escaped, see `scriptJson`), and cards, tables, the case
 * browser (model output as escaped text) and the reproducibility record are HTML with every name
 * escaped. Nothing is fetched: no CDN, no font.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { EVENTS_FILE } from "../../src/core/run-log.ts";
import type { Summary } from "../../src/metrics/summary.ts";
import {
  accuracyRows,
  comparisonRows,
  renderAccuracyTable,
  renderComparisonTable,
} from "./accuracy-table.ts";
import { renderCards, savingsCards } from "./cards.ts";
import { cascadeViews, renderCascades } from "./cascade.ts";
import { type CaseBrowser, renderCaseBrowser } from "./cases.ts";
import { type ChartSlot, renderSlot } from "./chart.ts";
import { distributionCharts, type LatencyDistributions } from "./distributions.ts";
import { escapeHtml, scriptJson } from "./format.ts";
import { renderJudgeOverhead } from "./judges.ts";
import { latencyChart } from "./latency.ts";
import { latencyRows, renderLatencyTable } from "./latency-table.ts";
import { PAGE_CSS, PAGE_SCRIPT } from "./page-assets.ts";
import { paretoCharts } from "./pareto.ts";
import { perCorrectRows, renderPerCorrectTable } from "./per-correct.ts";
import { renderReproducibility, reproducibilityRows } from "./reproducibility.ts";
import { tokensChart } from "./tokens.ts";

/** The libraries inlined, in load order, each as package name and file inside it. */
const LIBRARIES = [
  ["vega", "build/vega.min.js"],
  ["vega-lite", "build/vega-lite.min.js"],
  ["vega-embed", "build/vega-embed.min.js"],
] as const;

/** Whether `dir` holds the package.json of `name`. */
function isPackageDir(dir: string, name: string): boolean {
  const manifest = join(dir, "package.json");
  return (
    existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === name
  );
}

/**
 * The folder of an installed package: the first `node_modules/<name>` up from this file, as Node
 * looks for it (resolving the entry point costs more); else from its entry point up to the
 * package.json naming it (another layout of installed packages).
 */
function packageDir(name: string): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; ) {
    const candidate = join(dir, "node_modules", name);
    if (isPackageDir(candidate, name)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const require = createRequire(import.meta.url);
  for (let dir = dirname(require.resolve(name)); ; ) {
    if (isPackageDir(dir, name)) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`the package.json of ${name} was not found above its entry point`);
    dir = parent;
  }
}

let libraryBytes: Buffer | undefined;

const SCRIPT_WORD = Buffer.from("script");

/** Whether `code` holds `</script` in any case: it would end an inline `<script>` element. */
export function endsScript(code: Buffer): boolean {
  for (let at = code.indexOf("</"); at >= 0; at = code.indexOf("</", at + 2)) {
    let same = at + 8 <= code.length;
    // ASCII letters only: setting bit 0x20 lowers an upper-case letter.
    for (let i = 0; same && i < SCRIPT_WORD.length; i++)
      same = ((code[at + 2 + i] as number) | 0x20) === SCRIPT_WORD[i];
    if (same) return true;
  }
  return false;
}

/**
 * The three libraries as `<script>` elements, as bytes: read from node_modules on the first call
 * only, and written to a report as read (~0.8 MB that need not be decoded and encoded again).
 */
export function inlineLibraryBytes(): Buffer {
  if (libraryBytes === undefined) {
    const parts: Buffer[] = [];
    for (const [name, file] of LIBRARIES) {
      const code = readFileSync(join(packageDir(name), file));
      // A minified build never holds "</script", but a future one must not end the element early.
      if (endsScript(code)) throw new Error(`${name}/${file} contains "</script": cannot be inlined`);
      parts.push(Buffer.from(parts.length === 0 ? "<script>" : "\n<script>"), code, Buffer.from("</script>"));
    }
    libraryBytes = Buffer.concat(parts);
  }
  return libraryBytes;
}

/** The three libraries as `<script>` elements. */
export function inlineLibraries(): string {
  return inlineLibraryBytes().toString("utf8");
}

/** The three libraries as one script file's text (a published site shares one copy). */
export function libraryBundle(): string {
  return LIBRARIES.map(([name, file]) => readFileSync(join(packageDir(name), file), "utf8")).join("\n;\n");
}

/** Every chart of the report, in page order. */
export function reportCharts(summary: Summary): ChartSlot[] {
  return [...paretoCharts(summary), latencyChart(summary), tokensChart(summary)];
}

/** What the page draws from beyond the summary: the log's case browser and latency distributions. */
export interface ReportExtras {
  /** False leaves the libraries out (tests). */
  withLibraries?: boolean;
  /** The case browser read from the log (`collectCases`); left out: no case section. */
  cases?: CaseBrowser | null;
  distributions?: LatencyDistributions | null;
}

/** The sections every report of a run shows, and the chart specs they draw. */
export function reportSections(
  summary: Summary,
  options: ReportExtras,
  extra: { beforeAccuracy?: string; record?: string } = {},
): { main: string; specs: PageParts["specs"] } {
  const charts = [...reportCharts(summary), ...distributionCharts(summary, options.distributions)];
  const specs = charts.flatMap((c) => (c.kind === "chart" ? [{ id: c.id, spec: c.spec }] : []));
  const pareto = charts.filter((c) => c.id.startsWith("pareto-"));
  const latency = charts.filter((c) => c.id === "latency" || c.id === "tokens" || c.id.endsWith("-cdf"));
  const main = `<section id="savings"><h2>Savings</h2><div class="cards">${renderCards(savingsCards(summary))}</div></section>
${extra.beforeAccuracy ?? ""}<section id="tradeoffs"><h2>Accuracy, cost and speed</h2><div class="charts">${pareto.map(renderSlot).join("\n")}</div></section>
<section id="latency-section"><h2>Latency and tokens</h2>${latency.map((slot) => (slot.id === "latency" ? `${renderSlot(slot)}\n${renderLatencyTable(summary, latencyRows(summary))}` : renderSlot(slot))).join("\n")}</section>
<section id="accuracy"><h2>Accuracy per task</h2>${renderAccuracyTable(summary, accuracyRows(summary))}${renderComparisonTable(summary, comparisonRows(summary))}</section>
<section id="per-correct-section"><h2>Per correct answer, and the cascade what-if</h2>${renderPerCorrectTable(summary, perCorrectRows(summary))}${renderCascades(cascadeViews(summary))}</section>
${renderJudgeOverhead(summary)}${options.cases === undefined ? "" : `<section id="cases-section"><h2>Failed and disagreeing cases</h2>${renderCaseBrowser(summary, options.cases)}</section>`}
<section id="record"><h2>Reproducibility</h2>${extra.record ?? renderReproducibility(reproducibilityRows(summary))}</section>`;
  return { main, specs };
}

/** Whether any model of the summary is opbench's built-in demo model. */
export function usesDemoModel(summary: Summary): boolean {
  return summary.models.some((m) => (m.backend as { demo_model?: unknown } | null)?.demo_model === true);
}

/** The warning a page shows when the demo model's meaningless accuracy is in it. */
export const DEMO_MODEL_WARNING = `<p class="warn">This run used opbench's built-in demo model (random weights): its accuracy means nothing.</p>`;

/** The whole page for `summary` (see {@link ReportExtras}). */
export function renderReport(summary: Summary, options: ReportExtras = {}): string {
  return pageShell(reportPageParts(summary, options));
}

/** The whole page for `summary` as the pieces of its file (see {@link pageShellPieces}). */
export function renderReportPieces(summary: Summary, options: ReportExtras = {}): PagePieces {
  return pageShellPieces(reportPageParts(summary, options));
}

function reportPageParts(summary: Summary, options: ReportExtras): PageParts {
  const { run } = summary;
  const { main, specs } = reportSections(summary, options);
  return {
    title: `opbench report: ${run.suite.name}`,
    header: `<p class="sub">Run ${escapeHtml(run.run_id)}, started ${escapeHtml(run.started_at)}, ${escapeHtml(run.status)}; ${summary.models.length} model(s), ${new Set(summary.results.map((r) => r.task)).size} task(s).</p>
${usesDemoModel(summary) ? DEMO_MODEL_WARNING : ""}`,
    main,
    footer: `Written by opbench ${escapeHtml(run.opbench_version)} from summary.json${options.cases ? ` and ${EVENTS_FILE}` : ""}; one self-contained file, nothing is fetched.`,
    specs,
    withLibraries: options.withLibraries !== false,
  };
}

/** What a report page holds inside the shell every report shares. Strings are HTML, escaped by the caller. */
export interface PageParts {
  /** Plain text: escaped here. */
  title: string;
  /** Under the title. */
  header: string;
  main: string;
  footer: string;
  /** Extra rules after the shared stylesheet. */
  css?: string;
  /** The Vega-Lite specs the page script draws, by element id. */
  specs: { id: string; spec: unknown }[];
  /** False leaves the libraries out (tests). */
  withLibraries: boolean;
  /** Loads the libraries from this relative path (a site's shared copy) instead of inlining them. */
  librarySrc?: string;
}

/** A page as the pieces of its file, in order: UTF-8 text, and the inlined libraries' bytes as read. */
export type PagePieces = (string | Buffer)[];

/** The page every report shares: head and stylesheet, the parts, the chart data and the scripts. */
export function pageShell(parts: PageParts): string {
  return pageShellPieces(parts)
    .map((piece) => (typeof piece === "string" ? piece : piece.toString("utf8")))
    .join("");
}

/** {@link pageShell} as the pieces of its file: the inlined libraries stay bytes. */
export function pageShellPieces(parts: PageParts): PagePieces {
  const head = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(parts.title)}</title>
<style>${PAGE_CSS}${parts.css ?? ""}</style>
</head>
<body>
<header>
<h1>${escapeHtml(parts.title)}</h1>
${parts.header}
</header>
<main>
${parts.main}
</main>
<footer>${parts.footer}</footer>
<script type="application/json" id="opbench-charts">${scriptJson(parts.specs)}</script>
`;
  const tail = `
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
  if (parts.librarySrc !== undefined)
    return [`${head}<script src="${escapeHtml(parts.librarySrc)}"></script>${tail}`];
  return parts.withLibraries ? [head, inlineLibraryBytes(), tail] : [head + tail];
}

/** Writes a page's pieces to `path` (one write). */
export function writePage(path: string, pieces: PagePieces): void {
  writeFileSync(
    path,
    Buffer.concat(pieces.map((piece) => (typeof piece === "string" ? Buffer.from(piece) : piece))),
  );
}
