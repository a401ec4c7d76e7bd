import { describe, expect, it } from "vitest";
import type { ScorerConfigBase } from "../../src/core/scorer.ts";
import { createScorer } from "../../src/scoring/index.ts";
import { extractJsonOutput } from "../../src/scoring/json-text.ts";
import { sync } from "../helpers/sync-scorer.ts";

const context = { baseDir: "." };
const run = (config: ScorerConfigBase & Record<string, unknown>, output: string, expected?: string) =>
  sync(createScorer(config, context).score({ output, expected }));

describe("JSON in chatty output", () => {
  it("finds a ```json block, preferring it to other blocks", () => {
    const output = 'Sure!\n```text\nnot json\n```\nHere:\n```json\n{"a": 1}\n```\nAnything else?';
    expect(extractJsonOutput(output)).toMatchObject({
      ok: true,
      value: { a: 1 },
      fenced: true,
      extracted: true,
    });
  });

  it("finds the first bracketed value that parses, past stray brackets and braces inside strings", () => {
    const output = 'Use {braces} well. The answer is {"note": "a } in a string", "n": [1, 2]} — done.';
    expect(extractJsonOutput(output)).toMatchObject({
      ok: true,
      value: { note: "a } in a string", n: [1, 2] },
    });
    expect(extractJsonOutput("A stray { then [1,2]")).toMatchObject({ ok: true, value: [1, 2] });
    expect(extractJsonOutput("no json here").ok).toBe(false);
  });

  it("is off unless the scorer allows it", () => {
    const chatty = 'Here you go: {"a": 1}';
    expect(run({ type: "json_valid" }, chatty).score).toBe(0);
    expect(run({ type: "json_valid", extract_json: true }, chatty)).toEqual({
      score: 1,
      reason: "valid JSON object (found in the output's text)",
    });
    const schema = { type: "object", required: ["a"] };
    expect(run({ type: "json_schema", schema, extract_json: true }, chatty).score).toBe(1);
    expect(run({ type: "json_schema", schema, extract_json: true }, 'Here: {"b": 1}').score).toBe(0);
  });
});

describe("json_fields scorer", () => {
  const expected = JSON.stringify({
    name: "Ada Lovelace",
    age: 36,
    address: { city: "London", zip: "W1" },
    tags: ["math", "poetry"],
  });

  it("compares every leaf of the expected object by default, naming each mismatch's path", () => {
    const output = JSON.stringify({
      name: "Ada Lovelace",
      age: 37,
      address: { city: "London" },
      tags: ["math", "poetry"],
    });
    const result = run({ type: "json_fields" }, output, expected);
    expect(result.score).toBeCloseTo(3 / 5, 12);
    expect(result.reason).toBe(
      "fields right 0.600; 3/5 fields right: age differs: expected 36, got 37; address.zip missing",
    );
  });

  it("per-field modes: normalized, numeric with tolerance, set", () => {
    const config = {
      type: "json_fields",
      fields: {
        name: "normalized",
        age: { compare: "numeric", abs_tol: 1 },
        "/address/city": "exact",
        tags: "set",
      },
    };
    const output =
      '```json\n{"name": "ada lovelace.", "age": "37 years", "address": {"city": "London"}, "tags": ["poetry", "math", "math"]}\n```';
    expect(run(config, output, expected)).toEqual({
      score: 1,
      reason: "fields right 1.000; 4/4 fields right (inside a ``` code fence)",
    });
    const wrong = '{"name": "Ada", "age": 40, "address": {"city": "Paris"}, "tags": ["math"]}';
    const result = run(config, wrong, expected);
    expect(result.score).toBe(0);
    expect(result.reason).toMatch(
      /name differs after normalisation.*\(normalized\); age off by 4.*\(numeric\); \/address\/city differs.*; tags set differs \(1 missing, 0 extra\)/,
    );
  });

  it("a required field wrong or missing scores 0; threshold; chatty output when allowed", () => {
    const config = {
      type: "json_fields",
      fields: { name: { required: true }, age: "numeric" },
      extract_json: true,
    };
    expect(run(config, 'Result: {"age": 36}', expected)).toMatchObject({
      score: 0,
      reason: expect.stringMatching(/^required field name is wrong or missing; 1\/2 fields right/),
    });
    expect(
      run({ ...config, threshold: 0.5 }, 'Result: {"name": "Ada Lovelace", "age": 1}', expected).score,
    ).toBe(1);
  });

  it("not JSON scores 0; an expected answer that is not JSON is unscorable", () => {
    expect(run({ type: "json_fields" }, "", expected)).toMatchObject({ score: 0 });
    expect(run({ type: "json_fields" }, "{}", "Ada").score).toBeNull();
    expect(run({ type: "json_fields", value: { ok: true } }, '{"ok": true}').score).toBe(1);
  });

  it("Unicode keys and values", () => {
    expect(run({ type: "json_fields" }, '{"città": "Zürich 🇨🇭"}', '{"città": "Zürich 🇨🇭"}').score).toBe(1);
  });
});

