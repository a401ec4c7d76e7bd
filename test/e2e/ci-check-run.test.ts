/**
 * scripts/ci/check-run.ts, the CI check that a run's calls succeeded (the CLI exits 0 either way),
 * on summary files crafted from a clean one.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const SCRIPT = join(import.meta.dirname, "..", "..", "scripts", "ci", "check-run.ts");

/** The fields the check reads of a summary.json: one model, two tasks of 3 cases, all succeeded. */
function cleanSummary() {
  const group = (task: string) => ({
    model: "demo",
    task,
    calls: 3,
    succeeded: 3,
    failed: 0,
    errors_by_class: {} as Record<string, number>,
    error_examples: [] as string[],
  });
  return {
    run: {
      status: "completed",
      node_version: "v24.0.0",
      suite: {
        resolved: {
          repeats: 1,
          models: [{ id: "demo" }],
          tasks: [
            { id: "a", cases: 3 },
            { id: "b", cases: 3 },
          ],
        },
      },
    },
    models: [{ model: "demo", error: null as string | null }],
    results: [group("a"), group("b")],
  };
}

/** Runs the check on `summary` (written as a run directory's summary.json; undefined: none). */
function check(summary: unknown) {
  const runDir = mkdtempSync(join(tmpdir(), "opbench-check-run-"));
  if (summary !== undefined) writeFileSync(join(runDir, "summary.json"), JSON.stringify(summary));
  const result = spawnSync(process.execPath, [SCRIPT, runDir], { encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("scripts/ci/check-run.ts", () => {
  it("passes a clean run, saying what it checked", () => {
    const result = check(cleanSummary());
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("2 model × task pair(s), 6 calls, none failed (Node v24.0.0)");
  });

  it("fails a completed run whose calls failed, naming the pair, the classes and an example", () => {
    const summary = cleanSummary();
    Object.assign(summary.results[1]!, {
      succeeded: 0,
      failed: 3,
      errors_by_class: { parse: 3 },
      error_examples: ["parse: asked for an event stream, the server sent something else"],
    });
    const result = check(summary);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("FAILED");
    expect(result.stderr).toContain(
      "demo × b: 3 of 3 calls failed (parse: 3), e.g. parse: asked for an event stream",
    );
    expect(result.stderr).not.toContain("demo × a");
  });

  it("fails a run where a model × task made no calls, or fewer than its cases", () => {
    const summary = cleanSummary();
    summary.results = [{ ...summary.results[0]!, calls: 2, succeeded: 2 }];
    const result = check(summary);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("demo × a: 2 of 3 calls made");
    expect(result.stderr).toContain("demo × b: no calls (expected 3)");
  });

  it("fails a run that did not complete, or whose model did not start", () => {
    const summary = cleanSummary();
    summary.run.status = "interrupted";
    summary.models[0]!.error = "llama-server exited with code 1";
    const result = check(summary);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the run ended "interrupted"');
    expect(result.stderr).toContain("demo did not start: llama-server exited with code 1");
  });

  it("fails when the run left no summary.json", () => {
    const result = check(undefined);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot read .*summary\.json/);
  });
});
