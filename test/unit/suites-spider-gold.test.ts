/**
 * The Spider suite's gold queries all run on the synthetic databases its `execution` scorer
 * builds (a case whose gold query cannot run would be scored null for every model), and score
 * themselves 1: the check suites/README.md's "spider" section reports.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scoreInput } from "../../src/engine/attempt.ts";
import { loadSuite } from "../../src/suite/load.ts";

describe("suites/spider.yaml graded by execution", () => {
  it("runs every gold query on its schema's fillings, and each matches itself", async () => {
    const suite = await loadSuite(join(import.meta.dirname, "..", "..", "suites", "spider.yaml"));
    const task = suite.tasks[0]!;
    const execution = task.scorers.find((s) => s.name === "execution")!;
    expect(execution.readsRow).toBe(true);
    const cases = [...task.cases];
    expect(cases).toHaveLength(207);
    const results = await Promise.all(cases.map((c) => execution.score(scoreInput(c, c.expected!))));
    const failing = results
      .map((result, i) => ({ id: cases[i]!.id, ...result }))
      .filter((result) => result.score !== 1);
    expect(failing).toEqual([]);
    const empty = results.filter((r) => r.reason.includes("gold returns no rows")).length;
    // The share whose gold result is empty on every filling (a weaker check): see the README.
    expect(empty).toBeLessThan(10);
    // A plausible wrong answer (every question answered with a count of the first table) is not
    // right by accident on more than a few cases.
    const wrong = await Promise.all(
      cases.map((c) => {
        const table = /CREATE TABLE "?(\w+)/.exec(String(c.row!.schema))![1]!;
        return execution.score(scoreInput(c, `SELECT count(*) FROM ${table}`));
      }),
    );
    expect(wrong.filter((r) => r.score === 1).length).toBeLessThan(15);
  });
});
