/**
 * `--max-cost` at any concurrency: spending ends between 90% and 100% of the limit when the suite
 * needs more, whether calls cost far less than their worst case or the server ignores
 * `max_tokens` (4× over), and a call cut off at the limit is neither a failure nor scored.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CallRecord, LogEvent } from "../../src/core/records.ts";
import { CostBudget } from "../../src/engine/budget.ts";
import { readResumeState } from "../../src/engine/resume.ts";
import { runSuite } from "../../src/engine/run.ts";
import type { ModelServices } from "../../src/engine/services.ts";
import { summarizeRun } from "../../src/metrics/summary-file.ts";
import { ScriptedRunner, tinySuite } from "../helpers/scripted-runner.ts";

const LIMIT_USD = 1;
const INPUT_USD = 0.0001; // per input token
const OUTPUT_USD = 0.0028; // per output token: a worst case (max_tokens 16) of ~$0.045
const cases = Array.from({ length: 200 }, (_, i) => ({ id: String(i + 1), prompt: `p${i}`, expected: "x" }));

const calls = (dir: string) =>
  readFileSync(join(dir, "events.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as LogEvent)
    .filter((e): e is CallRecord => e.type === "call");

/** A priced API model whose every call streams `outputTokens` tokens, one per chunk. */
function pricedModel(outputTokens: number): ModelServices {
  const runner = new ScriptedRunner(() => ({
    kind: "ok",
    text: "ab".repeat(outputTokens),
    chunks: outputTokens,
    outputTokens,
  }));
  const price = (input: number, output: number) => input * INPUT_USD + output * OUTPUT_USD;
  return {
    runner,
    locality: "api",
    estimateCostUsd: price,
    priceCall: (r) => ({ cost_usd: price(r.input_tokens ?? 0, r.output_tokens ?? 0) }),
  };
}

async function spendUntilLimit(concurrency: number, outputTokens: number) {
  const dir = mkdtempSync(join(tmpdir(), "opbench-max-cost-"));
  const services = pricedModel(outputTokens);
  const result = await runSuite({
    suite: tinySuite({ cases, concurrency }),
    runDir: dir,
    prepareModel: () => services,
    signal: new AbortController().signal,
    budget: new CostBudget(LIMIT_USD),
  });
  const records = calls(dir);
  const spent = records.reduce((sum, r) => sum + (r.cost_usd ?? 0), 0);
  return { dir, result, records, spent };
}

describe("--max-cost spends what it may", () => {
  // Calls cost a quarter of their worst case (4 of 16 max_tokens): at concurrency 16 the worst
  // cases in flight fill the limit long before the spending does.
  it.each([1, 16])(
    "at concurrency %i, spends 90 to 100 percent of the limit when calls cost less than their worst case",
    async (concurrency) => {
      const { result, records, spent } = await spendUntilLimit(concurrency, 4);
      expect(result.status).toBe("budget_reached");
      expect(records.length).toBeLessThan(cases.length); // the suite needed more than the limit
      expect(spent).toBeGreaterThanOrEqual(0.9 * LIMIT_USD);
      expect(spent).toBeLessThanOrEqual(LIMIT_USD + 1e-9);
      expect(records.every((r) => r.ok)).toBe(true); // nothing had to be cut off
    },
  );

  // The server sends 64 tokens for max_tokens 16: each call costs 4× its reserved worst case.
  it.each([1, 16])(
    "at concurrency %i, holds the limit when the server sends 4× max_tokens, cutting calls off",
    async (concurrency) => {
      const { dir, result, records, spent } = await spendUntilLimit(concurrency, 64);
      expect(result.status).toBe("budget_reached");
      expect(spent).toBeGreaterThanOrEqual(0.9 * LIMIT_USD);
      expect(spent).toBeLessThanOrEqual(LIMIT_USD + 1e-9);
      const cut = records.filter((r) => r.error?.class === "budget_stopped");
      expect(cut.length).toBeGreaterThan(0);
      for (const r of cut) {
        expect(r.ok).toBe(false);
        expect(r.will_retry).toBe(false);
        expect(r.scores).toEqual([]);
        expect(r.output_tokens).toBeLessThan(64); // cut before the end
        expect(r.cost_usd).toBeGreaterThan(0); // what it did cost is counted
        expect(r.tokens_source).toBe("estimated");
      }
      // Not a failure and not scored 0: left out of the outcomes, counted apart.
      const summary = await summarizeRun(dir);
      const group = summary.results[0]!;
      expect(group.budget_stopped).toBe(cut.length);
      expect(group.failed).toBe(0);
      expect(group.errors_by_class).toEqual({});
      expect(group.calls).toBe(records.length - cut.length);
      for (const a of group.accuracy) expect(a.failed_calls_scored_zero).toBe(0);
      // --resume makes cut calls again, and counts what they cost.
      const state = await readResumeState(dir);
      for (const r of cut) expect(state.done.has(r.item)).toBe(false);
      expect(state.spentUsd).toBeCloseTo(spent, 9);
    },
  );
});
