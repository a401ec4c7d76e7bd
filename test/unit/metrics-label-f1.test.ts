import { describe, expect, it } from "vitest";
import { LabelTally, MAX_LABELS, OTHER_LABELS } from "../../src/metrics/label-f1.ts";
import { createScorer } from "../../src/scoring/index.ts";
import { scoreAll } from "../../src/scoring/score-all.ts";
import { build, call, start } from "../helpers/summary-log.ts";

const labelSet = createScorer({ type: "label_set", name: "emotions" }, { baseDir: "." });

describe("task-level micro and macro F1 of label_set", () => {
  it("keeps each call's labels by outcome in its score record", async () => {
    const [record] = await scoreAll([labelSet], { output: "joy, surprise", expected: '["joy", "anger"]' });
    expect(record).toMatchObject({
      scorer: "emotions",
      score: 0.5,
      labels: { tp: ["joy"], fp: ["surprise"], fn: ["anger"] },
    });
  });

  it("folds micro-F1 (counts summed) and macro-F1 (mean of each label's F1) into the summary", async () => {
    const scored = async (output: string, expected: string, caseIndex: number) =>
      call("local", caseIndex, {
        output,
        expected,
        scores: await scoreAll([labelSet], { output, expected }),
      });
    const summary = build([
      start,
      await scored("joy, surprise", "joy, anger", 0), // tp joy, fp surprise, fn anger: F1 0.5
      await scored("joy", "joy", 1), // tp joy: F1 1
    ]);
    const emotions = summary.results[0]!.accuracy.find((a) => a.scorer === "emotions")!;
    expect(emotions.mean).toBeCloseTo(0.75, 12); // example-based F1
    // micro: tp 2, fp 1, fn 1 → 4 / 6; macro: joy 1, anger 0, surprise 0 → 1/3.
    expect(emotions.label_f1).toEqual({ micro_f1: 4 / 6, macro_f1: 1 / 3, labels: 3, calls: 2 });
    // Other scorers have none.
    expect(summary.results[0]!.accuracy.find((a) => a.scorer === "exact")?.label_f1).toBeUndefined();
  });

  it("no labels anywhere is all right; invented labels past the cap share one tally", () => {
    const none = new LabelTally();
    none.add({ tp: [], fp: [], fn: [] });
    expect(none.result()).toEqual({ micro_f1: 1, macro_f1: 1, labels: 0, calls: 1 });
    const many = new LabelTally();
    many.add({ tp: [], fp: Array.from({ length: MAX_LABELS + 50 }, (_, i) => `made-up-${i}`), fn: ["joy"] });
    expect(many.result()).toMatchObject({ micro_f1: 0, labels: MAX_LABELS + 1 });
    expect(new LabelTally().result()).toBeNull();
    expect(OTHER_LABELS).toBe("(other labels)");
  });
});
