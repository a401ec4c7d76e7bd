/**
 * Gates and `opbench compare` on replayed traffic whose cases carry weights, through the CLI as a
 * user runs it: a log with three requests sent ten times each and seventeen sent once → `init
 * --from` (weights) → two runs of the recorded traffic, the second with the three frequent
 * answers changed (a regression on 30 of 47 calls, 3 of 20 cases). Weighted, the drop gate fails
 * and compare prints the figures over the calls; the same suite without `weight_field` passes
 * the gate (inconclusive on 3 cases) and compares the cases. No model server is needed: the
 * recorded runner replays the log.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Comparison } from "../../src/cli/compare-command.ts";
import type { Summary } from "../../src/metrics/summary.ts";
import { runCli } from "../helpers/cli.ts";

let dir: string;
const runs = { a: "", b: "", aUnweighted: "", bUnweighted: "" };

/** A chat-completions log line: a sentiment request and the logged answer. */
function logged(i: number, text: string, label: string): string {
  return JSON.stringify({
    request: {
      model: "gpt-4.1",
      messages: [
        {
          role: "system",
          content: "Classify the sentiment: positive or negative. Answer with the label only.",
        },
        { role: "user", content: text },
      ],
      temperature: 0,
      max_tokens: 5,
    },
    response: {
      id: `chatcmpl-${i}`,
      object: "chat.completion",
      model: "gpt-4.1-2025-04-14",
      choices: [{ index: 0, message: { role: "assistant", content: label }, finish_reason: "stop" }],
      usage: { prompt_tokens: 30, completion_tokens: 1, total_tokens: 31 },
    },
    latency_ms: 300 + i,
  });
}

async function run(suiteDir: string, out: string): Promise<string> {
  const result = await runCli(["run", join(suiteDir, "suite.yaml"), "--out", out, "-o", "summary-json"]);
  expect(result.code, result.stderr).toBe(0);
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "opbench-gate-weighted-"));
  const lines: string[] = [];
  for (let r = 0; r < 3; r++)
    for (let k = 0; k < 10; k++) lines.push(logged(lines.length, `Frequent request ${r}`, "positive"));
  for (let r = 0; r < 17; r++) lines.push(logged(lines.length, `Rare request ${r}`, "negative"));
  writeFileSync(join(dir, "calls.jsonl"), `${lines.join("\n")}\n`);
  const a = join(dir, "replay");
  const init = await runCli(["init", "--from", join(dir, "calls.jsonl"), "--out", a]);
  expect(init.code, init.stderr).toBe(0);
  expect(init.stderr).toContain("Sampled 20 distinct request(s) (seed 1) standing for 47 call(s)");
  // Only the recorded traffic: no candidate server.
  const suite = readFileSync(join(a, "suite.yaml"), "utf8");
  const candidate = "  - id: local\n    runner: llamacpp\n    url: http://localhost:8080\n";
  const savings = "savings:\n  - candidate: local\n    baseline: recorded-gpt-4.1\n";
  expect(suite).toContain(candidate);
  expect(suite).toContain(savings);
  writeFileSync(join(a, "suite.yaml"), suite.replace(candidate, "").replace(savings, ""));
  // The later run: the three frequent requests now answered wrong.
  const b = join(dir, "replay-b");
  cpSync(a, b, { recursive: true });
  const answers = readFileSync(join(b, "answers.jsonl"), "utf8");
  expect(answers.match(/"output":"positive"/g)).toHaveLength(3);
  writeFileSync(join(b, "answers.jsonl"), answers.replaceAll('"output":"positive"', '"output":"negative"'));
  // The same two suites without weights: the rate over distinct requests.
  for (const [from, to] of [
    [a, `${a}-unweighted`],
    [b, `${b}-unweighted`],
  ] as const) {
    cpSync(from, to, { recursive: true });
    const text = readFileSync(join(to, "suite.yaml"), "utf8");
    expect(text).toMatch(/\n\s+weight_field: weight[^\n]*\n/);
    writeFileSync(join(to, "suite.yaml"), text.replace(/\n\s+weight_field: weight[^\n]*/, ""));
  }
  runs.a = await run(a, join(dir, "run-a"));
  runs.b = await run(b, join(dir, "run-b"));
  runs.aUnweighted = await run(`${a}-unweighted`, join(dir, "run-a-unweighted"));
  runs.bUnweighted = await run(`${b}-unweighted`, join(dir, "run-b-unweighted"));
}, 120_000);

const DROP = ["--gate", "accuracy[scorer=exact] drop <= 2 points"];

