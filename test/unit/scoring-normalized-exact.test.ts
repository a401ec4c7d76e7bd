import { describe, expect, it } from "vitest";
import { normalizeAnswer, normalizedExact } from "../../src/scoring/normalized-exact.ts";
import { sync } from "../helpers/sync-scorer.ts";

const scorer = normalizedExact({ type: "normalized_exact" }, { baseDir: "." });
const score = (output: string, expected: string | undefined) =>
  sync(scorer.score({ output, expected })).score;

describe("normalizeAnswer", () => {
  it("lower-cases, drops punctuation, collapses whitespace and trims", () => {
    expect(normalizeAnswer("  The  Answer:\n\tParis!  ")).toBe("the answer paris");
    expect(normalizeAnswer("U.S.A.")).toBe("usa");
    expect(normalizeAnswer("1,000")).toBe("1000");
    expect(normalizeAnswer("«Bonjour», dit-il…")).toBe("bonjour ditil");
  });

  it("applies NFKC: full-width, ligatures, superscripts, non-breaking spaces, composed accents", () => {
    expect(normalizeAnswer("ＡＢＣ１２３")).toBe("abc123");
    expect(normalizeAnswer("ﬁle")).toBe("file");
    expect(normalizeAnswer("x²")).toBe("x2");
    expect(normalizeAnswer("a\u00a0b")).toBe("a b");
    expect(normalizeAnswer("cafe\u0301")).toBe("caf\u00e9");
  });

  it("removes zero-width and other format characters", () => {
    expect(normalizeAnswer("pa\u200bris\ufeff")).toBe("paris");
  });

  it("keeps symbols and digits; % # & * @ count as punctuation (Unicode category P)", () => {
    expect(normalizeAnswer("$5 + 3 = <8>")).toBe("$5 + 3 = <8>");
    expect(normalizeAnswer("50% #1 & *a@b")).toBe("50 1 ab");
  });
});

describe("normalized_exact scorer", () => {
  it("matches after normalisation and says so", () => {
    expect(sync(scorer.score({ output: " paris. ", expected: "Paris" }))).toEqual({
      score: 1,
      reason: 'match after normalisation: "paris"',
    });
    expect(sync(scorer.score({ output: "Paris", expected: "Paris" })).reason).toBe("exact match");
  });

  it("misses on different words, showing both normalised forms", () => {
    expect(sync(scorer.score({ output: "Lyon", expected: "Paris" }))).toEqual({
      score: 0,
      reason: 'normalised: expected "paris", got "lyon"',
    });
    expect(score("$5", "5")).toBe(0);
  });

  it("handles empty output", () => {
    expect(score("", "Paris")).toBe(0);
    // Punctuation-only output normalises to empty, like an empty expected answer.
    expect(score("...", "")).toBe(1);
  });

  it("is unscorable without an expected answer", () => {
    expect(sync(scorer.score({ output: "x", expected: undefined }))).toEqual({
      score: null,
      reason: "no expected answer",
    });
  });
});
