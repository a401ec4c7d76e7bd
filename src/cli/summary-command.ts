/** `opbench summary <run-dir>`: recompute summary.json from the run log (no model is called). */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { EVENTS_FILE } from "../engine/run-log.ts";
import { writeSummary } from "../metrics/summary-file.ts";

export async function summaryCommand(runDir: string, json: boolean): Promise<number> {
  const dir = resolve(runDir);
  if (!existsSync(join(dir, EVENTS_FILE))) {
    process.stderr.write(`opbench: ${runDir} has no ${EVENTS_FILE}; is it a run directory?\n`);
    return 2;
  }
  const summary = await writeSummary(dir);
  if (json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    const { printSummary } = await import("../terminal/summary-table.ts");
    printSummary(summary, (line) => process.stdout.write(`${line}\n`));
  }
  return 0;
}
