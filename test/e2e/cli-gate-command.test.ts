/**
 * `opbench gate`, `compare` and `baseline save` on stored runs, as CI uses them after a run:
 * synthetic run directories with a planted regression (a known accuracy drop and latency rise)
 * are caught with exit 3 and the numbers; two runs that differ only by sampling noise pass; a
 * baseline of another suite is refused; a saved baseline is found by name; a published summary
 * is fetched over HTTP (unpaired, with a warning); every exit code comes from a real scenario.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Summary } from "../../src/metrics/summary.ts";
import { casesForPairedProportions } from "../../src/stats/sample-size.ts";
import { runCli } from "../helpers/cli.ts";
import { writeSyntheticRun } from "../helpers/gate-runs.ts";

let dir: string;
let suiteDir: string;
let http: Server;
let httpUrl: string;
const runs: Record<string, string> = {};

/** 90% of cases right in the baseline (45 of every 50); the regression loses 4 of every 50 more: exactly 8 points. */
const baselineCorrect = (_u: number, _r: number, i: number) => i % 50 < 45;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "opbench-gate-cmd-"));
  suiteDir = join(dir, "project");
  mkdirSync(suiteDir);
  const suitePath = join(suiteDir, "gated.yaml");
  writeFileSync(suitePath, "# the suite file the runs recorded\n");
  const common = { cases: 500, suitePath, gates: ["accuracy >= 0.8"] };
  runs.base = writeSyntheticRun(join(dir, "base"), { ...common, seed: 1, correct: baselineCorrect });
  // Planted: 8 points of accuracy lost (paired: the same cases), latency ×1.6.
  runs.regressed = writeSyntheticRun(join(dir, "regressed"), {
    ...common,
    seed: 2,
    correct: (_u, _r, i) => i % 50 < 41,
    e2eMedianMs: 640,
  });
  // Noise only: cases of middling difficulty are right 60% of the time, drawn afresh in each run.
  const noisy = (u: number, r: number) => (u < 0.8 ? true : u < 0.95 ? r < 0.6 : false);
  runs.noiseA = writeSyntheticRun(join(dir, "noise-a"), { ...common, seed: 3, correct: noisy });
  runs.noiseB = writeSyntheticRun(join(dir, "noise-b"), { ...common, seed: 4, correct: noisy });
  runs.other = writeSyntheticRun(join(dir, "other"), {
    ...common,
    suite: "another-suite",
    seed: 5,
    correct: baselineCorrect,
  });
  runs.flaky = writeSyntheticRun(join(dir, "flaky"), {
    ...common,
    seed: 6,
    correct: baselineCorrect,
    failed: (i) => i % 20 === 0,
  });
  // A published summary.json (no per-case scores), served over HTTP.
  expect((await runCli(["summary", runs.base, "-o", "summary-json"])).code).toBe(0);
  const published = readFileSync(join(runs.base, "summary.json"), "utf8");
  http = createServer((req, res) => {
    if (req.url === "/main/summary.json") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(published);
    } else {
      res.writeHead(404);
      res.end("not found");
    }
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}, 120_000);
afterAll(() => new Promise<void>((resolve) => http.close(() => resolve())));

const DELTAS = [
  "--gate",
  "accuracy drop <= 2 points",
  "--gate",
  "p95 e2e_ms rise <= 10%",
  "--gate",
  "cost_per_1k_usd rise <= 5%",
];