describe("spans scorer", () => {
  const gold = JSON.stringify([
    { type: "PERSON", text: "Ada Lovelace" },
    { type: "EMAIL", text: "ada@example.org" },
    { type: "PHONE", text: "+44 20 7946 0958" },
  ]);

  it("exact typed spans: precision, recall, F1 and F1 per type", () => {
    const output = JSON.stringify([
      { type: "PERSON", text: "Ada Lovelace" },
      { type: "EMAIL", text: "ada@example.org" },
      { type: "PERSON", text: "London" },
    ]);
    const result = run({ type: "spans" }, output, gold);
    expect(result.score).toBeCloseTo(2 / 3, 12);
    expect(result.reason).toBe(
      "span F1 0.667; precision 0.667, recall 0.667; EMAIL F1 1.000 (1/1 found, 0 wrong); " +
        "PERSON F1 0.667 (1/1 found, 1 wrong); PHONE F1 0.000 (0/1 found, 0 wrong)",
    );
  });

  it("overlap matching by text or offsets; a wrong type does not count unless ignored", () => {
    const partial = '{"PERSON": ["Lovelace"], "EMAIL": ["ada@example.org"], "PHONE": ["020 7946 0958"]}';
    expect(run({ type: "spans" }, partial, gold).score).toBeCloseTo(1 / 3, 12);
    expect(run({ type: "spans", match: "overlap" }, partial, gold).score).toBeCloseTo(2 / 3, 12);
    const byOffsets = '{"entities": [{"label": "NAME", "text": "x", "start": 3, "end": 9}]}';
    const goldOffsets = '[{"type": "PERSON", "text": "Ada", "start": 0, "end": 5}]';
    expect(run({ type: "spans", match: "overlap" }, byOffsets, goldOffsets).score).toBe(0);
    expect(run({ type: "spans", match: "overlap", ignore_type: true }, byOffsets, goldOffsets).score).toBe(1);
  });

  it("no PII expected and none found is right; found where none expected is wrong", () => {
    expect(run({ type: "spans" }, "[]", "[]")).toEqual({
      score: 1,
      reason: "span F1 1.000; no spans expected, none found",
    });
    expect(run({ type: "spans" }, '[{"type": "EMAIL", "text": "x@y.z"}]', "[]").score).toBe(0);
  });

  it("chatty output when allowed, Unicode text, bad shapes", () => {
    const output = 'Found these:\n```json\n[{"type": "PERSON", "text": "Zoë Ñúñez"}]\n```';
    const goldU = '[{"type": "PERSON", "text": "zoë ñúñez"}]';
    expect(run({ type: "spans", extract_json: true, ignore_case: true }, output, goldU).score).toBe(1);
    expect(run({ type: "spans" }, output, goldU).score).toBe(0);
    expect(run({ type: "spans" }, "[1, 2]", goldU).reason).toMatch(/^output: "1" is not a span/);
    expect(run({ type: "spans" }, "[]", "PERSON: Ada").score).toBeNull();
  });
});
