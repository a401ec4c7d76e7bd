import { describe, expect, it } from "vitest";
import type { ScorerConfigBase } from "../../src/core/scorer.ts";
import { createScorer } from "../../src/scoring/index.ts";
import { rougeL } from "../../src/scoring/rouge-l.ts";
import { rougeTokens, squadTokens } from "../../src/scoring/text-tokens.ts";
import { sync } from "../helpers/sync-scorer.ts";

const context = { baseDir: "." };
const run = (config: ScorerConfigBase & Record<string, unknown>, output: string, expected?: string) =>
  sync(createScorer(config, context).score({ output, expected }));

describe("starts_with scorer", () => {
  it("checks the head of the output against the expected answer, skipping leading whitespace", () => {
    expect(run({ type: "starts_with" }, "\n  Yes, because …", "Yes")).toEqual({
      score: 1,
      reason: 'starts with "Yes"',
    });
    expect(run({ type: "starts_with" }, "No. Yes.", "Yes").score).toBe(0);
    expect(run({ type: "starts_with", trim: false }, " Yes", "Yes").score).toBe(0);
  });

  it("takes several prefixes and ignores case on request, Unicode included", () => {
    const config = { type: "starts_with", values: ["ÉTÉ", "hiver"], ignore_case: true };
    expect(run(config, "été chaud")).toMatchObject({ score: 1, reason: 'starts with "ÉTÉ" (ignoring case)' });
    expect(run(config, "printemps").reason).toMatch(/not any of "ÉTÉ", "hiver"/);
  });

  it("is unscorable with nothing to look for, and 0 on empty output", () => {
    expect(run({ type: "starts_with" }, "x").score).toBeNull();
    expect(run({ type: "starts_with" }, "", "x").score).toBe(0);
  });
});

describe("contains scorer with several values", () => {
  it("any: one of the values will do", () => {
    const config = { type: "contains", values: ["refund", "money back"] };
    expect(run(config, "I want my money back").reason).toBe('contains "money back"');
    expect(run(config, "Hello")).toEqual({
      score: 0,
      reason: 'contains none of 2 values ("refund", "money back")',
    });
  });

  it("all: every value, the missing ones named", () => {
    const config = { type: "contains", values: ["Paris", "Lyon", "Nice"], mode: "all" };
    expect(run(config, "Paris, Lyon and Nice").score).toBe(1);
    expect(run(config, "Paris and Nice")).toEqual({ score: 0, reason: 'lacks 1 of 3 values: "Lyon"' });
  });
});

describe("one_of scorer with synonyms", () => {
  const config = {
    type: "one_of",
    labels: ["positive", "negative"],
    synonyms: { positive: ["pos", "good", "😊"], negative: ["neg", "bad"] },
    ignore_case: true,
  };

  it("maps a synonym to its label", () => {
    expect(run(config, " Good ")).toEqual({
      score: 1,
      reason: '"Good" (as "positive") is one of the 2 labels',
    });
    expect(run(config, "😊").score).toBe(1);
    expect(run(config, "meh").score).toBe(0);
  });

  it("with match_expected, the label must be the expected answer's", () => {
    const strict = { ...config, match_expected: true };
    expect(run(strict, "pos", "positive").score).toBe(1);
    expect(run(strict, "bad", "POS")).toEqual({
      score: 0,
      reason: '"bad" (as "negative"): expected "positive"',
    });
    expect(run(strict, "bad").score).toBeNull();
  });

  it("refuses a synonym of two labels or of an unknown label", () => {
    expect(() => run({ ...config, synonyms: { positive: ["ok"], negative: ["ok"] } }, "")).toThrow(
      /maps to both/,
    );
    expect(() => run({ ...config, synonyms: { neutral: ["meh"] } }, "")).toThrow(/not one of the labels/);
  });
});

describe("edit_similarity scorer", () => {
  it("is 1 − distance ÷ longer length in code points", () => {
    // kitten → sitting: distance 3, longer length 7.
    expect(run({ type: "edit_similarity" }, "kitten", "sitting").score).toBeCloseTo(1 - 3 / 7, 12);
    // One astral character differs: one edit of five code points, not of two UTF-16 units.
    expect(run({ type: "edit_similarity" }, "ab😀cd", "ab😃cd").score).toBeCloseTo(0.8, 12);
  });

  it("passes or fails against a threshold, and takes the best of several references", () => {
    const config = { type: "edit_similarity", threshold: 0.8 };
    expect(run(config, "colour", "color").reason).toMatch(/^edit similarity 0\.833 ≥ threshold 0\.8/);
    expect(run(config, "grey", '["gray", "grey"]')).toMatchObject({ score: 1 });
    expect(run(config, "blue", "color").score).toBe(0);
  });

  it("normalises on request; empty sides", () => {
    expect(run({ type: "edit_similarity", normalize: true }, "U.S.A.", "usa").score).toBe(1);
    expect(run({ type: "edit_similarity" }, "", "").score).toBe(1);
    expect(run({ type: "edit_similarity" }, "", "abc").score).toBe(0);
    expect(run({ type: "edit_similarity" }, "abc").score).toBeNull();
  });
});

