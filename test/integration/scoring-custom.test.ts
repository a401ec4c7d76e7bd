import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { ScoreRecord } from "../../src/core/records.ts";
import { createScorer } from "../../src/scoring/index.ts";
import { scoreAll } from "../../src/scoring/score-all.ts";

const baseDir = fileURLToPath(new URL("../fixtures/custom-scorers/", import.meta.url));
const input = { output: "abcd", expected: undefined, row: { id: 7 } };

async function score(exportName: string, extra: Record<string, unknown> = {}): Promise<ScoreRecord> {
  const config = { type: "custom", name: "mine", module: `file:./length-ratio.ts#${exportName}`, ...extra };
  const [record] = await scoreAll([createScorer(config, { baseDir })], input);
  return record!;
}

describe("custom scorer", () => {
  it("runs a TypeScript module and its relative import in the sandbox, with options and the row", async () => {
    expect(await score("lengthRatio", { options: { target: 8 } })).toEqual({
      scorer: "mine",
      score: 0.5,
      reason: "length 4 vs 8 (row 7)",
    });
  });

  it("runs in-process when trusted", async () => {
    expect(await score("lengthRatio", { options: { target: 2 }, trusted: true })).toMatchObject({
      score: 0.5,
    });
    expect(await score("readsFile", { trusted: true })).toMatchObject({
      score: 1,
      reason: expect.stringContaining('"name": "opbench"'),
    });
  });

  it("denies the sandboxed module files outside itself, the network and the environment", async () => {
    expect(await score("readsFile")).toEqual({
      scorer: "mine",
      score: null,
      reason: expect.stringMatching(
        /^scorer failed: Error: Error: Access to this API has been restricted.*\(permission\)$/,
      ),
    });
    expect(await score("callsNetwork")).toMatchObject({
      score: null,
      reason: expect.stringMatching(/network access is disabled in the opbench sandbox \(permission\)$/),
    });
    expect(await score("readsEnv")).toMatchObject({ score: 1, reason: "env: {}" });
  });

  it("records a limit hit or a malformed result as a scoring error", async () => {
    expect(await score("loops", { timeout_ms: 5000, cpu_ms: 800 })).toMatchObject({
      score: null,
      reason: "scorer failed: Error: CPU-time limit 800 ms reached (cpu)",
    });
    expect(await score("badResult")).toMatchObject({
      score: null,
      reason:
        'scorer failed: TypeError: expected {score: number | null, reason: string}, got {"score":"high"}',
    });
  });
});
