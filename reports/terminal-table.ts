/** `table`: the tables on stdout — per model × task for a run, per step for a load sweep. */

import { printLoadSummary } from "../src/load/table.ts";
import { printSummary } from "../src/terminal/summary-table.ts";
import type { PrintOutput } from "./output.ts";

export const terminalTable = {
  kind: "print",
  description: "tables on stdout: accuracy, latency, cost per model × task; or the load steps",
  run: ({ summary }, terminal) => printSummary(summary, terminal.stdout),
  load: ({ load }, terminal) => printLoadSummary(load, terminal.stdout),
} satisfies PrintOutput;
