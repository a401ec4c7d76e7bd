/**
 * `.env` files: `run` and `load` read API keys from a `.env` beside the suite or in the working
 * directory, never over a variable already set, and print no value. A local server plays the
 * OpenAI API and shows which key arrived.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnvFiles } from "../../src/cli/env-file.ts";
import { readCalls, runCli } from "../helpers/cli.ts";
import { type FaultServer, sseEvent, startFaultServer } from "../helpers/fault-server.ts";

const DOTENV_KEY = "sk-opbench-SECRET-dotenv-5e6f7a";
const SHELL_KEY = "sk-opbench-SECRET-shell-8b9c0d";

/** An OpenAI chat stream answering "ok" (2 completion tokens). */
const CHAT_STREAM = [
  sseEvent({ id: "c1", model: "tiny", choices: [{ index: 0, delta: { content: "ok" } }] }),
  sseEvent({ id: "c1", model: "tiny", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }),
  sseEvent({ id: "c1", model: "tiny", choices: [], usage: { prompt_tokens: 5, completion_tokens: 2 } }),
  "data: [DONE]\n\n",
].join("");

let server: FaultServer;
beforeAll(async () => {
  server = await startFaultServer(() => ({ kind: "sse", text: CHAT_STREAM }));
});
afterAll(() => server.close());

/** A directory holding a two-case suite whose one model is the local server, as `openai`. */
function suiteDir(): { dir: string; suite: string } {
  const dir = mkdtempSync(join(tmpdir(), "opbench-dotenv-"));
  const suite = join(dir, "suite.yaml");
  writeFileSync(
    suite,
    [
      "name: dotenv",
      "retry: {attempts: 1}",
      "defaults: {max_tokens: 4}",
      "models:",
      `  - {id: api, runner: openai, model: tiny, base_url: "${server.url}/v1"}`,
      "tasks:",
      "  - {id: t, prompt: 'Say {{q}}', dataset: [{q: one}, {q: two}]}",
    ].join("\n"),
  );
  return { dir, suite };
}

/** This environment without its OpenAI key (the key comes from a .env file), plus `extra`. */
function envWithoutKey(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENAI_API_KEY;
  return { ...env, ...extra };
}

/** An empty working directory: no .env but those a test writes. */
const emptyDir = () => mkdtempSync(join(tmpdir(), "opbench-dotenv-cwd-"));

/** The keys the server received, one per request. */
const keysSent = (since: number) => server.requests.slice(since).map((r) => r.headers.authorization);

/** Every file under `dir` and both streams, to search for a secret. */
function places(dir: string, result: { stdout: string; stderr: string }) {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .map((path) => ({ path, text: readFileSync(path, "latin1") }));
  expect(files.length).toBeGreaterThan(1);
  return [...files, { path: "stdout", text: result.stdout }, { path: "stderr", text: result.stderr }];
}

describe("loadEnvFiles", () => {
  it("sets unset variables only, the first file first, and names files and variables but no value", () => {
    const suite = mkdtempSync(join(tmpdir(), "opbench-dotenv-unit-"));
    const cwd = mkdtempSync(join(tmpdir(), "opbench-dotenv-unit-"));
    const empty = mkdtempSync(join(tmpdir(), "opbench-dotenv-unit-"));
    writeFileSync(join(suite, ".env"), "A=from-suite\nB=from-suite\n# a comment\nQ='quoted value'\n");
    writeFileSync(join(cwd, ".env"), "B=from-cwd\nC=from-cwd\n");
    const env: NodeJS.ProcessEnv = { A: "from-shell" };
    const said: string[] = [];
    const loads = loadEnvFiles([suite, cwd, suite, empty], env, (line) => said.push(line));
    expect(env).toEqual({ A: "from-shell", B: "from-suite", C: "from-cwd", Q: "quoted value" });
    expect(loads).toEqual([
      { path: join(suite, ".env"), set: ["B", "Q"], kept: ["A"] },
      { path: join(cwd, ".env"), set: ["C"], kept: ["B"] },
    ]);
    expect(said).toEqual([
      `opbench: read ${join(suite, ".env")}: set B, Q; already set, kept: A`,
      `opbench: read ${join(cwd, ".env")}: set C; already set, kept: B`,
    ]);
    expect(said.join("\n")).not.toMatch(/from-|quoted/);
  });
});

describe(".env files on the command line", () => {
  it("run: an API key only in a .env beside the suite is used, and appears in no output", async () => {
    const { dir, suite } = suiteDir();
    writeFileSync(join(dir, ".env"), `OPENAI_API_KEY=${DOTENV_KEY}\n`);
    const out = join(dir, "run");
    const since = server.requests.length;
    const result = await runCli(["run", suite, "--out", out], envWithoutKey(), true, emptyDir());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`opbench: read ${join(dir, ".env")}: set OPENAI_API_KEY\n`);
    expect(readCalls(out).map((r) => r.ok)).toEqual([true, true]);
    expect(keysSent(since)).toEqual([`Bearer ${DOTENV_KEY}`, `Bearer ${DOTENV_KEY}`]);
    for (const { path, text } of places(out, result)) {
      expect(text.includes(DOTENV_KEY), `the key found in ${path}`).toBe(false);
    }
  });

  it("run: a key set in the environment wins over the .env file's", async () => {
    const { dir, suite } = suiteDir();
    writeFileSync(join(dir, ".env"), `OPENAI_API_KEY=${DOTENV_KEY}\n`);
    const since = server.requests.length;
    const result = await runCli(
      ["run", suite, "--out", join(dir, "run")],
      envWithoutKey({ OPENAI_API_KEY: SHELL_KEY }),
      true,
      emptyDir(),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("set nothing; already set, kept: OPENAI_API_KEY");
    expect(keysSent(since)).toEqual([`Bearer ${SHELL_KEY}`, `Bearer ${SHELL_KEY}`]);
  });

  it("load: an API key in a .env of the working directory is used, and appears in no output", async () => {
    const { dir, suite } = suiteDir();
    const cwd = join(dir, "work");
    mkdirSync(cwd);
    writeFileSync(join(cwd, ".env"), `OPENAI_API_KEY=${DOTENV_KEY}\n`);
    const out = join(dir, "load");
    const since = server.requests.length;
    const result = await runCli(
      ["load", suite, "--concurrency", "1", "--requests", "2", "--out", out],
      envWithoutKey(),
      true,
      cwd,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`opbench: read ${join(cwd, ".env")}: set OPENAI_API_KEY\n`);
    expect(keysSent(since)).toEqual([`Bearer ${DOTENV_KEY}`, `Bearer ${DOTENV_KEY}`]);
    for (const { path, text } of places(out, result)) {
      expect(text.includes(DOTENV_KEY), `the key found in ${path}`).toBe(false);
    }
  });

  it("without a .env file, the missing key is still an error before any call", async () => {
    const { dir, suite } = suiteDir();
    const since = server.requests.length;
    const result = await runCli(["run", suite, "--out", join(dir, "run")], envWithoutKey(), true, dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("set these environment variables first: OPENAI_API_KEY");
    expect(result.stderr).not.toContain(".env");
    expect(server.requests.length).toBe(since);
  });
});
