import { describe, expect, it } from "vitest";
import { jsonValid } from "../../src/scoring/json-valid.ts";
import { sync } from "../helpers/sync-scorer.ts";

const scorer = jsonValid({ type: "json_valid" }, { baseDir: "." });
const run = (output: string) => sync(scorer.score({ output, expected: undefined }));

describe("json_valid scorer", () => {
  it("accepts any JSON value, with surrounding whitespace", () => {
    expect(run('{"a": [1, 2]}')).toEqual({ score: 1, reason: "valid JSON object" });
    expect(run(" [1]\n")).toEqual({ score: 1, reason: "valid JSON array" });
    expect(run("42").score).toBe(1);
    expect(run('"日本"').reason).toBe("valid JSON string");
    expect(run("null").reason).toBe("valid JSON null");
  });

  it("tolerates one code fence around the whole output, and says so", () => {
    expect(run('```json\n{"ok": true}\n```')).toEqual({
      score: 1,
      reason: "valid JSON object (inside a ``` code fence)",
    });
    expect(run("```\n[1, 2]\n```").score).toBe(1);
    expect(run('\n```JSON\r\n{"a": 1}\r\n```\n').score).toBe(1);
  });

  it("rejects prose around the JSON, fenced or not", () => {
    expect(run('Here you go: {"a": 1}').score).toBe(0);
    expect(run('Sure!\n```json\n{"a": 1}\n```').score).toBe(0);
  });

  it("rejects invalid JSON with the parser's message", () => {
    const result = run("{'a': 1}");
    expect(result.score).toBe(0);
    expect(result.reason).toMatch(/^not valid JSON: .+/);
    expect(run("```json\n{bad}\n```").reason).toMatch(/^not valid JSON \(inside a ``` code fence\): .+/);
  });

  it("scores empty output 0, not null", () => {
    expect(run("")).toEqual({ score: 0, reason: "not valid JSON: empty output" });
    expect(run("```json\n```").score).toBe(0);
  });
});
