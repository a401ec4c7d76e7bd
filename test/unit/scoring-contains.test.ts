import { describe, expect, it } from "vitest";
import { contains } from "../../src/scoring/contains.ts";
import { sync } from "../helpers/sync-scorer.ts";

const context = { baseDir: "." };

describe("contains scorer", () => {
  it("looks for the expected answer by default", () => {
    const scorer = contains({ type: "contains" }, context);
    expect(sync(scorer.score({ output: "The capital is Paris.", expected: "Paris" }))).toEqual({
      score: 1,
      reason: 'contains "Paris"',
    });
    expect(sync(scorer.score({ output: "The capital is paris.", expected: "Paris" }))).toEqual({
      score: 0,
      reason: 'does not contain "Paris"',
    });
  });

  it("prefers the configured value over the expected answer", () => {
    const scorer = contains({ type: "contains", value: "OK" }, context);
    expect(sync(scorer.score({ output: "status: OK", expected: "nope" })).score).toBe(1);
    expect(sync(scorer.score({ output: "status: fail", expected: "fail" })).score).toBe(0);
    expect(sync(scorer.score({ output: "status: OK", expected: undefined })).score).toBe(1);
  });

  it("ignores case when asked, including non-ASCII letters", () => {
    const scorer = contains({ type: "contains", ignore_case: true }, context);
    expect(sync(scorer.score({ output: "ÉCOLE NORMALE", expected: "école" }))).toEqual({
      score: 1,
      reason: 'contains "école" (ignoring case)',
    });
  });

  it("handles empty output and whitespace literally", () => {
    const scorer = contains({ type: "contains" }, context);
    expect(sync(scorer.score({ output: "", expected: "x" })).score).toBe(0);
    expect(sync(scorer.score({ output: "a  b", expected: "a b" })).score).toBe(0);
  });

  it("is unscorable with nothing to look for", () => {
    const scorer = contains({ type: "contains" }, context);
    expect(sync(scorer.score({ output: "x", expected: undefined }))).toEqual({
      score: null,
      reason: "no expected answer and no `value` configured",
    });
    expect(sync(scorer.score({ output: "x", expected: "" })).score).toBeNull();
  });

  it("rejects an empty value at creation", () => {
    expect(() => contains({ type: "contains", value: "" }, context)).toThrow(/`value` is empty/);
  });
});
