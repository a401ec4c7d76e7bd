import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CallRecord } from "../../src/core/records.ts";
import type { Summary } from "../../src/metrics/summary.ts";
import { suiteJsonSchema } from "../../src/suite/json-schema.ts";

const BIN = join(import.meta.dirname, "..", "..", "bin", "opbench.js");

function opbench(args: string[], options: { cwd?: string } = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    cwd: options.cwd ?? join(import.meta.dirname, "..", ".."),
    env: { ...process.env, CI: "1" },
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("opbench CLI", () => {
  it("rejects a malformed suite with file:line:column, exit code 2, and makes no run directory", () => {
    const out = mkdtempSync(join(tmpdir(), "opbench-cli-"));
    const runDir = join(out, "run");
    const result = opbench(["run", "fixtures/suites/malformed/wrong-types.yaml", "--out", runDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no call was made");
    expect(result.stderr).toMatch(
      /wrong-types\.yaml:9:15: models\[1\]\.endpoint: expected one of "completion" \| "chat", got "foo"/,
    );
    expect(existsSync(runDir)).toBe(false);
  });

  it("validate: exit 0 with the planned calls for a valid suite, 2 for a broken one", () => {
    const ok = opbench(["validate", "suites/quickstart.yaml"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/valid\. 1 model\(s\), 1 task\(s\), 48 case\(s\), 48 measured call\(s\)/);
    const bad = opbench(["validate", "fixtures/suites/malformed/undefined-var.yaml"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /undefined-var\.yaml:8:13: tasks\[0\]\.prompt: undefined template variable `questoin`/,
    );
  });

  it("validate: a binary suite file is one clear error, not a pile of YAML syntax errors", () => {
    const path = join(mkdtempSync(join(tmpdir(), "opbench-cli-")), "suite.yaml");
    // A PNG signature after a key: latin1 writes each character as the one byte it names.
    writeFileSync(path, Buffer.from("name: \x89PNG\r\n\x1a\n", "latin1"));
    const result = opbench(["validate", path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "opbench: the suite is not valid; no call was made.\n" +
        `${path}:1:7: not a UTF-8 text file (invalid UTF-8 byte 0x89 at byte offset 6); a suite is a UTF-8 YAML file\n`,
    );
  });

  it("exits 2 with usage help on an unknown command or flag", () => {
    expect(opbench(["frobnicate"]).code).toBe(2);
    const result = opbench(["run", "--no-such-flag"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown argument/i);
  });

  it("schema: prints the suite JSON Schema, identical to the committed schema/suite.schema.json", () => {
    const result = opbench(["schema"]);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(printed).toEqual(suiteJsonSchema());
    const committed = JSON.parse(
      readFileSync(join(import.meta.dirname, "..", "..", "schema", "suite.schema.json"), "utf8"),
    );
    expect(committed).toEqual(printed); // regenerate with `npm run schema` after changing src/suite/schema.ts
  });

  it("runs the quickstart on the built-in demo model end to end: records, summary, table, demo warning", () => {
    const out = join(mkdtempSync(join(tmpdir(), "opbench-cli-")), "quick");
    const result = opbench(["run", "suites/quickstart.yaml", "--limit", "4", "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("DEMO model");
    expect(result.stdout).toContain("banking77-intent");
    expect(readdirSync(out).sort()).toEqual(expect.arrayContaining(["events.jsonl", "summary.json"]));
    const records = readFileSync(join(out, "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((e): e is CallRecord => e.type === "call");
    const measured = records.filter((r) => !r.warmup);
    expect(measured).toHaveLength(4);
    for (const r of measured) {
      expect(r.ok).toBe(true);
      expect(r.scores.find((s) => s.scorer === "valid_label")?.score).toBe(1); // grammar-constrained
      expect(r.ttft_ms).toBeGreaterThan(0);
      expect(r.e2e_ms).toBeGreaterThanOrEqual(r.ttft_ms!);
    }
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as Summary;
    expect(summary.run.status).toBe("completed");
    expect(summary.results[0]).toMatchObject({
      model: "demo",
      task: "banking77-intent",
      calls: 4,
      succeeded: 4,
    });
    expect(summary.models[0]?.backend?.demo_model).toBe(true);
    // Energy, local cost and compute are known on any machine: measured where RAPL is readable,
    // else modelled from the processor's power table and opbench's own CPU time, with its band.
    const local = summary.results[0]!;
    expect(local.energy.per_call_j).toBeGreaterThan(0);
    expect(local.cost.per_call_usd).toBeGreaterThan(0);
    expect(local.compute?.per_call_cpu_core_s).toBeGreaterThan(0);
    expect(local.carbon?.per_call_g).toBeGreaterThan(0);
    const start = readFileSync(join(out, "events.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l.includes('"type":"model_start"'))
      .map((l) => JSON.parse(l))[0];
    expect(start.energy.method).toBe(summary.models[0]?.energy?.method);
    if (local.energy.source === "modelled") {
      expect(local.energy.band).toEqual({ low: 0.5, high: 1.5 });
      expect(start.energy.table_row).toMatch(/Cloud Carbon Footprint|CCF|power_w|RAPL/);
      expect(start.energy.utilisation_source).toMatch(/process\.cpuUsage\(\)/);
      expect(result.stdout).toMatch(/modelled ±50%/);
      const line = result.stdout.split("\n").find((l) => l.includes("demo vs gpt-4.1"));
      expect(line).toMatch(
        /with \d+(\.\d)?× less energy \[[\d.]+–[\d.]+×\] \(demo modelled ±50%, gpt-4\.1 published estimate\)/,
      );
    } else {
      expect(local.energy.source).toBe("measured-cpu");
    }
  });

  it("summary: recomputes summary.json from the log alone", () => {
    const out = join(mkdtempSync(join(tmpdir(), "opbench-cli-")), "s");
    expect(
      opbench(["run", "suites/quickstart.yaml", "--limit", "2", "--warmup", "0", "--out", out]).code,
    ).toBe(0);
    const before = readFileSync(join(out, "summary.json"), "utf8");
    const result = opbench(["summary", out, "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(before));
  });
});
