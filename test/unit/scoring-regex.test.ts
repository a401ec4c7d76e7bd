import { describe, expect, it } from "vitest";
import { regex } from "../../src/scoring/regex.ts";
import { sync } from "../helpers/sync-scorer.ts";

const context = { baseDir: "." };

describe("regex scorer", () => {
  it("scores matches anywhere in the output and quotes the match", () => {
    const scorer = regex({ type: "regex", pattern: "\\b\\d{4}-\\d{2}-\\d{2}\\b" }, context);
    expect(sync(scorer.score({ output: "Due on 2024-05-01.", expected: undefined }))).toEqual({
      score: 1,
      reason: 'matched "2024-05-01" at index 7',
    });
    expect(sync(scorer.score({ output: "Due soon", expected: undefined }))).toEqual({
      score: 0,
      reason: "no match for /\\b\\d{4}-\\d{2}-\\d{2}\\b/",
    });
  });

  it("applies flags", () => {
    const scorer = regex({ type: "regex", pattern: "^answer: (yes|no)$", flags: "im" }, context);
    expect(sync(scorer.score({ output: "Thinking...\nANSWER: Yes", expected: undefined })).score).toBe(1);
  });

  it("gives the same result on repeated calls with the g flag", () => {
    const scorer = regex({ type: "regex", pattern: "ok", flags: "g" }, context);
    for (let i = 0; i < 3; i++)
      expect(sync(scorer.score({ output: "ok", expected: undefined })).score).toBe(1);
  });

  it("treats y as anchored at the start", () => {
    const scorer = regex({ type: "regex", pattern: "yes", flags: "y" }, context);
    expect(sync(scorer.score({ output: "yes!", expected: undefined })).score).toBe(1);
    expect(sync(scorer.score({ output: "oh yes", expected: undefined })).score).toBe(0);
  });

  it("handles empty and Unicode output", () => {
    expect(
      sync(regex({ type: "regex", pattern: "^$" }, context).score({ output: "", expected: undefined })).score,
    ).toBe(1);
    const letters = regex({ type: "regex", pattern: "^\\p{L}+$", flags: "u" }, context);
    expect(sync(letters.score({ output: "Ελληνικά", expected: undefined })).score).toBe(1);
    expect(sync(letters.score({ output: "abc 1", expected: undefined })).score).toBe(0);
  });

  it("throws a clear error for an invalid pattern or flags", () => {
    expect(() => regex({ type: "regex", pattern: "(unclosed" }, context)).toThrow(
      /regex scorer: invalid regular expression \/\(unclosed\/: .*/,
    );
    expect(() => regex({ type: "regex", pattern: "a", flags: "q" }, context)).toThrow(
      /regex scorer: invalid regular expression \/a\/q/,
    );
  });
});
