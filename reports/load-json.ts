/** `load-json`: load.json, a load sweep's steps shaped for a throughput-vs-latency chart. */

import { writeLoadSummary } from "../src/load/summary.ts";
import type { FileOutput } from "./output.ts";

export const loadJson = {
  kind: "file",
  description: "load.json in the run directory: one entry per step of the sweep",
  title: "Results",
  load: ({ runDir, load }) => writeLoadSummary(runDir, load),
} satisfies FileOutput;
