/**
 * The benchmark script can't rot: a smoke run (tiny sizes, one repetition, promptfoo left out
 * because it installs from the registry) must finish, join every measured call to the
 * server's truth, and render BENCHMARKS.md's section. No timing is asserted. Also the
 * accuracy join itself, on hand-made numbers.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import type { TruthRecord } from "../../fixtures/scripted-server/server.ts";
import { measureAccuracy } from "../../scripts/bench/lib/accuracy.ts";
import type { BenchResults } from "../../scripts/bench/lib/report.ts";
import { RESULTS_END, RESULTS_START, replaceResults } from "../../scripts/bench/lib/report.ts";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "opbench-bench-smoke-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function truth(
  id: string,
  e2eMs: number,
  ttftMs: number | null,
  extra: Partial<TruthRecord> = {},
): TruthRecord {
  return {
    id,
    case: `case-${id}`,
    stream: ttftMs !== null,
    bodyReadMs: 0.1,
    ttftMs,
    e2eMs,
    scriptedTtftMs: ttftMs === null ? null : 1,
    scriptedE2eMs: 5,
    aborted: false,
    arrivedAt: 0,
    loopLateMs: null,
    ...extra,
  };
}

describe("accuracy join", () => {
  it("subtracts the server's durations from the client's, call by call", () => {
    const report = measureAccuracy(
      [
        { key: "a", e2eMs: 6.5, ttftMs: 2 },
        { key: "b", e2eMs: 7, ttftMs: 3 },
        { key: "missing", e2eMs: 9, ttftMs: 1 },
      ],
      [truth("a", 5.5, 1.5), truth("b", 5, 1), truth("c", 5, 1)],
    );
    expect(report.calls).toBe(3);
    expect(report.matched).toBe(2);
    expect(report.e2eErrorMs).toMatchObject({ n: 2, min: 1, max: 2, p50: 1.5 });
    expect(report.ttftErrorMs).toMatchObject({ n: 2, min: 0.5, max: 2 });
    expect(report.e2eVsScriptMs).toMatchObject({ min: 1.5, max: 2 });
    expect(report.serverJitterMs).toMatchObject({ min: 0, max: 0.5 });
  });

  it("joins by case marker, and ignores aborted server records", () => {
    const report = measureAccuracy(
      [
        { key: "case-x", e2eMs: 30, ttftMs: null },
        { key: "case-y", e2eMs: 30, ttftMs: null },
      ],
      [truth("x", 5, null), truth("y", 5, null, { aborted: true })],
      "case",
    );
    expect(report.matched).toBe(1);
    expect(report.e2eErrorMs?.p50).toBe(25);
    expect(report.ttftErrorMs).toBeNull();
  });
});

describe("npm run bench -- --smoke", () => {
  it("runs every benchmark but promptfoo and joins every measured call to the server's truth", async () => {
    const json = join(dir, "results.json");
    const { stdout } = await run(
      process.execPath,
      [
        "scripts/bench/run.ts",
        "--smoke",
        "--only",
        "overhead,hot-paths,throughput,memory,startup,load,workers",
        "--runners",
        "llamacpp",
        "--json",
        json,
      ],
      { maxBuffer: 10_000_000, timeout: 420_000 },
    );
    const results = JSON.parse(readFileSync(json, "utf8")) as BenchResults;
    expect(results.errors).toEqual([]);

    expect(results.overhead?.map((s) => s.name)).toEqual(["c1-5ms", "c64-100ms", "c64-5ms"]);
    for (const scenario of results.overhead ?? []) {
      expect(scenario.tools.map((t) => t.tool).sort()).toEqual([
        "bare undici (close)",
        "bare undici (keep-alive)",
        "opbench (llamacpp)",
      ]);
      for (const tool of scenario.tools) {
        for (const report of tool.runs) {
          expect(report.calls, `${scenario.name} ${tool.tool}`).toBe(scenario.load.calls);
          expect(report.matched, `${scenario.name} ${tool.tool}`).toBe(scenario.load.calls);
          expect(report.ttftErrorMs?.n).toBe(scenario.load.calls);
        }
      }
    }

    const hot = results.hotPaths ?? [];
    expect(hot.map((h) => h.name)).toContain("SSE parse: 5-chunk response");
    expect(hot.map((h) => h.name)).toContain("RunLog.append (one call record)");
    expect(hot.filter((h) => h.name.startsWith("scorer "))).toHaveLength(7);
    for (const h of hot) expect(h.opsPerSec, h.name).toBeGreaterThan(0);

    const throughput = results.throughput!;
    expect(throughput.tools.map((t) => t.tool).sort()).toEqual([
      "bare undici (close)",
      "bare undici (keep-alive)",
      "minimal undici loop (Pool)",
      "opbench (llamacpp)",
    ]);
    const minimal = throughput.ratios.find((r) => r.bare === "minimal undici loop (Pool)");
    expect(minimal?.cpu?.median).toBeGreaterThan(0);
    for (const tool of throughput.tools) expect(tool.runs[0]?.peakRssMb, tool.tool).toBeGreaterThan(0);
    expect(throughput.rssByCases.map((r) => r.cases)).toEqual([100, 300]);

    expect(results.memory?.summaries.map((s) => [s.records, s.cases])).toEqual([
      [1_000, 1_000],
      [10_000, 10_000],
      [10_000, 1_000],
    ]);

    const startup = results.startup!;
    expect(startup.programs.map((p) => p.program)).toContain("opbench --help");
    for (const p of startup.programs) expect(p.wallMs?.n, p.program).toBe(2);
    const load = results.load!;
    // Smoke runs install nothing: opbench's own load mode runs, each step counted by the server.
    expect(load.steps.filter((s) => s.tool === "opbench load").length).toBe(2);
    for (const step of load.steps) expect(step.serverCount, step.tool).toBeGreaterThan(0);
    expect(results.workers?.rows.map((r) => r.workers).slice(0, 2)).toEqual([1, 2]);
    expect(stdout).toContain(RESULTS_START);
    expect(stdout).toContain(RESULTS_END);
    expect(stdout).toContain("### Targets");
    const section = stdout.slice(
      stdout.indexOf(RESULTS_START),
      stdout.indexOf(RESULTS_END) + RESULTS_END.length,
    );
    const page = `# Benchmarks\n\nintro\n\n${RESULTS_START}\nold\n${RESULTS_END}\n\nafter\n`;
    const replaced = replaceResults(page, section);
    expect(replaced).not.toContain("\nold\n");
    expect(replaced.startsWith("# Benchmarks\n\nintro\n\n")).toBe(true);
    expect(replaced.endsWith("\n\nafter\n")).toBe(true);
  }, 480_000);

  it("the gate benchmark times opbench gate and compare over two runs and renders its rows", async () => {
    const json = join(dir, "gate-results.json");
    const { stdout } = await run(
      process.execPath,
      ["scripts/bench/run.ts", "--smoke", "--only", "gate", "--json", json],
      { maxBuffer: 10_000_000, timeout: 240_000 },
    );
    const results = JSON.parse(readFileSync(json, "utf8")) as BenchResults;
    expect(results.errors).toEqual([]);
    expect(results.gate?.records).toBe(1_000);
    expect(results.gate?.gate.wallMs?.median).toBeGreaterThan(0);
    expect(results.gate?.compare.peakRssMb?.median).toBeGreaterThan(0);
    expect(stdout).toContain("| 13. opbench gate, two runs of 1,000 calls | ≤ 3 s (whole process) |");
    expect(stdout).toContain(
      "### Gates: `opbench gate B --baseline A` and `opbench compare A B` over two synthetic runs",
    );
  }, 300_000);

  it("the replay benchmark times init --from over a synthetic log and renders its rows", async () => {
    const json = join(dir, "replay-results.json");
    const { stdout } = await run(
      process.execPath,
      ["scripts/bench/run.ts", "--smoke", "--only", "replay", "--json", json],
      { maxBuffer: 10_000_000, timeout: 240_000 },
    );
    const results = JSON.parse(readFileSync(json, "utf8")) as BenchResults;
    expect(results.errors).toEqual([]);
    expect(results.replay?.lines).toBe(20_000);
    expect(results.replay?.callsPerS?.median).toBeGreaterThan(0);
    expect(results.replay?.peakRssMb?.median).toBeGreaterThan(0);
    expect(stdout).toContain("| 20. opbench init --from, 20,000 logged calls | ≥ 100,000 calls/s |");
    expect(stdout).toContain("### Replay: `opbench init --from` over a synthetic chat-completions log");
  }, 300_000);
});