describe("token_f1 scorer (SQuAD)", () => {
  it("normalises as SQuAD: case, punctuation, articles", () => {
    expect(squadTokens("The Eiffel Tower, in Paris!")).toEqual(["eiffel", "tower", "in", "paris"]);
    expect(run({ type: "token_f1" }, "the Eiffel tower", "Eiffel Tower.").score).toBe(1);
  });

  it("tokenises ASCII text (its fast path) as the Unicode path does", () => {
    const text = "The U.S.-led  (coalition)\tan apple; A-team's $5 + 3=8 the";
    const ascii = squadTokens(text);
    expect(ascii).toEqual(["usled", "coalition", "apple", "ateams", "5", "38"]);
    expect(squadTokens(`${text} «café»`)).toEqual([...ascii, "café"]);
  });

  it("counts shared tokens with multiplicity", () => {
    // predicted: [in, 1867, paris] vs gold: [1867]: precision 1/3, recall 1, F1 0.5.
    const result = run({ type: "token_f1" }, "in 1867, Paris", "1867");
    expect(result.score).toBeCloseTo(0.5, 12);
    expect(result.reason).toMatch(/precision 0\.333, recall 1\.000/);
    expect(run({ type: "token_f1" }, "a a a", "a").score).toBe(1); // articles only: both empty
    expect(run({ type: "token_f1" }, "dog dog", "dog cat").score).toBeCloseTo(0.5, 12);
  });

  it("takes the best reference, handles Unicode and empty output", () => {
    expect(run({ type: "token_f1" }, "Zürich", '["Genf", "Zürich"]').score).toBe(1);
    expect(run({ type: "token_f1" }, "", "Zürich").score).toBe(0);
    expect(run({ type: "token_f1", threshold: 0.6 }, "in 1867, Paris", "1867").score).toBe(0);
  });
});

