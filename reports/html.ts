/**
 * `html`: report.html in the run directory, a self-contained Vega-Lite report of the summary —
 * savings cards, accuracy vs cost and vs latency, latency percentiles, accuracy per task and the
 * reproducibility record. One static file that works offline (reports/html/page.ts).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderReport } from "./html/page.ts";
import type { FileOutput } from "./output.ts";

/** The report's file name in the run directory. */
export const REPORT_HTML_FILE = "report.html";

export const htmlReport = {
  kind: "file",
  description: "report.html in the run directory: charts and tables in one self-contained file",
  title: "HTML report",
  run: ({ runDir, summary }) => {
    const path = join(runDir, REPORT_HTML_FILE);
    writeFileSync(path, renderReport(summary));
    return path;
  },
} satisfies FileOutput;
