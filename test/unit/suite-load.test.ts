/** The valid fixture suite, loaded end to end: cases, parameters, paths, scorers, hash, summary. */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadSuite } from "../../src/suite/load.ts";
import { describeSuite } from "../../src/suite/resolve.ts";
import type { ResolvedSuite } from "../../src/suite/resolved.ts";
import { withoutRows } from "../helpers/cases.ts";
import { sync } from "../helpers/sync-scorer.ts";

const DIR = resolve("fixtures/suites/valid");
const at = (...parts: string[]) => resolve(DIR, ...parts);

describe("loadSuite on a valid suite", () => {
  let suite: ResolvedSuite;
  beforeAll(async () => {
    suite = await loadSuite("fixtures/suites/valid/suite.yaml");
  });

  it("records where it came from and the suite-level settings", () => {
    expect(suite.name).toBe("fixture-valid");
    expect(suite.description).toBe("Loader fixture");
    expect(suite.sourcePath).toBe(at("suite.yaml"));
    expect(suite.baseDir).toBe(DIR);
    expect(suite.repeats).toBe(2);
    expect(suite.warmup).toBe(1);
    expect(suite.parallelModels).toBe(false);
    expect(suite.retry).toEqual({ attempts: 5, backoffMs: 250, maxBackoffMs: 30_000 });
  });

  it("makes model paths absolute relative to the suite file", () => {
    const [local, attached, embedded] = suite.models;
    expect(local!.config).toMatchObject({
      runner: "llamacpp",
      spawn: {
        binary: at("bin/llama-server"),
        model: at("models/tiny.gguf"),
        lora: [at("adapters/a.gguf")],
        threads: 1,
      },
      lora: [{ path: at("adapters/a.gguf"), scale: 0.5 }],
    });
    expect(attached!.config).toMatchObject({ runner: "llamacpp", url: "http://127.0.0.1:8080" });
    expect(embedded!.config).toMatchObject({
      runner: "embedded",
      model: resolve(DIR, "../models/demo.gguf"),
      lora: [{ path: at("adapters/b.gguf"), scale: 1 }],
    });
  });

  it("gives models labels and concurrency (their own, else the suite's)", () => {
    expect(suite.models.map((m) => [m.id, m.label, m.runner, m.concurrency])).toEqual([
      ["local-tiny", "local-tiny", "llamacpp", 3],
      ["attached", "attached", "llamacpp", 2],
      ["embedded-demo", "embedded-demo", "embedded", 3],
    ]);
  });

  it("keeps model params apart, in ResolvedParams names (YAML merge keys included)", () => {
    expect(suite.modelParams).toEqual({
      "local-tiny": { temperature: 0, timeoutMs: 120_000 },
      attached: { temperature: 0, seed: 7, timeoutMs: 120_000 },
      "embedded-demo": {},
    });
  });

  it("merges task params: built-in < defaults < top-level timeout < task", () => {
    const params = Object.fromEntries(suite.tasks.map((t) => [t.id, t.params]));
    expect(params.capitals).toEqual({ maxTokens: 8, temperature: 0.2, stream: true, timeoutMs: 20_000 });
    expect(params.math).toEqual({
      maxTokens: 64,
      temperature: 0.2,
      stream: true,
      timeoutMs: 5_000,
      stop: ["\n"],
    });
    expect(params["inline-json"]).toEqual({
      maxTokens: 64,
      temperature: 0.2,
      stream: true,
      timeoutMs: 20_000,
    });
  });

  it("renders CSV cases with case_id, cluster, system and the row's expected column", () => {
    const capitals = suite.tasks[0]!;
    // Each case keeps its row, so that scorers can read the columns the prompt did not use.
    expect(capitals.cases.at(0)?.row).toEqual({ country: "France", region: "Europe", expected: "Paris" });
    expect(withoutRows(capitals.cases)).toEqual([
      {
        id: "cap-France",
        system: "Answer with one word.",
        prompt: "What is the capital of France?",
        expected: "Paris",
        cluster: "Europe",
      },
      {
        id: "cap-Japan",
        system: "Answer with one word.",
        prompt: "What is the capital of Japan?",
        expected: "Tokyo",
        cluster: "Asia",
      },
      {
        id: "cap-Kenya",
        system: "Answer with one word.",
        prompt: "What is the capital of Kenya?",
        expected: "Nairobi",
        cluster: "Africa",
      },
    ]);
  });

  it("renders JSONL cases up to the limit, with dotted paths and numeric expected values as text", () => {
    expect(withoutRows(suite.tasks[1]!.cases)).toEqual([
      { id: "1", prompt: "Compute 2+2 (hint: small)", expected: "4" },
      { id: "2", prompt: "Compute 3*3 (hint: square)", expected: "9" },
    ]);
  });

  it("renders inline rows, objects as JSON, and sets the JSON Schema output constraint", () => {
    const task = suite.tasks[2]!;
    expect(withoutRows(task.cases)).toEqual([
      { id: "1", prompt: 'Give JSON for pen: {"color":"blue","n":2}' },
      { id: "2", prompt: "Give JSON for cup: [1,2]" },
    ]);
    expect(task.structured).toEqual({
      type: "json_schema",
      schema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
    });
  });

  it("renders JSON-array cases with an expected template and a grammar constraint", () => {
    const task = suite.tasks[3]!;
    expect(withoutRows(task.cases)).toEqual([
      { id: "1", prompt: "Say yes", expected: "yes" },
      { id: "2", prompt: "Say no", expected: "no" },
    ]);
    expect(task.structured).toEqual({ type: "grammar", grammar: 'root ::= "yes" | "no"' });
  });

  it("normalises scorer shorthand, picks default scorers, and builds working scorers", () => {
    expect(suite.tasks.map((t) => t.scorerConfigs)).toEqual([
      [{ type: "exact" }, { type: "contains", ignore_case: true }],
      [{ type: "exact" }],
      [{ type: "json_valid" }],
      [
        { type: "regex", pattern: "^(yes|no)$", flags: "i" },
        { type: "one_of", labels_file: "data/labels.txt" },
      ],
    ]);
    expect(suite.tasks.map((t) => t.scorers.map((s) => s.name))).toEqual([
      ["exact", "contains"],
      ["exact"],
      ["json_valid"],
      ["regex", "one_of"],
    ]);
    const [regex, oneOf] = suite.tasks[3]!.scorers;
    expect(sync(regex!.score({ output: "YES", expected: "yes" })).score).toBe(1);
    expect(sync(oneOf!.score({ output: "maybe", expected: "yes" })).score).toBe(0);
    expect(sync(oneOf!.score({ output: "no", expected: "yes" })).score).toBe(1);
  });

  it("hashes the suite text and each dataset file's hash in task order", () => {
    const hash = createHash("sha256").update(readFileSync(at("suite.yaml")));
    for (const file of ["data/capitals.csv", "data/math.jsonl", "data/words.json"]) {
      hash.update(
        createHash("sha256")
          .update(readFileSync(at(file)))
          .digest("hex"),
      );
    }
    expect(suite.hash).toBe(hash.digest("hex"));
  });

  it("describes itself for the run log without case contents", () => {
    const description = describeSuite(suite);
    const json = JSON.stringify(description);
    expect(JSON.parse(json)).toEqual(description);
    expect(json).not.toContain("capital of France");
    expect(json).not.toContain("Paris");
    expect(description.tasks.map((t) => [t.id, t.cases])).toEqual([
      ["capitals", 3],
      ["math", 2],
      ["inline-json", 2],
      ["from-json-array", 2],
    ]);
    expect(description.tasks[1]!.params).toEqual({
      max_tokens: 64,
      temperature: 0.2,
      stop: ["\n"],
      stream: true,
      timeout_ms: 5_000,
    });
    expect(description.models[1]).toMatchObject({
      id: "attached",
      concurrency: 2,
      params: { temperature: 0, seed: 7, timeout_ms: 120_000 },
    });
    expect(description).toMatchObject({
      name: "fixture-valid",
      hash: suite.hash,
      repeats: 2,
      warmup: 1,
      parallel_models: false,
      retry: { attempts: 5, backoff_ms: 250, max_backoff_ms: 30_000 },
    });
  });
});
