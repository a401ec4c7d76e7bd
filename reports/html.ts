/**
 * `html`: report.html in the run directory, a self-contained Vega-Lite report of the summary —
 * savings cards, accuracy vs cost, latency and energy, latency percentiles, latency CDFs per model
 * (read from the log), tokens per call, accuracy per task with the paired comparisons, the failed
 * and disagreeing cases (read from the log) and the reproducibility record. One static file that
 * works offline (reports/html/page.ts). For a load sweep, the load page: throughput vs latency,
 * goodput and cost per step (reports/html/load-page.ts).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Summary } from "../src/metrics/summary.ts";
import { collectCases } from "./html/cases.ts";
import { DistributionCollector } from "./html/distributions.ts";
import { renderLoadReport } from "./html/load-page.ts";
import { type PagePieces, renderReportPieces, writePage } from "./html/page.ts";
import { ReportLogFold } from "./html/report-fold.ts";
import type { FileOutput } from "./output.ts";

/**
 * The whole report page of the run in `runDir`: the cases and distributions from `folded` (the
 * whole log folded as it was written) or else read from its log.
 */
export async function renderRunReport(
  runDir: string,
  summary: Summary,
  folded?: ReportLogFold,
): Promise<string> {
  return (await renderRunReportPieces(runDir, summary, folded))
    .map((piece) => (typeof piece === "string" ? piece : piece.toString("utf8")))
    .join("");
}

/** {@link renderRunReport} as the pieces of its file (the libraries' bytes as read). */
async function renderRunReportPieces(
  runDir: string,
  summary: Summary,
  folded: ReportLogFold | undefined,
): Promise<PagePieces> {
  // Read back, the latency distributions are folded in the case browser's first pass over the log.
  const distributions = folded?.distributions ?? new DistributionCollector();
  // Against recorded traffic the disagreements are the point: they come first.
  const recorded = summary.savings.some((s) => s.reference === "recorded");
  const cases = await collectCases(runDir, {
    ...(folded ? { folded: folded.cases } : { onCall: (record) => distributions.add(record) }),
    disagreementsFirst: recorded,
  });
  return renderReportPieces(summary, { cases, distributions: cases && distributions.result() });
}

/** The report's file name in the run directory. */
export const REPORT_HTML_FILE = "report.html";

export const htmlReport = {
  kind: "file",
  description: "report.html in the run directory: charts and tables in one self-contained file",
  title: "HTML report",
  run: async ({ runDir, summary, logFolds }) => {
    const path = join(runDir, REPORT_HTML_FILE);
    const folded = logFolds?.get(htmlReport);
    writePage(
      path,
      await renderRunReportPieces(runDir, summary, folded instanceof ReportLogFold ? folded : undefined),
    );
    return path;
  },
  runLogFold: () => new ReportLogFold(),
  load: ({ runDir, load }) => {
    const path = join(runDir, REPORT_HTML_FILE);
    writeFileSync(path, renderLoadReport(load));
    return path;
  },
} satisfies FileOutput;
