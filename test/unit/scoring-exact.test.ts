import { describe, expect, it } from "vitest";
import { exact } from "../../src/scoring/exact.ts";
import { sync } from "../helpers/sync-scorer.ts";

const context = { baseDir: "." };
const scorer = exact({ type: "exact" }, context);

describe("exact scorer", () => {
  it("scores 1 only for identical text", () => {
    expect(sync(scorer.score({ output: "Paris", expected: "Paris" }))).toEqual({
      score: 1,
      reason: "exact match",
    });
    expect(sync(scorer.score({ output: "paris", expected: "Paris" }))).toEqual({
      score: 0,
      reason: 'expected "Paris", got "paris"',
    });
  });

  it("does not trim, and says when only surrounding whitespace differs", () => {
    const result = sync(scorer.score({ output: "Paris\n", expected: "Paris" }));
    expect(result).toEqual({ score: 0, reason: "differs only in surrounding whitespace" });
  });

  it("handles empty output and an empty expected answer", () => {
    expect(sync(scorer.score({ output: "", expected: "x" })).score).toBe(0);
    expect(sync(scorer.score({ output: "", expected: "" })).score).toBe(1);
  });

  it("compares Unicode code units as is (no NFKC)", () => {
    // "é" precomposed (U+00E9) vs e + combining acute (U+0065 U+0301)
    expect(sync(scorer.score({ output: "caf\u00e9", expected: "cafe\u0301" })).score).toBe(0);
    expect(sync(scorer.score({ output: "日本語", expected: "日本語" })).score).toBe(1);
  });

  it("is unscorable without an expected answer", () => {
    expect(sync(scorer.score({ output: "anything", expected: undefined }))).toEqual({
      score: null,
      reason: "no expected answer",
    });
  });

  it("cuts long texts in the reason", () => {
    const result = sync(scorer.score({ output: "a".repeat(500), expected: "b" }));
    expect(result.reason.length).toBeLessThan(100);
    expect(result.reason).toContain("…");
  });

  it("takes its name from the config, else the type", () => {
    expect(scorer.name).toBe("exact");
    expect(exact({ type: "exact", name: "strict" }, context).name).toBe("strict");
  });
});
