/**
 * Outputs on the command line: `run`, `load` and `summary` produce by default what they always
 * did (summary.json or load.json, the table, the file lines on stderr), `--json` and `--format`
 * choose others, an unknown name stops the command before any call. Also `--version`. A local
 * server plays the OpenAI API.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { summarizeLoadRun } from "../../src/load/summary.ts";
import { printLoadSummary } from "../../src/load/table.ts";
import type { Summary } from "../../src/metrics/summary.ts";
import { summarizeRun } from "../../src/metrics/summary-file.ts";
import { printSummary } from "../../src/terminal/summary-table.ts";
import { runCli } from "../helpers/cli.ts";
import { type FaultServer, sseEvent, startFaultServer } from "../helpers/fault-server.ts";

const CHAT_STREAM = [
  sseEvent({ id: "c1", model: "tiny", choices: [{ index: 0, delta: { content: "one" } }] }),
  sseEvent({ id: "c1", model: "tiny", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }),
  sseEvent({ id: "c1", model: "tiny", choices: [], usage: { prompt_tokens: 5, completion_tokens: 2 } }),
  "data: [DONE]\n\n",
].join("");

const env = { OPENAI_API_KEY: "sk-local-test" };

let server: FaultServer;
let dir: string;
let suite: string;
beforeAll(async () => {
  server = await startFaultServer(() => ({ kind: "sse", text: CHAT_STREAM }));
  dir = mkdtempSync(join(tmpdir(), "opbench-outputs-cli-"));
  suite = join(dir, "suite.yaml");
  writeFileSync(
    suite,
    [
      "name: outputs",
      "retry: {attempts: 1}",
      "defaults: {max_tokens: 4}",
      "models:",
      `  - {id: api, runner: openai, model: tiny, base_url: "${server.url}/v1"}`,
      "tasks:",
      "  - {id: t, prompt: 'Say {{q}}', dataset: [{q: one, a: one}, {q: two, a: two}], expected: '{{a}}'}",
    ].join("\n"),
  );
});
afterAll(() => server.close());

/** The text `print` writes, a line at a time, without colours. */
function printedText(print: (write: (line: string) => void) => void): string {
  let text = "";
  print((line) => {
    text += `${line}\n`;
  });
  return stripVTControlCharacters(text);
}

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8")) as unknown;