describe("gates against a baseline, weighted by logged calls", () => {
  it("fails the weighted drop gate (exit 3) that the unweighted suite passes as inconclusive", async () => {
    const weighted = await runCli([
      "gate",
      runs.b,
      "--baseline",
      runs.a,
      ...DROP,
      "--gate",
      "accuracy[scorer=exact] >= 0.9",
    ]);
    expect(weighted.code, weighted.stderr).toBe(3);
    expect(weighted.stdout).toMatch(
      /recorded-gpt-4\.1 × labels: accuracy \(exact\) dropped 63\.8 points \[[\d.]+–[\d.]+\] \(1 → 0\.3617\), p = [\d.e-]+, weighted paired difference \(cluster-robust z, each case one draw; no McNemar\), over the 47 logged calls its 20 shared cases stand for; allowed drop <= 2\.0 points at α = 0\.05: FAIL/,
    );
    expect(weighted.stdout).toContain(
      "accuracy (exact) = 0.3617 [0.07097–0.6524] (weighted: over the 47 logged calls its 20 cases stand for), needs >= 0.9: FAIL",
    );
    const summary = JSON.parse(readFileSync(join(runs.b, "summary.json"), "utf8")) as Summary;
    const verdict = summary.gates!.verdicts.find((v) => v.kind === "delta")!;
    expect(verdict.weighted).toEqual({ cases: 20, calls: 47 });
    expect(verdict.delta).toBeCloseTo(-30 / 47, 12);
    expect(verdict.p_value).toBeLessThan(0.05);
    // The Markdown report (and GitHub step summary) carries the same words.
    expect(readFileSync(join(runs.b, "report.md"), "utf8")).toContain(
      "over the 47 logged calls its 20 shared cases stand for",
    );

    const unweighted = await runCli(["gate", runs.bUnweighted, "--baseline", runs.aUnweighted, ...DROP]);
    expect(unweighted.code, unweighted.stdout + unweighted.stderr).toBe(0);
    expect(unweighted.stdout).toContain(
      "dropped 15.0 points [-1.1–31.1] (1 → 0.85), p = 0.250, McNemar exact, paired on 20 shared cases (3 only the baseline got right, 0 only this run)",
    );
    expect(unweighted.stdout).toContain("inconclusive");
    expect(unweighted.stdout).not.toContain("logged calls");
  });

  it("a saved baseline (per-case scores, no weights) is paired with this run's weights", async () => {
    const saved = await runCli([
      "baseline",
      "save",
      runs.a,
      "--name",
      "main",
      "--dir",
      join(dir, "replay-b"),
    ]);
    expect(saved.code, saved.stderr).toBe(0);
    const result = await runCli(["gate", runs.b, "--baseline", "main", ...DROP]);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toContain("dropped 63.8 points");
    expect(result.stdout).toContain("over the 47 logged calls its 20 shared cases stand for");
  });

  it("run --baseline checks the weighted gate as the run ends", async () => {
    const result = await runCli([
      "run",
      join(dir, "replay-b", "suite.yaml"),
      "--out",
      join(dir, "run-c"),
      "-o",
      "summary-json",
      "--baseline",
      runs.a,
      ...DROP,
    ]);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain("dropped 63.8 points");
    expect(result.stderr).toContain("over the 47 logged calls its 20 shared cases stand for");
  });
});

describe("opbench compare, weighted by logged calls", () => {
  it("prints the accuracy over the calls, says so, and differs from the unweighted comparison", async () => {
    const weighted = await runCli(["compare", runs.a, runs.b]);
    expect(weighted.code, weighted.stderr).toBe(0);
    expect(weighted.stdout).toMatch(
      /accuracy \(exact\) 100\.0% → 36\.2%: −63\.8 points \[−[\d.]+–−[\d.]+\], p = [\d.e-]+, significant \(weighted paired difference/,
    );
    expect(weighted.stdout).toContain(
      "weighted: accuracy over the 47 logged calls its 20 cases stand for (each case one draw in the test); latency, cost and failed calls count the calls each run made",
    );
    // 20 calls give a p50 interval but no p95 one: said, not "no significant change".
    expect(weighted.stdout).toMatch(
      /p95 e2e_ms [\d.]+ → [\d.]+ ms \(\+0\.0%\): not tested: too few calls for a p95 interval \(20; needs 72\)/,
    );
    expect(weighted.stdout).toMatch(/p50 e2e_ms [\d.]+ → [\d.]+ ms \(\+0\.0%\): no significant change/);
    const json = await runCli(["compare", runs.a, runs.b, "--json"]);
    const accuracy = (JSON.parse(json.stdout) as Comparison).rows[0]!.accuracy.find(
      (x) => x.scorer === "exact",
    )!;
    expect(accuracy.weighted).toEqual({ cases: 20, calls: 47 });
    expect(accuracy.diff).toBeCloseTo(-30 / 47, 12);
    expect(accuracy.significant).toBe(true);

    const unweighted = await runCli(["compare", runs.aUnweighted, runs.bUnweighted, "--json"]);
    const plain = (JSON.parse(unweighted.stdout) as Comparison).rows[0]!.accuracy.find(
      (x) => x.scorer === "exact",
    )!;
    expect(plain.weighted).toBeUndefined();
    expect(plain.diff).toBeCloseTo(-3 / 20, 12);
    expect(plain.significant).toBe(false);
    expect(plain.test).toContain("McNemar exact");
  });

  it("the comparison page of the two runs shows the weighted paired difference", async () => {
    const page = join(dir, "comparison.html");
    const result = await runCli(["report", runs.a, runs.b, "--out-file", page]);
    expect(result.code, result.stderr).toBe(0);
    const html = readFileSync(page, "utf8");
    expect(html).toContain("20 (weighted: 47 calls)");
    expect(html).toContain("−63.8 pts");
    expect(html).toContain("Weighted rows count a case as the logged calls it stands for");
  });
});
