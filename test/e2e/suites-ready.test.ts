/**
 * The ready suites (suites/*.yaml but the quickstart), end to end as a user without API keys runs
 * them: each validates, `--dry-run`s with its cost upper bound, and runs a few cases with
 * `--skip-missing-keys` on its own local model entry — its `spawn` block unchanged, started by
 * opbench as a real llama-server, with the tiny test GGUF at the path the suite names — while its
 * API models are skipped, announced on stderr and recorded in summary.json. The tiny model's
 * answers are noise: what is tested is that every task's prompt, grammar or schema, dataset and
 * scorers go through a real server and come back scored.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, parseDocument } from "yaml";
import type { Summary } from "../../src/metrics/summary.ts";
import { readCalls, runCli } from "../helpers/cli.ts";
import { llamaServerBinary, TINY_MODEL } from "../helpers/llama-server.ts";

const SUITES_DIR = join(import.meta.dirname, "..", "..", "suites");
const READY = readdirSync(SUITES_DIR)
  .filter((file) => file.endsWith(".yaml") && file !== "quickstart.yaml")
  .sort();
const LIMIT = 3;

interface SuiteFile {
  models: { id: string; runner: string; spawn?: { model: string } }[];
  tasks: { id: string; scorers: ({ type: string; name?: string; judge?: string } | string)[] }[];
  judges?: { id: string }[];
  savings?: { candidate: string; baseline: string }[];
}

/** The environment of a user with no API key (none inherited from the machine running the tests). */
function keylessEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LLAMA_SERVER: llamaServerBinary() };
  for (const name of ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY"])
    delete env[name];
  return env;
}

