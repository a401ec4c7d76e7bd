/**
 * The `--max-cost` limit holds across `--resume`: the run records it, a plain `--resume` keeps it,
 * and a new `--max-cost` replaces it and says so. A local server plays the OpenAI API.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunStartEvent } from "../../src/core/records.ts";
import { readCalls, readEvents, runCli } from "../helpers/cli.ts";
import { type FaultServer, startFaultServer } from "../helpers/fault-server.ts";

/** An OpenAI chat stream of four one-letter chunks, 10 prompt and 4 completion tokens. */
const CHAT_STREAM = [
  ...["a", "b", "c", "d"].map((text) => ({ choices: [{ index: 0, delta: { content: text } }] })),
  { choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
  { choices: [], usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 } },
]
  .map((chunk) => `data: ${JSON.stringify({ id: "chatcmpl-1", model: "tiny", ...chunk })}\n\n`)
  .concat("data: [DONE]\n\n")
  .join("");

let server: FaultServer;
beforeAll(async () => {
  server = await startFaultServer(() => ({ kind: "sse", text: CHAT_STREAM }));
});
afterAll(() => server.close());

const env = { OPENAI_API_KEY: "sk-local-test" };
const starts = (dir: string) => readEvents(dir).filter((e): e is RunStartEvent => e.type === "run_start");
const spent = (dir: string) => readCalls(dir).reduce((sum, r) => sum + (r.cost_usd ?? 0), 0);

describe("--max-cost across --resume", () => {
  it("is recorded, kept by a plain --resume, and replaced (with a note) by a new --max-cost", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-max-cost-resume-"));
    const suite = join(dir, "suite.yaml");
    // $0.00001 an input token, $0.001 an output token: a call costs $0.0041; its worst case (the
    // prompt's 5 bytes + 128 template tokens in, 16 out) $0.0173.
    writeFileSync(
      suite,
      [
        "name: max-cost-resume",
        "defaults: {max_tokens: 16}",
        "models:",
        `  - {id: api, runner: openai, model: tiny, base_url: "${server.url}/v1", price: {input_per_mtok: 10, output_per_mtok: 1000}}`,
        "tasks:",
        `  - {id: t, prompt: 'Q: {{q}}', dataset: [${Array.from({ length: 10 }, (_, i) => `{q: q${i}}`).join(", ")}]}`,
      ].join("\n"),
    );
    const out = join(dir, "run");

    const first = await runCli(["run", suite, "--out", out, "--max-cost", "0.02"], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain("Stopped at --max-cost $0.02");
    const made = readCalls(out).length;
    expect(made).toBeGreaterThan(0);
    expect(made).toBeLessThan(10);
    expect(starts(out).map((s) => s.max_cost_usd)).toEqual([0.02]);

    // A plain --resume keeps the limit: no call fits in what is left of it.
    const kept = await runCli(["run", "--resume", out], env);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stderr).toContain("--max-cost: $0.02 (kept from this run;");
    expect(kept.stderr).toContain("Stopped at --max-cost $0.02");
    expect(readCalls(out)).toHaveLength(made);
    expect(spent(out)).toBeLessThanOrEqual(0.02);
    expect(readEvents(out).at(-1)).toMatchObject({ type: "run_end", status: "budget_reached" });

    // A new --max-cost replaces it, and the output says what it was.
    const raised = await runCli(["run", "--resume", out, "--max-cost", "1"], env);
    expect(raised.code, raised.stderr).toBe(0);
    expect(raised.stderr).toContain("--max-cost: $1 (was $0.02 before this --resume;");
    expect(readCalls(out)).toHaveLength(10);
    expect(readEvents(out).at(-1)).toMatchObject({ type: "run_end", status: "completed" });
    expect(starts(out).map((s) => s.max_cost_usd)).toEqual([0.02, 0.02, 1]);
  }, 60_000);
});
