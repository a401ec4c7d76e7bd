/** resolveSuite on configs built in the test: defaults, merge order, paths, default scorers. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { LoadedDataset } from "../../src/suite/dataset.ts";
import { BUILTIN_DEFAULTS } from "../../src/suite/defaults.ts";
import { SuiteError } from "../../src/suite/errors.ts";
import { resolveSuite } from "../../src/suite/resolve.ts";
import { suiteConfigSchema } from "../../src/suite/schema.ts";
import { withoutRows } from "../helpers/cases.ts";

const BASE = "/suites/demo";
const attach = { id: "m", runner: "llamacpp", url: "http://127.0.0.1:8080" };

function resolveFrom(input: Record<string, unknown>, datasets?: LoadedDataset[], text = "name: x\n") {
  const config = suiteConfigSchema().parse({ name: "s", models: [attach], ...input });
  const loaded =
    datasets ??
    config.tasks.map((t) => {
      const rows = t.dataset as Record<string, unknown>[];
      return { rows, rowCount: rows.length };
    });
  return resolveSuite(config, { sourcePath: `${BASE}/suite.yaml`, baseDir: BASE, text, datasets: loaded });
}

describe("resolveSuite", () => {
  it("applies the built-in defaults to a suite that sets nothing", () => {
    const suite = resolveFrom({ tasks: [{ id: "t", prompt: "{{q}}", dataset: [{ q: "a" }] }] });
    expect(suite.tasks[0]!.params).toEqual({ maxTokens: 256, stream: true, timeoutMs: 60_000 });
    expect(suite.repeats).toBe(1);
    expect(suite.warmup).toBe(0);
    expect(suite.parallelModels).toBe(false);
    expect(suite.retry).toEqual({ attempts: 3, backoffMs: 500, maxBackoffMs: 30_000 });
    expect(suite.models[0]!.concurrency).toBe(1);
    expect(suite.modelParams).toEqual({ m: {} });
  });

  it("refuses a GBNF grammar for a model that cannot apply one, unless it says ignore_grammar", () => {
    const tasks = [{ id: "t", prompt: "{{q}}", dataset: [{ q: "a" }], grammar: 'root ::= "a"' }];
    const api = { id: "gpt", runner: "openai", model: "gpt-4.1" };
    const claude = { id: "claude", runner: "anthropic", model: "claude-sonnet-4-5" };
    let error: unknown;
    try {
      resolveFrom({ models: [attach, api, claude], tasks });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SuiteError);
    expect((error as SuiteError).issues.map((i) => [i.key, i.message])).toEqual([
      [
        "tasks[0].grammar",
        'a GBNF grammar is llama.cpp-only, and model "gpt" (runner openai), model "claude" (runner anthropic) cannot apply it: set ignore_grammar: true on those models (the prompt alone then constrains the answer), or give json_schema in place of grammar',
      ],
    ]);
    const suite = resolveFrom({
      models: [attach, { ...api, ignore_grammar: true }, { ...claude, ignore_grammar: true }],
      tasks,
    });
    expect(suite.tasks[0]!.structured).toEqual({ type: "grammar", grammar: 'root ::= "a"' });
    // No grammar, nothing to refuse.
    expect(() => resolveFrom({ models: [api], tasks: [{ ...tasks[0], grammar: undefined }] })).not.toThrow();
  });

  it("keeps the built-in defaults read-only", () => {
    expect(Object.isFrozen(BUILTIN_DEFAULTS)).toBe(true);
    expect(() => {
      (BUILTIN_DEFAULTS.params as { maxTokens: number }).maxTokens = 1;
    }).toThrow(TypeError);
    expect(() => {
      (BUILTIN_DEFAULTS.retry as { attempts: number }).attempts = 9;
    }).toThrow(TypeError);
  });

  it("merges built-in < defaults < top-level timeout < task fields", () => {
    const tasks = [
      { id: "plain", prompt: "p", dataset: [{}] },
      { id: "own", prompt: "p", dataset: [{}], timeout: "750ms", max_tokens: 9, stream: false, top_k: 5 },
    ];
    const withTop = resolveFrom({
      defaults: { max_tokens: 32, timeout: 5, temperature: 0.7, top_p: 0.9, seed: 1 },
      timeout: "1m",
      tasks,
    });
    expect(withTop.tasks[0]!.params).toEqual({
      maxTokens: 32,
      stream: true,
      timeoutMs: 60_000,
      temperature: 0.7,
      topP: 0.9,
      seed: 1,
    });
    expect(withTop.tasks[1]!.params).toEqual({
      maxTokens: 9,
      stream: false,
      timeoutMs: 750,
      temperature: 0.7,
      topP: 0.9,
      topK: 5,
      seed: 1,
    });
    const withoutTop = resolveFrom({ defaults: { timeout: 5 }, tasks });
    expect(withoutTop.tasks[0]!.params.timeoutMs).toBe(5_000);
  });

  it("resolves model paths, leaving a bare llama-server binary name for PATH lookup", () => {
    const suite = resolveFrom({
      models: [
        { id: "a", runner: "llamacpp", spawn: { model: "m.gguf", binary: "llama-server" } },
        { id: "b", runner: "llamacpp", spawn: { model: "/abs/m.gguf", binary: "/opt/llama-server" } },
        { id: "c", runner: "llamacpp", spawn: { model: "../m.gguf", binary: "./build/llama-server" } },
        { id: "d", runner: "embedded", label: "Demo" },
      ],
      tasks: [{ id: "t", prompt: "p", dataset: [{}] }],
    });
    const spawnOf = (i: number) =>
      (suite.models[i]!.config as { spawn: { model: string; binary: string } }).spawn;
    expect(spawnOf(0)).toEqual({ model: `${BASE}/m.gguf`, binary: "llama-server" });
    expect(spawnOf(1)).toEqual({ model: "/abs/m.gguf", binary: "/opt/llama-server" });
    expect(spawnOf(2)).toEqual({ model: "/suites/m.gguf", binary: `${BASE}/build/llama-server` });
    expect(suite.models[3]!.config).toEqual({ id: "d", runner: "embedded", label: "Demo" });
    expect(suite.models[3]!.label).toBe("Demo");
  });

  it("does not change the config it was given", () => {
    const config = suiteConfigSchema().parse({
      name: "s",
      models: [{ id: "a", runner: "embedded", model: "m.gguf" }],
      tasks: [{ id: "t", prompt: "p", dataset: [{}] }],
    });
    const before = structuredClone(config);
    resolveSuite(config, {
      sourcePath: "x",
      baseDir: BASE,
      text: "",
      datasets: [{ rows: [{}], rowCount: 1 }],
    });
    expect(config).toEqual(before);
  });

  it("chooses default scorers: exact with expected answers, else json_valid with a schema, else none", () => {
    const suite = resolveFrom({
      tasks: [
        { id: "graded", prompt: "p", dataset: [{ expected: "a" }, { other: 1 }] },
        { id: "json", prompt: "p", dataset: [{}], json_schema: { type: "object" } },
        { id: "free", prompt: "p", dataset: [{}] },
        { id: "none", prompt: "p", dataset: [{ expected: "a" }], scorers: [] },
      ],
    });
    expect(suite.tasks.map((t) => t.scorerConfigs)).toEqual([
      [{ type: "exact" }],
      [{ type: "json_valid" }],
      [],
      [],
    ]);
    expect(suite.tasks.map((t) => t.scorers.length)).toEqual([1, 1, 0, 0]);
  });

  it("takes expected from the row unless the task has a template; objects become JSON, null none", () => {
    const suite = resolveFrom({
      tasks: [
        {
          id: "row",
          prompt: "{{q}}",
          dataset: [
            { q: 1, expected: { a: [1] } },
            { q: 2, expected: null },
            { q: 3, expected: true },
          ],
        },
        { id: "tpl", prompt: "{{q}}", expected: "A{{q}}", dataset: [{ q: 1, expected: "ignored" }] },
      ],
    });
    expect(withoutRows(suite.tasks[0]!.cases)).toEqual([
      { id: "1", prompt: "1", expected: '{"a":[1]}' },
      { id: "2", prompt: "2" },
      { id: "3", prompt: "3", expected: "true" },
    ]);
    expect(withoutRows(suite.tasks[1]!.cases)).toEqual([{ id: "1", prompt: "1", expected: "A1" }]);
  });

  it("hashes the text alone when every dataset is inline", () => {
    const text = "name: s\n# inline only\n";
    const suite = resolveFrom({ tasks: [{ id: "t", prompt: "p", dataset: [{}] }] }, undefined, text);
    expect(suite.hash).toBe(createHash("sha256").update(text).digest("hex"));
  });

  it("positions its problems in the suite text", () => {
    const text = ["name: s", "tasks:", "  - id: t", "    prompt: '{{missing}}'", "    dataset: []"].join(
      "\n",
    );
    const error = (() => {
      try {
        resolveFrom({ tasks: [{ id: "t", prompt: "{{missing}}", dataset: [{ q: 1 }] }] }, undefined, text);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SuiteError);
    const [issue] = (error as SuiteError).issues;
    expect(issue).toMatchObject({ file: `${BASE}/suite.yaml`, line: 4, column: 13, key: "tasks[0].prompt" });
    expect(issue!.message).toContain("columns: q");
  });

  it("rejects an empty dataset and a json_schema scorer with no schema", () => {
    const error = (() => {
      try {
        resolveFrom({
          tasks: [
            { id: "empty", prompt: "p", dataset: [] },
            { id: "schemaless", prompt: "p", dataset: [{}], scorers: ["json_schema"] },
          ],
        });
      } catch (e) {
        return e;
      }
    })() as SuiteError;
    expect(error.issues.map((i) => [i.key, i.message])).toEqual([
      ["tasks[0].dataset", "the dataset has no rows"],
      ["tasks[1].scorers[0]", "the json_schema scorer needs a `schema`, or a `json_schema` on its task"],
    ]);
  });

  it("refuses a datasets list that does not match the tasks (a caller bug, not a suite error)", () => {
    const config = suiteConfigSchema().parse({
      name: "s",
      models: [attach],
      tasks: [{ id: "t", prompt: "p", dataset: [{}] }],
    });
    expect(() => resolveSuite(config, { sourcePath: "x", baseDir: BASE, text: "", datasets: [] })).toThrow(
      /1 tasks but 0 datasets/,
    );
  });
});