describe("the ready suites, without API keys, on the real llama-server", () => {
  let work: string;
  beforeAll(() => {
    // A copy of suites/ (suites and data), with the tiny GGUF at each path a `spawn` block names.
    work = mkdtempSync(join(tmpdir(), "opbench-suites-"));
    cpSync(SUITES_DIR, join(work, "suites"), { recursive: true });
    for (const file of READY) {
      const text = readFileSync(join(SUITES_DIR, file), "utf8");
      const suite = parse(text) as SuiteFile;
      for (const model of suite.models) {
        if (!model.spawn) continue;
        const path = join(work, "suites", model.spawn.model);
        mkdirSync(dirname(path), { recursive: true });
        if (!existsSync(path)) symlinkSync(TINY_MODEL, path);
      }
      // The tiny model's SPM vocabulary makes this llama-server's Jinja path reject JSON schemas
      // on the chat endpoint ("Failed to initialize samplers", see runners-llamacpp.test.ts);
      // the real models the suites name (Qwen, BPE) have no such problem. Only for the schema
      // tasks' suites, the copy's spawn blocks get --no-jinja (the legacy template path).
      if (suite.tasks.some((task) => "json_schema" in task)) {
        const document = parseDocument(text);
        suite.models.forEach((model, index) => {
          if (model.spawn) document.setIn(["models", index, "spawn", "args"], ["--no-jinja"]);
        });
        writeFileSync(join(work, "suites", file), document.toString());
      }
    }
  });

  it("finds the six ready suites", () => {
    expect(READY).toEqual([
      "banking77.yaml",
      "goemotions.yaml",
      "pii.yaml",
      "restaurant8k.yaml",
      "scitldr.yaml",
      "spider.yaml",
    ]);
  });

  it.each(READY)(
    "%s validates, dry-runs and runs its local model with the API models skipped",
    async (file) => {
      const suitePath = join(work, "suites", file);
      const suite = parse(readFileSync(suitePath, "utf8")) as SuiteFile;
      const env = keylessEnv();
      const local = suite.models.filter((m) => m.runner === "llamacpp");
      const api = suite.models.filter((m) => m.runner !== "llamacpp");
      expect(local).toHaveLength(1);
      expect(api.length).toBeGreaterThanOrEqual(2);

      const valid = await runCli(["validate", suitePath], env, true, work);
      expect(valid.code, valid.stderr).toBe(0);
      expect(valid.stdout).toContain(`${basename(suitePath)}: valid.`);

      const plan = await runCli(["run", suitePath, "--dry-run"], env, true, work);
      expect(plan.code, plan.stderr).toBe(0);
      for (const model of suite.models) expect(plan.stdout).toContain(model.id);
      expect(plan.stdout).toMatch(
        /Estimated API cost at most: \$\d+\.\d{4}( \(models \$\d+\.\d{4}, judges \$\d+\.\d{4}\))?\. No call was made\./,
      );
      // A suite with an LLM judge bounds its calls on a line of their own.
      for (const judge of suite.judges ?? [])
        expect(plan.stdout).toMatch(
          new RegExp(`LLM judge ${judge.id} \\(evaluation overhead, worst case\\): [1-9]\\d* calls`),
        );

      // Without the flag a missing key still refuses the run before any call.
      const refused = await runCli(["run", suitePath, "--limit", "1"], env, true, work);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        "no call was made: set these environment variables first: OPENAI_API_KEY",
      );

      const out = join(work, "runs", basename(file, ".yaml"));
      const args = [
        "run",
        suitePath,
        "--limit",
        String(LIMIT),
        "--warmup",
        "0",
        "--skip-missing-keys",
        "--out",
        out,
      ];
      const run = await runCli(args, env, true, work);
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as Summary;

      for (const model of api) {
        // Announced on the terminal, recorded in the summary, with the pairs it takes away.
        const line = `opbench: model ${model.id} skipped: OPENAI_API_KEY is not set (--skip-missing-keys)`;
        expect(run.stderr).toContain(line);
        const recorded = summary.models.find((m) => m.model === model.id);
        expect(recorded?.error).toMatch(/^skipped: OPENAI_API_KEY is not set \(--skip-missing-keys\)/);
        for (const pair of (suite.savings ?? []).filter((p) => p.baseline === model.id)) {
          expect(recorded?.error).toContain(`${pair.candidate} vs ${pair.baseline}`);
        }
        expect(summary.results.filter((r) => r.model === model.id)).toEqual([]);
      }
      expect(summary.savings).toEqual([]); // every pair's baseline was skipped: none is stated
      const markdown = readFileSync(join(out, "report.md"), "utf8");
      for (const model of api) {
        expect(markdown).toContain(`${model.id} skipped: OPENAI\\_API\\_KEY is not set`);
      }
      // A skip is not a failure to start: neither the report nor the terminal says so.
      expect(markdown).not.toContain("did not start");
      expect(run.stderr).not.toContain("did not start");

      // A judge with an API key is skipped too: announced, recorded, its scorers not run.
      for (const judge of suite.judges ?? []) {
        expect(run.stderr).toContain(`opbench: judge ${judge.id} skipped: OPENAI_API_KEY is not set`);
        expect(summary.judges?.find((j) => j.judge === judge.id)).toMatchObject({ skipped: true, calls: 0 });
      }
      const id = local[0]!.id;
      expect(summary.models.find((m) => m.model === id)?.error).toBeNull();
      const records = readCalls(out);
      expect(records.every((r) => r.model === id)).toBe(true);
      for (const task of suite.tasks) {
        const result = summary.results.find((r) => r.model === id && r.task === task.id);
        expect(result, `${id} × ${task.id}`).toMatchObject({ calls: LIMIT, succeeded: LIMIT, failed: 0 });
        const names = task.scorers
          .filter((s) => typeof s === "string" || s.judge === undefined)
          .map((s) => (typeof s === "string" ? s : (s.name ?? s.type)));
        for (const record of records.filter((r) => r.task === task.id)) {
          expect(record.ok, JSON.stringify(record.error)).toBe(true);
          expect(record.expected).not.toBeNull();
          expect(record.input_tokens).toBeGreaterThan(0);
          // Every scorer scored the call (noise scores, but a number each, with its reason).
          expect(record.scores.map((s) => s.scorer)).toEqual(names);
          for (const score of record.scores) expect(score.score, score.reason).not.toBeNull();
        }
      }
    },
    180_000,
  );
});