describe("opbench run outputs", () => {
  it("by default: summary.json (folded as the log was written), the table, the files on stderr", async () => {
    const out = join(dir, "default");
    const result = await runCli(["run", suite, "--out", out], env);
    expect(result.code, result.stderr).toBe(0);
    const summary = readJson(join(out, "summary.json")) as Summary;
    expect(summary).toEqual(JSON.parse(JSON.stringify(await summarizeRun(out))));
    expect(summary.results[0]).toMatchObject({ model: "api", task: "t", calls: 2, succeeded: 2 });
    expect(stripVTControlCharacters(result.stdout)).toBe(
      printedText((write) => printSummary(summary, write)),
    );
    expect(result.stderr).toContain(
      `Records: ${join(out, "events.jsonl")}\nSummary: ${join(out, "summary.json")}\n`,
    );
  });

  it("--json: summary.json, and the same JSON on stdout in the place of the table", async () => {
    const out = join(dir, "json");
    const result = await runCli(["run", suite, "--out", out, "--json"], env);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(readJson(join(out, "summary.json")));
  });

  it("--format: only the outputs named, repeated or comma-separated", async () => {
    const out = join(dir, "table-only");
    const result = await runCli(["run", suite, "--out", out, "--format", "table"], env);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(out, "events.jsonl"))).toBe(true);
    expect(existsSync(join(out, "summary.json"))).toBe(false);
    expect(stripVTControlCharacters(result.stdout)).toContain("accuracy [95% CI]");
    expect(result.stderr).toContain(`Records: ${join(out, "events.jsonl")}\n`);
    expect(result.stderr).not.toContain("Summary:");

    const both = join(dir, "both");
    const again = await runCli(["run", suite, "--out", both, "-o", "json,summary-json"], env);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual(readJson(join(both, "summary.json")));
  });

  it("rejects an unknown output before any call, listing the outputs", async () => {
    const out = join(dir, "unknown");
    const calls = server.requests.length;
    const result = await runCli(["run", suite, "--out", out, "-o", "table", "-o", "xml"], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('opbench: unknown output "xml" in --format; the outputs are:\n');
    for (const name of ["table", "json", "summary-json", "load-json"]) {
      expect(result.stderr).toMatch(new RegExp(`^ {2}${name} +\\S`, "m"));
    }
    expect(existsSync(out)).toBe(false);
    expect(server.requests.length).toBe(calls);
  });

  it("summary: rewrites summary.json and prints the table; --format picks the outputs", async () => {
    const out = join(dir, "resummarised");
    expect((await runCli(["run", suite, "--out", out], env)).code).toBe(0);
    const before = readFileSync(join(out, "summary.json"), "utf8");
    rmSync(join(out, "summary.json"));
    const result = await runCli(["summary", out]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(out, "summary.json"), "utf8")).toBe(before);
    expect(stripVTControlCharacters(result.stdout)).toBe(
      printedText((write) => printSummary(JSON.parse(before) as Summary, write)),
    );
    expect(result.stderr).toBe("");

    rmSync(join(out, "summary.json"));
    const json = await runCli(["summary", out, "-o", "json"]);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(before));
    expect(existsSync(join(out, "summary.json"))).toBe(false);
    expect((await runCli(["summary", out, "-o", "load-json"])).stderr).toMatch(/load-json is not for runs/);
  });
});

describe("opbench load outputs", () => {
  it("by default: load.json and the step table; summary gives them again from the log", async () => {
    const out = join(dir, "load");
    const args = ["load", suite, "--concurrency", "1", "--requests", "2", "--out", out];
    const result = await runCli(args, env);
    expect(result.code, result.stderr).toBe(0);
    const load = readJson(join(out, "load.json"));
    expect(load).toEqual(JSON.parse(JSON.stringify(await summarizeLoadRun(out))));
    expect(load).toMatchObject({ model: "api", steps: [{ concurrency: 1, requests: { succeeded: 2 } }] });
    const table = printedText((write) => printLoadSummary(load as never, write));
    expect(stripVTControlCharacters(result.stdout)).toBe(table);
    expect(result.stderr).toContain(
      `Records: ${join(out, "events.jsonl")}\nResults: ${join(out, "load.json")}\n`,
    );

    rmSync(join(out, "load.json"));
    const again = await runCli(["summary", out]);
    expect(again.code, again.stderr).toBe(0);
    expect(readJson(join(out, "load.json"))).toEqual(load);
    expect(stripVTControlCharacters(again.stdout)).toBe(table);
    expect(existsSync(join(out, "summary.json"))).toBe(false);
    expect(JSON.parse((await runCli(["summary", out, "--json"])).stdout)).toEqual(load);
  });

  it("--json prints load.json; an output that is not for load sweeps is refused before any call", async () => {
    const out = join(dir, "load-json");
    const result = await runCli(
      ["load", suite, "--concurrency", "1", "--requests", "1", "--out", out, "--json"],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(readJson(join(out, "load.json")));

    const calls = server.requests.length;
    const refused = await runCli(
      ["load", suite, "--requests", "1", "--out", join(dir, "refused"), "-o", "summary-json"],
      env,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("output summary-json is not for load sweeps; the outputs are:");
    expect(server.requests.length).toBe(calls);
  });
});

describe("opbench --version", () => {
  it("prints the package version", async () => {
    const { version } = readJson(join(import.meta.dirname, "..", "..", "package.json")) as {
      version: string;
    };
    const result = await runCli(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
  });
});
