/**
 * End to end against a REAL llama-server: the CLI, the engine and the llama.cpp runner together.
 * Streaming and whole responses on both endpoints, 4 calls in flight on 4 slots, token counts
 * equal to the server's, and a server killed mid-run then `--resume`d against a restarted one.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Summary } from "../../src/metrics/summary.ts";
import { BIN, readCalls, readEvents, runCli, waitForCalls } from "../helpers/cli.ts";
import { startLlamaServer, type TestServer } from "../helpers/llama-server.ts";

function writeSuite(dir: string, yaml: string): string {
  const path = join(dir, "suite.yaml");
  writeFileSync(path, yaml);
  return path;
}

function rows(n: number): string {
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({ q: `question number ${i}`, expected: "7" }),
  ).join("\n");
}

describe("opbench run against a real llama-server", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startLlamaServer({ slots: 4 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("streams and non-streams on both endpoints, 4 in flight on 4 slots, token counts equal the server's", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-e2e-"));
    writeFileSync(join(dir, "data.jsonl"), rows(8));
    const models = (["chat", "completion"] as const).map(
      (endpoint) =>
        `  - {id: ${endpoint}, runner: llamacpp, url: "${server.url}", endpoint: ${endpoint}, concurrency: 4}`,
    );
    const suite = writeSuite(
      dir,
      [
        "name: e2e",
        "defaults: {temperature: 0, seed: 1, max_tokens: 12}",
        "models:",
        ...models,
        "tasks:",
        "  - {id: streamed, prompt: 'Say a number: {{q}}', dataset: data.jsonl, scorers: [exact, {type: regex, pattern: '^[0-9]+$'}], grammar: 'root ::= [0-9]{3,8}'}",
        "  - {id: whole, prompt: 'Say a number: {{q}}', dataset: data.jsonl, stream: false, grammar: 'root ::= [0-9]{3,8}'}",
      ].join("\n"),
    );
    const out = join(dir, "run");
    const result = await runCli(["run", suite, "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    const records = readCalls(out);
    expect(records).toHaveLength(32);
    for (const r of records) {
      expect(r.ok, JSON.stringify(r.error)).toBe(true);
      expect(r.output).toMatch(/^[0-9]{3,8}$/); // grammar-constrained output always parses
      expect(r.tokens_source).toBe("server");
      expect(r.output_tokens).toBe((r.server as { predicted_n: number }).predicted_n);
      expect(r.input_tokens).toBeGreaterThan(0);
      expect(r.e2e_ms).toBeGreaterThan(0);
      if (r.task === "streamed") {
        expect(r.ttft_ms).toBeGreaterThan(0);
        expect(r.ttft_ms!).toBeLessThanOrEqual(r.e2e_ms!);
        expect(r.scores.find((s) => s.scorer === "regex")?.score).toBe(1);
      } else {
        expect(r.ttft_ms).toBeNull(); // not observable without streaming: null, not guessed
        expect(r.chunk_gaps_ms).toEqual([]);
      }
    }
    const starts = readEvents(out).filter((e) => e.type === "model_start");
    expect(starts.map((s) => s.type === "model_start" && s.backend?.total_slots)).toEqual([4, 4]);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as Summary;
    expect(summary.results).toHaveLength(4);
    for (const r of summary.results) expect(r).toMatchObject({ calls: 8, succeeded: 8, failed: 0 });
    const streamed = summary.results.find((r) => r.task === "streamed")!;
    expect(streamed.latency.ttft_ms?.n).toBe(8);
    expect(streamed.latency.ttft_ms!.p50).toBeLessThanOrEqual(streamed.latency.e2e_ms!.p50);
  });

  it("--max-cost stops starting calls before API spending would pass the limit (llama-server as the OpenAI API)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-e2e-"));
    writeFileSync(join(dir, "data.jsonl"), rows(20));
    // A price block makes the cost known: $1,000 per million tokens, i.e. $0.001 per token.
    const suite = writeSuite(
      dir,
      [
        "name: e2e-budget",
        "defaults: {temperature: 0, max_tokens: 16}",
        "models:",
        // The OpenAI runner sends no GBNF grammar (the real API has none): llama-server gets it in
        // extra_body, so every answer is 16 tokens long.
        `  - {id: api, runner: openai, model: tiny, base_url: "${server.url}/v1", price: {input_per_mtok: 1000, output_per_mtok: 1000}, extra_body: {grammar: 'root ::= [a-z]{16}'}}`,
        "tasks:",
        "  - {id: t, prompt: 'Say: {{q}}', dataset: data.jsonl}",
      ].join("\n"),
    );
    const out = join(dir, "run");
    const child = spawn(process.execPath, [BIN, "run", suite, "--out", out, "--max-cost", "0.5"], {
      env: { ...process.env, CI: "1", OPENAI_API_KEY: "sk-local-test" },
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    expect(code, stderr).toBe(0);
    expect(stderr).toContain("Stopped at --max-cost $0.5.");
    const records = readCalls(out);
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThan(20);
    const spent = records.reduce((sum, r) => sum + (r.cost_usd ?? 0), 0);
    expect(spent).toBeLessThanOrEqual(0.5);
    for (const r of records)
      expect(r.cost_usd).toBeCloseTo(((r.input_tokens ?? 0) + (r.output_tokens ?? 0)) * 0.001, 9);
    expect(readEvents(out).at(-1)).toMatchObject({ type: "run_end", status: "budget_reached" });
  });

  it("Ctrl-C stops cleanly with everything so far on disk, and --resume finishes the run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-e2e-"));
    writeFileSync(join(dir, "data.jsonl"), rows(80));
    const suite = writeSuite(
      dir,
      [
        "name: e2e-sigint",
        "defaults: {temperature: 0, max_tokens: 48}",
        "models:",
        `  - {id: tiny, runner: llamacpp, url: "${server.url}", concurrency: 2}`,
        "tasks:",
        "  - {id: t, prompt: 'Count: {{q}}', dataset: data.jsonl, grammar: 'root ::= [a-z ]{40,48}'}",
      ].join("\n"),
    );
    const out = join(dir, "run");
    const child = spawn(process.execPath, [BIN, "run", suite, "--out", out], {
      env: { ...process.env, CI: "1" },
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const closed = new Promise<number | null>((resolve) => child.once("close", resolve));
    await waitForCalls(out, 5);
    child.kill("SIGINT");
    expect(await closed).toBe(130);
    expect(stderr).toContain(`npx opbench run --resume ${out}`);
    const first = readCalls(out);
    expect(first.length).toBeLessThan(80);
    expect(first.every((r) => r.ok)).toBe(true); // calls cut short by Ctrl-C are not recorded as failures
    expect(readEvents(out).at(-1)).toMatchObject({ type: "run_end", status: "interrupted" });
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as Summary;
    expect(summary.run.status).toBe("interrupted");

    const resumed = await runCli(["run", "--resume", out]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const items = readCalls(out).map((r) => r.item);
    expect(items).toHaveLength(80);
    expect(new Set(items).size).toBe(80);
  });

  it("records the calls after a server dies as errors, finishes, and --resume completes with no duplicates", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-e2e-"));
    const doomed = await startLlamaServer({ slots: 2 });
    writeFileSync(join(dir, "data.jsonl"), rows(120));
    const suite = writeSuite(
      dir,
      [
        "name: e2e-kill",
        "defaults: {temperature: 0, seed: 1, max_tokens: 48}",
        "retry: {attempts: 2, backoff: 10ms, max_backoff: 20ms}",
        "models:",
        `  - {id: tiny, runner: llamacpp, url: "${doomed.url}", concurrency: 2}`,
        "tasks:",
        "  - {id: t, prompt: 'Count: {{q}}', dataset: data.jsonl, grammar: 'root ::= [a-z ]{40,48}'}",
      ].join("\n"),
    );
    const out = join(dir, "run");
    const child: ChildProcess = spawn(process.execPath, [BIN, "run", suite, "--out", out], {
      env: { ...process.env, CI: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    // Kill the server once some calls are on disk.
    await waitForCalls(out, 10);
    await doomed.stop("SIGKILL");
    expect(await exited).toBe(0); // the run finishes: failures are recorded, not fatal

    const first = readCalls(out);
    const okFirst = first.filter((r) => r.ok);
    const failed = first.filter((r) => !r.ok && !r.will_retry);
    expect(okFirst.length).toBeGreaterThanOrEqual(10);
    expect(failed.length).toBeGreaterThan(0); // the kill really came mid-run
    expect(okFirst.length + failed.length).toBe(120); // every item ended, as a success or a recorded error
    for (const r of failed) expect(["network", "stream_aborted"]).toContain(r.error?.class);
    let summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as Summary;
    expect(summary.results[0]).toMatchObject({ calls: 120, failed: failed.length });

    const revived = await startLlamaServer({ slots: 2, port: doomed.port });
    try {
      const resumed = await runCli(["run", "--resume", out]);
      expect(resumed.code, resumed.stderr).toBe(0);
    } finally {
      await revived.stop();
    }
    const all = readCalls(out);
    const okItems = all.filter((r) => r.ok).map((r) => r.item);
    expect(okItems).toHaveLength(120);
    expect(new Set(okItems).size).toBe(120); // no item recorded as done twice
    // Items done before the kill were not called again.
    const secondSegment = all.slice(first.length);
    expect(secondSegment.some((r) => okFirst.some((o) => o.item === r.item))).toBe(false);
    summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as Summary;
    expect(summary.run).toMatchObject({ status: "completed", segments: 2 });
    expect(summary.results[0]).toMatchObject({ calls: 120, succeeded: 120, failed: 0 });
  });
});
