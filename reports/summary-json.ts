/** `summary-json`: the run's summary.json, a pure function of its log (`opbench summary` rewrites it). */

import { writeSummaryFile } from "../src/metrics/summary-file.ts";
import type { FileOutput } from "./output.ts";

export const summaryJson = {
  kind: "file",
  description: "summary.json in the run directory: aggregates per model × task and per model",
  title: "Summary",
  run: ({ runDir, summary }) => writeSummaryFile(runDir, summary),
} satisfies FileOutput;
