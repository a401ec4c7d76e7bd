import { describe, expect, it } from "vitest";
import { gatesMarkdown } from "../../reports/gates-markdown.ts";
import { escapeXml, renderJunit } from "../../reports/junit.ts";
import { escapeMarkdown } from "../../reports/markdown-text.ts";
import { evaluateGates } from "../../src/gates/evaluate.ts";
import { parseGate } from "../../src/gates/expression.ts";
import type { Summary } from "../../src/metrics/summary.ts";
import { build, call, failedCall, start } from "../helpers/summary-log.ts";

const HOSTILE = `a"b'<c>&d\u0001]]>`;

function gatedSummary(): Summary {
  const summary = build([
    start,
    call(HOSTILE, 0),
    failedCall(HOSTILE, 1),
    call("api", 0),
    call("api", 1, { scores: [{ scorer: "exact", score: 0, reason: "" }] }),
  ]);
  summary.gates = evaluateGates({
    gates: ["accuracy >= 0.6", "error_rate <= 0.5"].map((e) => ({
      spec: parseGate(e),
      from: "suite" as const,
    })),
    run: { summary, load: null, caseScores: null },
    baseline: null,
    maxErrorRate: 0.1,
  });
  return summary;
}

describe("JUnit XML of the gates", () => {
  it("escapes the five special characters and replaces characters XML cannot carry", () => {
    expect(escapeXml(HOSTILE)).toBe("a&quot;b&apos;&lt;c&gt;&amp;d\uFFFD]]&gt;");
    expect(escapeXml("tab\tnew\nline é 😀")).toBe("tab\tnew\nline é 😀");
  });

  it("one test case per gate × model × task, failures carrying the numbers, and one for max_error_rate", () => {
    const xml = renderJunit(gatedSummary());
    expect(
      xml.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="opbench" tests="5" failures="3">',
      ),
    ).toBe(true);
    const cases = [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)">/g)].map((m) => m[2]);
    expect(cases).toEqual([
      `accuracy &gt;= 0.6 [${escapeXml(HOSTILE)} × t]`,
      "accuracy &gt;= 0.6 [api × t]",
      `error_rate &lt;= 0.5 [${escapeXml(HOSTILE)} × t]`,
      "error_rate &lt;= 0.5 [api × t]",
      "max_error_rate &lt;= 0.1",
    ]);
    expect(xml).toContain(`<failure message="${escapeXml(HOSTILE)} × t: accuracy (exact) = 0.5`);
    expect(xml).toContain('<failure message="1 of 4 calls failed (25.00%), allowed ≤ 10.00%" type="gate">');
    // Nothing of the hostile id is left unescaped.
    expect(xml).not.toContain("<c>");
    expect(xml).not.toContain("\u0001");
  });

  it("an ungated run gives an empty suite", () => {
    const summary = build([start, call("api", 0)]);
    expect(renderJunit(summary)).toContain('<testsuites name="opbench" tests="0" failures="0">');
  });
});

describe("the Markdown gates section", () => {
  it("headline, one row per verdict, escaped ids", () => {
    const lines = gatesMarkdown(gatedSummary().gates!, escapeMarkdown);
    expect(lines[0]).toBe("### Gates");
    expect(lines).toContain("**Gates: FAILED** (2 of 4 checks)");
    expect(lines).toContain("❌ failed calls: 1 of 4 (25.00%), allowed ≤ 10.00%");
    expect(lines.find((l) => l.startsWith("| ❌ fail | accuracy \\>= 0.6 |"))).toContain(
      escapeMarkdown(HOSTILE),
    );
  });
});
