/**
 * The HTML report of a run folded as its log was written (`opbench run`) against the same report
 * read back from the log (`opbench report DIR`): the same bytes, and with nothing to show in the
 * case browser the fold needs no read of the log at all.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ReportLogFold } from "../../reports/html/report-fold.ts";
import { htmlReport } from "../../reports/html.ts";
import { startLogFolds } from "../../reports/output.ts";
import { terminalTable } from "../../reports/terminal-table.ts";
import type { LogEvent } from "../../src/core/records.ts";
import { EVENTS_FILE, RunLog } from "../../src/core/run-log.ts";
import { SummaryBuilder } from "../../src/metrics/summary.ts";
import { call, failedCall, start } from "../helpers/summary-log.ts";

const SECRET = "sk-secret-0123456789";

/** Writes `events` through a RunLog (one secret masked) into a new run directory, folding them. */
function loggedRun(events: LogEvent[]) {
  const runDir = mkdtempSync(join(tmpdir(), "opbench-fold-"));
  const logFolds = startLogFolds([{ output: htmlReport }, { output: terminalTable }]);
  const summary = new SummaryBuilder();
  const log = new RunLog(runDir, [SECRET], (event) => {
    summary.add(event);
    logFolds?.add(event);
  });
  for (const event of events) log.append(event);
  log.close();
  return { runDir, summary: summary.result(), folds: logFolds?.folds };
}

const timed = (model: string, i: number, e2e: number) =>
  call(model, i, { e2e_ms: e2e, ttft_ms: e2e / 4, tpot_ms: e2e / 40 });

/** Failed calls (one retried), a disagreement, warm-up, secret-bearing text and timings. */
function eventfulRun(): LogEvent[] {
  const events: LogEvent[] = [start, call("local", 0, { item: "local|warmup|0", warmup: true, ok: false })];
  for (let i = 0; i < 60; i++) {
    events.push(timed("local", i, 100 + ((i * 37) % 50)));
    if (i % 7 === 3) {
      events.push(
        failedCall("api", i, { error: { class: "http_5xx", message: `down, key ${SECRET}`, status: 503 } }),
      );
    } else if (i % 11 === 5) {
      events.push(
        timed("api", i, 300),
        call("api", i, { output: "b", scores: [{ scorer: "exact", score: 0, reason: "no" }] }),
      );
    } else if (i % 13 === 2) {
      events.push(failedCall("api", i, { will_retry: true }), call("api", i, { attempt: 2 }));
    } else {
      events.push(timed("api", i, 200 + i));
    }
  }
  return events;
}

async function reportBytes(runDir: string, summary: ReturnType<SummaryBuilder["result"]>, folds?: unknown) {
  const path = await htmlReport.run({
    runDir,
    summary,
    ...(folds !== undefined && { logFolds: folds as Map<never, never> }),
  });
  return readFileSync(path);
}

describe("the HTML report folded as the run writes its log", () => {
  it("is asked for by the html output only, and folds the report's data", () => {
    expect(startLogFolds([{ output: terminalTable }])).toBeUndefined();
    const { folds } = loggedRun(eventfulRun());
    expect(folds?.get(htmlReport)).toBeInstanceOf(ReportLogFold);
    expect(folds?.size).toBe(1);
  });

  it("gives the same bytes as the report read back from the log", async () => {
    const { runDir, summary, folds } = loggedRun(eventfulRun());
    const fromFold = await reportBytes(runDir, summary, folds);
    const fromLog = await reportBytes(runDir, summary);
    const page = fromFold.toString("utf8");
    expect(page).toContain("failed call");
    expect(page).toContain("scorers disagree");
    expect(page).toContain("latency-cdf");
    expect(page).not.toContain(SECRET);
    expect(fromFold.equals(fromLog)).toBe(true);
  });

  it("reads no log when no case is failed or disagreeing", async () => {
    const events: LogEvent[] = [start];
    for (let i = 0; i < 40; i++) events.push(timed("local", i, 50 + i), timed("api", i, 90 + i));
    const { runDir, summary, folds } = loggedRun(events);
    const fromLog = await reportBytes(runDir, summary);
    expect(fromLog.toString("utf8")).toContain("No failed call");
    // A log that no longer parses leaves the folded report as it was.
    writeFileSync(join(runDir, EVENTS_FILE), "not json\n");
    expect((await reportBytes(runDir, summary, folds)).equals(fromLog)).toBe(true);
    expect((await reportBytes(runDir, summary)).equals(fromLog)).toBe(false);
  });
});