// Expected figures from google-research/rouge (rouge-score), rouge/rouge_scorer_test.py:
// testRougeLConsecutive, testRougeLNonConsecutive, testRougeEmpty and testRougeLAgainstRouge155
// (ROUGE-1.5.5's own outputs on rouge/testdata/target.txt and prediction.txt, lines 1 and 2).
describe("rouge_l scorer, against rouge-score's published outputs", () => {
  const target0 =
    "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L\n";
  const prediction0 = "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi\n";
  const target1 =
    "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN\n";
  const prediction1 =
    "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD\n";

  it.each([["ascii", "unicode"] as const].flat())(
    "matches ROUGE-1.5.5 on the test data (%s tokenizer)",
    (tokenizer) => {
      const first = rougeL(rougeTokens(prediction0, tokenizer), rougeTokens(target0, tokenizer));
      expect(first.recall).toBeCloseTo(0.40741, 5);
      expect(first.precision).toBeCloseTo(0.6875, 5);
      expect(first.fmeasure).toBeCloseTo(0.51163, 5);
      const second = rougeL(rougeTokens(prediction1, tokenizer), rougeTokens(target1, tokenizer));
      expect(second.recall).toBeCloseTo(0.40476, 5);
      expect(second.precision).toBeCloseTo(0.65385, 5);
      expect(second.fmeasure).toBeCloseTo(0.5, 5);
    },
  );

  it("consecutive and non-consecutive subsequences, and an empty prediction", () => {
    expect(run({ type: "rouge_l" }, "testing one", "testing one two").score).toBeCloseTo(4 / 5, 12);
    expect(run({ type: "rouge_l" }, "testing two", "testing one two").score).toBeCloseTo(4 / 5, 12);
    expect(run({ type: "rouge_l" }, "", "testing one two").score).toBe(0);
  });

  it("takes the best of several references; the unicode tokenizer keeps other scripts", () => {
    const result = run({ type: "rouge_l" }, "testing one", '["nothing alike", "testing one two"]');
    expect(result.score).toBeCloseTo(0.8, 12);
    expect(result.reason).toMatch(/best of 2 references: #2/);
    expect(run({ type: "rouge_l" }, "Привет мир", "привет мир").score).toBe(1);
    // rouge-score's ASCII tokenizer sees no token in Cyrillic text.
    expect(run({ type: "rouge_l", tokenizer: "ascii" }, "Привет мир", "привет мир").score).toBe(0);
    expect(run({ type: "rouge_l", threshold: 0.9 }, "testing one", "testing one two").score).toBe(0);
  });
});

describe("numeric scorer", () => {
  it("finds the number in chatty output: separators, signs, decimals", () => {
    expect(run({ type: "numeric" }, "Let me add them up… The total is $1,234,567.50.", "1234567.5")).toEqual({
      score: 1,
      reason: "last number 1234567.5 equals 1234567.5 exactly",
    });
    expect(run({ type: "numeric" }, "It fell to −12 degrees", "-12").score).toBe(1);
    expect(run({ type: "numeric" }, "Answer: +3e2", "300").score).toBe(1);
    expect(run({ type: "numeric" }, "GPT-4 says 7", "7").score).toBe(1);
  });

  it("applies absolute and relative tolerances", () => {
    expect(run({ type: "numeric", abs_tol: 0.01 }, "3.14", "3.14159").score).toBe(1);
    expect(run({ type: "numeric", abs_tol: 0.001 }, "3.14", "3.14159").reason).toMatch(/off by 0\.00159/);
    expect(run({ type: "numeric", rel_tol: 0.05 }, "104", "100").score).toBe(1);
    expect(run({ type: "numeric", rel_tol: 0.05 }, "106", "100").score).toBe(0);
  });

  it("pick: first, last, only", () => {
    expect(run({ type: "numeric", pick: "first" }, "12 apples, 3 left", "12").score).toBe(1);
    expect(run({ type: "numeric" }, "12 apples, 3 left", "12").score).toBe(0);
    expect(run({ type: "numeric", pick: "only" }, "12 apples, 3 left", "3").reason).toMatch(
      /several numbers/,
    );
    expect(run({ type: "numeric", pick: "only" }, "3, I said 3", "3").score).toBe(1);
  });

  it("no number in the output scores 0; none in the expected answer is unscorable", () => {
    expect(run({ type: "numeric" }, "", "5").score).toBe(0);
    expect(run({ type: "numeric" }, "five", "5").reason).toBe("no number in the output; expected 5");
    expect(run({ type: "numeric" }, "5", "five").score).toBeNull();
    expect(run({ type: "numeric", value: 42 }, "٤٢ or 42").score).toBe(1);
  });
});

describe("length scorer", () => {
  it("counts words and code points", () => {
    expect(run({ type: "length", max_words: 3 }, " one two  three ")).toEqual({
      score: 1,
      reason: "within limits: 3 words",
    });
    expect(run({ type: "length", max_words: 2 }, "one two three").reason).toBe(
      "outside limits: 3 words > max 2",
    );
    expect(run({ type: "length", max_chars: 3 }, "😀😀😀").score).toBe(1);
    expect(run({ type: "length", min_chars: 1 }, "").score).toBe(0);
  });

  it("needs a limit, and a minimum no larger than the maximum", () => {
    expect(() => run({ type: "length" }, "x")).toThrow(/needs a limit/);
    expect(() => run({ type: "length", min_words: 5, max_words: 2 }, "x")).toThrow(
      /min_words 5 > max_words 2/,
    );
  });
});

describe("label_set scorer", () => {
  it("scores the set F1 of JSON or separated lists", () => {
    const result = run({ type: "label_set" }, '["joy", "surprise"]', "joy, anger");
    expect(result.score).toBeCloseTo(0.5, 12);
    expect(result.reason).toBe(
      'label F1 0.500; precision 0.500, recall 0.500; extra "surprise"; missed "anger"',
    );
    expect(run({ type: "label_set" }, "anger\njoy\njoy", "joy;anger").score).toBe(1);
    expect(run({ type: "label_set" }, "", "[]").score).toBe(1);
    expect(run({ type: "label_set" }, "", "joy").score).toBe(0);
  });

  it("exact mode, case folding, unknown labels named", () => {
    expect(run({ type: "label_set", mode: "exact" }, "Joy, Anger", "anger, joy").score).toBe(0);
    expect(
      run({ type: "label_set", mode: "exact", ignore_case: true }, "Joy, Anger", "anger, joy").score,
    ).toBe(1);
    const config = { type: "label_set", labels: ["joy", "anger"], threshold: 0.5 };
    expect(run(config, "joy, happiness", "joy").reason).toMatch(/not valid labels: "happiness"/);
    expect(run(config, "joy, happiness", "joy").score).toBe(1);
  });
});