describe("opbench gate", () => {
  it("catches a planted regression: exit 3, the drop with its interval, p and test; the latency rise by its intervals", async () => {
    const junit = join(dir, "regressed.xml");
    const result = await runCli([
      "gate",
      runs.regressed!,
      "--baseline",
      runs.base!,
      ...DELTAS,
      "--junit",
      junit,
    ]);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toMatch(
      /m × t: accuracy \(exact\) dropped 8\.0 points \[5\.6–10\.4\] \(0\.9 → 0\.82\), p = [\d.e-]+, McNemar exact, paired on 500 shared cases \(40 only the baseline got right, 0 only this run\); allowed drop <= 2\.0 points at α = 0\.05: FAIL/,
    );
    expect(result.stdout).toMatch(
      /m × t: p95 e2e_ms [\d.]+ → [\d.]+ \(\+\d+\.\d%\), allowed rise <= 10%; 95% order-statistic intervals of p95: .* separated: FAIL/,
    );
    expect(result.stdout).toMatch(/cost_per_1k_usd 0\.2 → 0\.2 \(\+0\.0%\).*: pass/);
    const summary = JSON.parse(readFileSync(join(runs.regressed!, "summary.json"), "utf8")) as Summary;
    const accuracy = summary.gates!.verdicts.find((v) => v.gate === "accuracy drop <= 2 points")!;
    expect(accuracy).toMatchObject({ status: "fail", kind: "delta", model: "m", task: "t", scorer: "exact" });
    expect(accuracy.delta).toBeCloseTo(-0.08, 10);
    expect(accuracy.p_value).toBeLessThan(1e-6);
    // The suite's own gate (recorded in the log) is checked too.
    expect(summary.gates!.verdicts.map((v) => v.gate)).toContain("accuracy >= 0.8");
    expect(readFileSync(junit, "utf8")).toContain('tests="4" failures="2"');
    expect(readFileSync(join(runs.regressed!, "report.md"), "utf8")).toContain(
      "**Gates: FAILED** (2 of 4 checks)",
    );
  });

  it("passes two runs that differ only by sampling noise (exit 0)", async () => {
    const result = await runCli(["gate", runs.noiseB!, "--baseline", runs.noiseA!, ...DELTAS]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/accuracy \(exact\) (dropped|rose) \d\.\d points/);
    expect(result.stdout).toContain("Gates: all 4 checks passed");
  });

  it("says inconclusive, with the cases `opbench plan` says would decide, when a drop beyond the margin is not significant", async () => {
    const result = await runCli([
      "gate",
      runs.noiseB!,
      "--baseline",
      runs.noiseA!,
      "--gate",
      "accuracy drop < 0 points",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const line =
      /dropped (\d+\.\d) points .*\((\d+) only the baseline got right, (\d+) only this run\).*: inconclusive: need ~(\d+) more cases/.exec(
        result.stdout,
      );
    expect(line, result.stdout).not.toBeNull();
    const [, , onlyBaseline, onlyThis, more] = line!.map(Number) as number[];
    const drop = (onlyBaseline! - onlyThis!) / 500;
    expect(drop).toBeGreaterThan(0);
    const planned = casesForPairedProportions((onlyBaseline! + onlyThis!) / 500, drop, {
      alpha: 0.05,
      power: 0.8,
    });
    expect(more).toBe(planned - 500);
    expect(result.stdout).toContain("Gates: all 2 checks passed (1 inconclusive: not a failure)");
  });

  it("refuses a baseline of another suite, with the reason (exit 2)", async () => {
    const result = await runCli(["gate", runs.regressed!, "--baseline", runs.other!, ...DELTAS]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /--baseline .*other refused: it is a run of suite "another-suite" \(hash a{12}\), this run is of suite "gated" \(hash a{12}\); a baseline must come from the same suite \(same name\)/,
    );
  });

  it("baseline save stores a named baseline beside the suite; --baseline main finds it (paired)", async () => {
    const saved = await runCli(["baseline", "save", runs.base!, "--name", "main"]);
    expect(saved.code, saved.stderr).toBe(0);
    const file = join(suiteDir, ".opbench", "baselines", "gated", "main.json");
    expect(existsSync(file)).toBe(true);
    expect(saved.stdout).toContain('Saved baseline "main" of suite gated');
    const result = await runCli([
      "gate",
      runs.regressed!,
      "--baseline",
      "main",
      "--gate",
      "accuracy drop <= 2 points",
    ]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("McNemar exact, paired on 500 shared cases");
    const missing = await runCli([
      "gate",
      runs.regressed!,
      "--baseline",
      "release-1",
      "--gate",
      "accuracy drop <= 2 points",
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--baseline release-1: no saved baseline of that name for suite gated");
  });

  it("fetches a published summary.json over HTTP: unpaired, with a stated warning; a 404 is exit 1", async () => {
    const result = await runCli([
      "gate",
      runs.regressed!,
      "--baseline",
      `${httpUrl}/main/summary.json`,
      "--gate",
      "accuracy drop <= 2 points",
    ]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("two-proportion z-test, unpaired (500 cases vs the baseline's 500)");
    expect(result.stdout).toContain(
      "warning: unpaired comparison: per-case scores are not known for the baseline",
    );
    const gone = await runCli([
      "gate",
      runs.regressed!,
      "--baseline",
      `${httpUrl}/nothing.json`,
      "--gate",
      "accuracy drop <= 2 points",
    ]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("the server answered 404");
  });

  it("exit 4 for a run with more failed calls than --max-error-rate allows", async () => {
    const result = await runCli(["gate", runs.flaky!, "--max-error-rate", "0.01"]);
    expect(result.code).toBe(4);
    expect(result.stdout).toContain("failed calls: 25 of 500 (5.00%), max_error_rate 1.00%: EXCEEDED");
  });

  it("exit 2 for a malformed gate, a missing run directory, or nothing to check", async () => {
    const malformed = await runCli(["gate", runs.base!, "--gate", "accuracy[model=m task=t] >= 0.9"]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain(
      'gate "accuracy[model=m task=t] >= 0.9": column 18: expected "," or "]", found "task"',
    );
    const noDir = await runCli(["gate", join(dir, "nope"), "--gate", "accuracy >= 0.9"]);
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toContain("has no events.jsonl");
    const copy = join(dir, "ungated");
    cpSync(runs.base!, copy, { recursive: true });
    const log = readFileSync(join(copy, "events.jsonl"), "utf8").replace(
      '"gates":["accuracy >= 0.8"]',
      '"gates":[]',
    );
    writeFileSync(join(copy, "events.jsonl"), log);
    const nothing = await runCli(["gate", copy]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain("nothing to check");
  });
});

describe("opbench compare", () => {
  it("prints what changed per model × task with significance", async () => {
    const result = await runCli(["compare", runs.base!, runs.regressed!]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("m × t:");
    expect(result.stdout).toMatch(
      /accuracy \(exact\) 90\.0% → 82\.0%: −8\.0 points \[−10\.4–−5\.6\], p = [\d.e-]+, significant \(McNemar exact/,
    );
    expect(result.stdout).toMatch(
      /p95 e2e_ms [\d.]+ → [\d.]+ ms \(\+\d+\.\d%\): slower \(intervals separate\)/,
    );
    const json = await runCli(["compare", runs.noiseA!, runs.noiseB!, "--json"]);
    const parsed = JSON.parse(json.stdout) as { rows: { accuracy: { significant: boolean }[] }[] };
    expect(parsed.rows[0]!.accuracy[0]!.significant).toBe(false);
  });
});
