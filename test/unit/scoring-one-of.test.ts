import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { oneOf, parseLabels } from "../../src/scoring/one-of.ts";
import { sync } from "../helpers/sync-scorer.ts";

const dir = mkdtempSync(join(tmpdir(), "opbench-one-of-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const context = { baseDir: dir };
const sentiment = oneOf({ type: "one_of", labels: ["positive", "negative", "neutral"] }, context);
const run = (output: string) => sync(sentiment.score({ output, expected: undefined }));

describe("one_of scorer", () => {
  it("accepts a trimmed output that is one of the labels", () => {
    expect(run("  negative\n")).toEqual({ score: 1, reason: '"negative" is one of the 3 labels' });
  });

  it("ignores the expected answer: it checks validity only", () => {
    expect(sync(sentiment.score({ output: "neutral", expected: "positive" })).score).toBe(1);
  });

  it("rejects other text and lists the labels", () => {
    expect(run("mixed")).toEqual({
      score: 0,
      reason: '"mixed" is not one of 3 labels ("positive", "negative", "neutral")',
    });
    expect(run("The sentiment is positive").score).toBe(0);
  });

  it("is case-sensitive but hints at a case-only difference", () => {
    const result = run("Positive");
    expect(result.score).toBe(0);
    expect(result.reason).toMatch(/differs only in case from "positive"$/);
  });

  it("scores empty output 0", () => {
    expect(run("   ")).toEqual({
      score: 0,
      reason: 'empty output; expected one of 3 labels ("positive", "negative", "neutral")',
    });
  });

  it("shortens a long label list in the reason", () => {
    const many = oneOf({ type: "one_of", labels: ["a", "b", "c", "d", "e", "f", "g"] }, context);
    expect(sync(many.score({ output: "z", expected: undefined })).reason).toBe(
      '"z" is not one of 7 labels ("a", "b", "c", "d", "e", …)',
    );
  });

  it("reads a labels file with one label per line (CRLF, blank lines, BOM)", () => {
    writeFileSync(join(dir, "labels.txt"), "\ufeffcat\r\n dog \r\n\r\nbird\n");
    const scorer = oneOf({ type: "one_of", labels_file: "labels.txt" }, context);
    expect(sync(scorer.score({ output: "dog", expected: undefined })).score).toBe(1);
    expect(sync(scorer.score({ output: "bird", expected: undefined })).reason).toBe(
      '"bird" is one of the 3 labels',
    );
    expect(sync(scorer.score({ output: "cat\r", expected: undefined })).score).toBe(1);
  });

  it("reads a labels file holding a JSON array, with Unicode labels", () => {
    writeFileSync(join(dir, "labels.json"), JSON.stringify(["oui", "non", "peut-être"]));
    const scorer = oneOf({ type: "one_of", labels_file: "labels.json" }, context);
    expect(sync(scorer.score({ output: "peut-être", expected: undefined })).score).toBe(1);
    expect(sync(scorer.score({ output: "peut-etre", expected: undefined })).score).toBe(0);
  });

  it("fails at creation with a clear message", () => {
    expect(() => oneOf({ type: "one_of" }, context)).toThrow(/needs `labels`/);
    expect(() => oneOf({ type: "one_of", labels: ["a"], labels_file: "x" }, context)).toThrow(/not both/);
    expect(() => oneOf({ type: "one_of", labels: [] }, context)).toThrow(/label list is empty/);
    expect(() => oneOf({ type: "one_of", labels: ["a", " "] }, context)).toThrow(/label 2 is empty/);
    expect(() => oneOf({ type: "one_of", labels_file: "missing.txt" }, context)).toThrow(
      /cannot read labels_file missing\.txt \(.*missing\.txt\): ENOENT/,
    );
    writeFileSync(join(dir, "empty.txt"), "\n\n");
    expect(() => oneOf({ type: "one_of", labels_file: "empty.txt" }, context)).toThrow(/label list is empty/);
  });
});

describe("parseLabels", () => {
  it("rejects a broken or non-string JSON array", () => {
    expect(() => parseLabels('["a", ', "f")).toThrow(/f starts with "\[" but is not a valid JSON array/);
    expect(() => parseLabels("[1, 2]", "f")).toThrow(/f must be a JSON array of strings/);
  });
});
