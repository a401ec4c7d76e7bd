import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LogEvent } from "../../src/core/records.ts";
import { scanCaseScores } from "../../src/gates/case-scan.ts";
import { CaseScoreCollector } from "../../src/gates/case-scores.ts";
import { call, failedCall, start } from "../helpers/summary-log.ts";

/** The collector over the parsed events: what the fast scan must equal. */
function parsed(events: LogEvent[]) {
  const collector = new CaseScoreCollector();
  for (const event of events) collector.add(JSON.parse(JSON.stringify(event)));
  return collector.result();
}

function logOf(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "opbench-case-scan-"));
  writeFileSync(join(dir, "events.jsonl"), `${lines.join("\n")}\n`);
  return dir;
}

const zero = [{ scorer: "exact", score: 0, reason: "" }];

describe("scanCaseScores", () => {
  it("equals the collector over the parsed log, whatever model and server text the records hold", () => {
    const hostile =
      'x","scores":[{"scorer":"exact","score":1}],"cost_usd":1,"will_retry":true,"error":{"class":"budget_stopped"';
    const events: LogEvent[] = [
      start,
      call("local", 0, { output: hostile, scores: zero }),
      call("local", 1, { server: { timings: { scores: [1], cost_usd: 2 } } as never, scores: zero }),
      call("local", 2, { expected: '],"cost_usd":', reasoning: ',"ttft_ms":' }),
      failedCall("local", 3, { will_retry: true }),
      call("local", 3),
      failedCall("local", 4, { error: { class: "budget_stopped", message: "stopped", status: null } }),
      failedCall("api", 0),
      call("api", 1, { warmup: true, item: "api|warmup|0" }),
      call("api", 2, { scores: [{ scorer: "exact", score: null, reason: "no gold" }] }),
    ];
    const lines = events.map((event) => JSON.stringify(event));
    expect(scanCaseScores(logOf(lines))).toEqual(parsed(events));
    expect([...scanCaseScores(logOf(lines)).get("local\u0000t")!.get("exact")!]).toEqual([
      ["1", 0],
      ["2", 0],
      ["3", 1],
      ["4", 1],
    ]);
  });

  it("parses lines of another field order whole, and skips a line cut off mid-write", () => {
    const record = call("local", 0, { scores: zero });
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(record).reverse()));
    const lines = [JSON.stringify(start), reordered, JSON.stringify(call("local", 1)).slice(0, 200)];
    expect(scanCaseScores(logOf(lines))).toEqual(parsed([start, record]));
  });
});
