import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import type { SavingsResult } from "../../src/metrics/savings-collector.ts";
import { savingsLine } from "../../src/terminal/savings-lines.ts";
import { formatAccuracy, formatMs, formatUsd, printSummary } from "../../src/terminal/summary-table.ts";
import { build, call, failedCall, start } from "../helpers/summary-log.ts";

const side = (calls: number, failed = 0) =>
  ({ calls, failed_calls_scored_zero: failed }) as SavingsResult["comparison"]["candidate"];

function result(comparison: Partial<SavingsResult["comparison"]>): SavingsResult {
  return {
    candidate: "qwen-4b",
    baseline: "gpt-4.1",
    task: "intent",
    scorer: "exact",
    auto: true,
    comparison: {
      accuracy_retained: null,
      accuracy_retained_lower: null,
      accuracy_retained_upper: null,
      cost_ratio: null,
      e2e_p50_ratio: null,
      energy_ratio: null,
      candidate: side(4),
      baseline: side(4),
      ...comparison,
    } as SavingsResult["comparison"],
    cascade: {
      accuracy: null,
      escalated_fraction: 0,
      rule: "",
      cost_ratio: null,
    } as unknown as SavingsResult["cascade"],
  };
}

describe("terminal output", () => {
  it("states savings as the headline, with the interval, and names what is unknown", () => {
    const line = savingsLine(
      result({
        accuracy_retained: 0.97,
        accuracy_retained_lower: 0.93,
        accuracy_retained_upper: 1.01,
        cost_ratio: 60.4,
        e2e_p50_ratio: 5.04,
        energy_ratio: 31,
      }),
    );
    expect(line).toBe(
      "qwen-4b vs gpt-4.1 on intent: keeps 97.0% [93.0%–101.0%] of gpt-4.1's accuracy (exact), at 1/60 of the cost, 5.0× faster (p50 e2e), with 31× less energy.",
    );
    expect(savingsLine(result({ cost_ratio: 0.5, e2e_p50_ratio: 0.25 }))).toBe(
      "qwen-4b vs gpt-4.1 on intent: accuracy retained unknown, at 2.0× the cost, 4.0× slower (p50 e2e), energy ratio unknown.",
    );
  });

  it("says how many calls failed (scored 0) beside the accuracy retained, or why it is unknown", () => {
    const candidateFailed = result({
      accuracy_retained: 0,
      accuracy_retained_lower: 0,
      accuracy_retained_upper: 0.5,
      candidate: side(4, 4),
      baseline: side(4, 1),
    });
    expect(savingsLine(candidateFailed)).toMatch(
      /^qwen-4b vs gpt-4\.1 on intent: keeps 0\.0% \[0\.0%–50\.0%\] of gpt-4\.1's accuracy \(exact; qwen-4b failed 4 of 4 calls, scored 0; gpt-4\.1 failed 1 of 4 calls, scored 0\), /,
    );
    const baselineFailed = result({ baseline: side(4, 4) });
    expect(savingsLine(baselineFailed)).toMatch(
      /: accuracy retained unknown \(gpt-4\.1 failed 4 of 4 calls, scored 0\), cost ratio unknown/,
    );
  });

  it("says whether the cascade is cheaper or dearer than the baseline alone", () => {
    const cascade = (cost_ratio: number) =>
      savingsLine({
        ...result({}),
        cascade: {
          accuracy: 0.9,
          escalated_fraction: 0.25,
          rule: "escalate on failure",
          cost_ratio,
        } as never,
      });
    expect(cascade(3.2)).toMatch(
      /Cascade \(escalate on failure\): 25\.0% escalated, accuracy 90\.0%, 3\.2× cheaper than the baseline alone\.$/,
    );
    // Escalating every call costs the baseline and the candidate both.
    expect(cascade(0.98)).toMatch(/, 1\.0× more expensive than the baseline alone\.$/);
  });

  it("formats accuracy, milliseconds and dollars readably", () => {
    expect(formatAccuracy({ mean: 0.821, lower: 0.71, upper: 0.896 } as never)).toBe("82.1% [71.0–89.6]");
    expect(formatAccuracy({ mean: 1, lower: null, upper: null } as never)).toBe("100.0%");
    expect([formatMs(0.421), formatMs(12.34), formatMs(1234.5), formatMs(null)]).toEqual([
      "0.42 ms",
      "12.3 ms",
      "1235 ms",
      "–",
    ]);
    expect([formatUsd(null), formatUsd(0), formatUsd(0.0000222), formatUsd(12.5)]).toEqual([
      "unknown",
      "$0",
      "$0.0000222",
      "$12.5000",
    ]);
  });

  it("shows 0% accuracy, not –, for a model × task whose every call failed", () => {
    const summary = build([
      start,
      ...[0, 1, 2, 3].map((i) => failedCall("local", i)),
      ...[0, 1, 2, 3].map((i) => call("api", i)),
    ]);
    const lines: string[] = [];
    printSummary(summary, (line) => lines.push(line));
    const table = stripVTControlCharacters(lines[0]!);
    const localRow = table.split("\n").find((line) => line.includes("local"))!;
    expect(localRow).toMatch(/ 0\/4 .* 0\.0% \[0\.0–49\.0\] exact .* 4 \(timeout 4\)/);
    expect(table).toContain("0.0% [0.0–49.0] valid");
  });
});
