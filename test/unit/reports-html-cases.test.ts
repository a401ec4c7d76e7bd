/**
 * The HTML report's case browser on a hand-made log: which cases it picks (a failed call, a
 * disagreement of the first scorer; not a retried attempt, a warm-up call or an agreement), the
 * caps on cases, text and bytes, and model text escaped in the page.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { caseKinds, collectCases, rawCaseId, renderCaseBrowser } from "../../reports/html/cases.ts";
import { renderReport } from "../../reports/html/page.ts";
import type { LogEvent } from "../../src/core/records.ts";
import { INJECTED, reportSummary } from "../helpers/report-summary.ts";
import { call, failedCall, start } from "../helpers/summary-log.ts";

const wrong = (reason: string) => ({
  output: "b",
  scores: [
    { scorer: "exact", score: 0, reason },
    { scorer: "valid", score: 1, reason: "" },
  ],
});

/** A run directory whose events.jsonl holds `events`. */
function runDir(events: LogEvent[]): string {
  const dir = mkdtempSync(join(tmpdir(), "opbench-cases-"));
  writeFileSync(join(dir, "events.jsonl"), `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
  return dir;
}

/** Case 1: api failed; case 2: local wrong, api right; case 3: both right; case 4: local's retry
 * succeeded (its first attempt failed and will be retried); plus a warm-up that failed. */
function events(): LogEvent[] {
  return [
    start,
    call("local", 0, { item: "local|warmup|0", warmup: true, ok: false }),
    call("local", 0),
    failedCall("api", 0, { error: { class: "http_5xx", message: "upstream down", status: 503 } }),
    call("local", 1, wrong(`expected "a", got "b"`)),
    call("api", 1),
    call("local", 2),
    call("api", 2),
    failedCall("local", 3, { will_retry: true }),
    call("local", 3, { attempt: 2 }),
    call("api", 3),
  ];
}

describe("the second pass's pre-filter", () => {
  it("reads a record's case_id as written, quotes, backslashes and all", () => {
    for (const id of ["1", 'say "hi"', "back\\slash\\", "tab\tline\nü😀", ""]) {
      expect(rawCaseId(JSON.stringify(call("m", 0, { case_id: id, output: '"case_id":"decoy"' })))).toBe(
        JSON.stringify(id),
      );
    }
    expect(rawCaseId(JSON.stringify(start))).toBeNull();
  });

  it("still finds the details of cases whose ids need escaping", async () => {
    const id = 'a "quoted" \\ id';
    const browser = await collectCases(
      runDir([start, call("local", 0, { case_id: id }), failedCall("api", 0, { case_id: id })]),
    );
    expect(browser?.cases.map((c) => [c.caseId, c.models.length])).toEqual([[id, 2]]);
  });
});

describe("the case browser", () => {
  it("picks failed calls and disagreements of the first scorer, nothing else", async () => {
    const browser = await collectCases(runDir(events()));
    expect(browser?.found).toEqual({ failed: 1, disagree: 1, total: 2 });
    expect(browser?.omitted).toBe(0);
    expect(browser?.cases.map((c) => [c.caseId, c.kinds])).toEqual([
      ["1", ["failed"]],
      ["2", ["disagree"]],
    ]);
    const [failed, disagree] = browser!.cases;
    expect(failed!.models).toEqual([
      expect.objectContaining({ model: "local", ok: true, output: "a" }),
      expect.objectContaining({
        model: "api",
        ok: false,
        output: null,
        error: { class: "http_5xx", message: "upstream down" },
      }),
    ]);
    expect(disagree!.expected).toBe("a");
    expect(disagree!.models[0]!.scores[0]).toEqual({
      scorer: "exact",
      score: 0,
      reason: `expected "a", got "b"`,
    });
  });

  it("counts a case as disagreeing only when one model is right and another wrong", () => {
    expect(
      caseKinds([
        { ok: true, score: 1 },
        { ok: true, score: 0 },
      ]),
    ).toEqual(["disagree"]);
    expect(
      caseKinds([
        { ok: true, score: 0.2 },
        { ok: true, score: 0 },
      ]),
    ).toEqual([]);
    expect(
      caseKinds([
        { ok: true, score: 1 },
        { ok: true, score: null },
      ]),
    ).toEqual([]);
    expect(
      caseKinds([
        { ok: false, score: null },
        { ok: true, score: 1 },
      ]),
    ).toEqual(["failed"]);
  });

  it("caps the cases (each task in turn), each text, and the bytes, and says how many were left out", async () => {
    const long = "x".repeat(5000);
    const many: LogEvent[] = [start];
    for (let i = 0; i < 50; i++) {
      many.push(call("local", i, { ...wrong(long), output: long }), call("api", i));
      many.push(
        call("local", i, { ...wrong("r"), task: "u", item: `local|u|0|${i}` }),
        call("api", i, { task: "u", item: `api|u|0|${i}` }),
      );
    }
    const dir = runDir(many);
    const capped = await collectCases(dir, { maxCases: 10, maxTextChars: 100 });
    expect(capped?.found.total).toBe(100);
    expect(capped?.cases).toHaveLength(10);
    expect(capped?.omitted).toBe(90);
    // Five from each task, task by task.
    expect(capped?.cases.map((c) => c.task)).toEqual([..."ttttt", ..."uuuuu"]);
    const local = capped!.cases[0]!.models[0]!;
    expect(local.output).toHaveLength(101);
    expect(local.outputCut).toBe(true);
    expect(local.scores[0]!.reason).toHaveLength(101);
    const html = renderCaseBrowser(reportSummary(), capped);
    expect(html).toContain("90 left out");

    const small = await collectCases(dir, { maxBytes: 20_000 });
    expect(small!.cases.length).toBeGreaterThan(0);
    expect(small!.cases.length).toBeLessThan(100);
    expect(Buffer.byteLength(renderCaseBrowser(reportSummary(), small))).toBeLessThan(25_000);

    // Defaults keep the page small whatever the run.
    const all = await collectCases(dir);
    expect(
      Buffer.byteLength(renderReport(reportSummary(), { withLibraries: false, cases: all })),
    ).toBeLessThan(1_200_000);
  });

  it("is null without a log, and shows model text only as escaped text", async () => {
    expect(await collectCases(mkdtempSync(join(tmpdir(), "opbench-cases-")))).toBeNull();
    const dir = runDir([start, call("local", 0, { ...wrong(INJECTED), output: INJECTED }), call("api", 0)]);
    const html = renderReport(reportSummary(), { withLibraries: false, cases: await collectCases(dir) });
    expect(html).not.toContain("<img");
    expect(html).not.toContain(INJECTED);
    expect(html).toContain("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;");
    expect(html.match(/<\/script/gi)).toHaveLength(2);
  });
});

describe("tool calls in the case browser", () => {
  it("shows a model's tool calls, escaped, in place of an empty output", async () => {
    const toolCalls = [{ id: "c1", name: "get_weather", arguments: '{"city":"<script>alert(1)</script>"}' }];
    const browser = await collectCases(
      runDir([
        start,
        call("local", 0, {
          ...wrong("get_weather.arguments.city: mismatch"),
          output: "",
          tool_calls: toolCalls,
        }),
        call("api", 0),
      ]),
    );
    const local = browser?.cases[0]?.models.find((m) => m.model === "local");
    expect(local?.toolCalls).toBe('get_weather({"city":"<script>alert(1)</script>"})');
    const html = renderCaseBrowser(reportSummary(), browser!);
    expect(html).toContain(
      '<pre class="tool-calls">get_weather({&quot;city&quot;:&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;})</pre>',
    );
    expect(html).not.toContain("<script>alert(1)");
    expect(html).not.toContain('no output</p><p class="none">Tool calls');
  });
});
