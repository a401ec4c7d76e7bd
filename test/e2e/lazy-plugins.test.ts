/**
 * A suite's run imports only the runners and scorers it names: the CLI, from its sources, under a
 * module-load hook that lists every module Node loads, validates a llama.cpp suite with two
 * scorers. The hosted APIs' runners and the other scorers must not be among them.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { startScriptedServer } from "../../fixtures/scripted-server/server.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "opbench-lazy-"));

/** Preloaded with `--import`: writes the URL of every module loaded to `file` at exit. */
const HOOK = `
import { registerHooks } from "node:module";
import { writeFileSync } from "node:fs";
const loaded = [];
registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
process.on("exit", () => writeFileSync(process.env.LOADED_FILE, loaded.join("\\n")));
`;

/** The checkout's files (relative paths) that `opbench <args>` loads, run from the sources. */
async function modulesLoaded(
  args: string[],
): Promise<{ code: number | null; stderr: string; files: string[]; builtins: string[] }> {
  const hook = join(dir, "hook.mjs");
  const list = join(dir, "loaded.txt");
  writeFileSync(hook, HOOK);
  const child = spawn(
    process.execPath,
    ["--import", pathToFileURL(hook).href, join(ROOT, "bin", "opbench.js"), ...args],
    {
      cwd: dir,
      env: { ...process.env, CI: "1", OPBENCH_FROM_SOURCES: "1", LOADED_FILE: list },
    },
  );
  let stderr = "";
  child.stderr.on("data", (part: Buffer) => {
    stderr += part.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  const { readFileSync } = await import("node:fs");
  const root = pathToFileURL(ROOT).href;
  const urls = readFileSync(list, "utf8").split("\n");
  const files = urls
    .filter((url) => url.startsWith(root) && !url.includes("/node_modules/"))
    .map((url) => url.slice(root.length).replace(/^\//, ""));
  return { code, stderr, files, builtins: urls.filter((url) => url.startsWith("node:")) };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("plug-ins a suite does not name", () => {
  it("are not loaded: a llama.cpp suite loads the llamacpp runner and its two scorers only", async () => {
    writeFileSync(join(dir, "cases.jsonl"), '{"text":"hello","expected":"greeting"}\n');
    writeFileSync(
      join(dir, "suite.yaml"),
      [
        "name: lazy",
        "models:",
        "  - id: local",
        "    runner: llamacpp",
        "    url: http://127.0.0.1:9",
        "tasks:",
        "  - id: t",
        '    prompt: "Classify: {{text}}"',
        "    dataset: cases.jsonl",
        "    scorers: [exact, {type: contains}]",
        "",
      ].join("\n"),
    );
    const { code, stderr, files } = await modulesLoaded(["validate", "suite.yaml"]);
    expect(code, stderr).toBe(0);
    // The hook saw the suite being loaded and the plug-ins it names.
    expect(files).toContain("src/suite/load.ts");
    expect(files).toContain("runners/llamacpp.ts");
    expect(files).toContain("src/scoring/exact.ts");
    expect(files).toContain("src/scoring/contains.ts");
    for (const unused of [
      "runners/openai.ts",
      "runners/anthropic.ts",
      "runners/gemini.ts",
      "runners/embedded.ts",
      "runners/recorded.ts",
      "src/scoring/sql-execution.ts",
      "src/scoring/judge.ts",
      "src/scoring/code-tests.ts",
      "src/scoring/json-schema.ts",
      "src/scoring/rouge-l.ts",
    ]) {
      expect(files).not.toContain(unused);
    }
  });

  it("are all loaded when a name is unknown, so the error lists every runner kind", async () => {
    writeFileSync(
      join(dir, "bad.yaml"),
      [
        "name: lazy",
        "models:",
        "  - id: m",
        "    runner: nonesuch",
        "tasks:",
        "  - id: t",
        "    prompt: p",
        "    dataset: cases.jsonl",
        "",
      ].join("\n"),
    );
    const { code, stderr, files } = await modulesLoaded(["validate", "bad.yaml"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad\.yaml:4:\d+/);
    expect(stderr).toContain("anthropic");
    expect(files).toContain("runners/anthropic.ts");
  });
});

describe("what a plain run does not use", () => {
  it("is not loaded: no gates, baseline, dry run or caller threads (nor node:worker_threads) for a suite without them", async () => {
    const server = await startScriptedServer();
    try {
      writeFileSync(join(dir, "cases.jsonl"), '{"text":"hello","expected":"greeting"}\n');
      writeFileSync(
        join(dir, "plain.yaml"),
        [
          "name: plain",
          "models:",
          "  - id: local",
          "    runner: llamacpp",
          `    url: ${server.url}`,
          "tasks:",
          "  - id: t",
          '    prompt: "Classify: {{text}}"',
          "    dataset: cases.jsonl",
          "    scorers: [exact]",
          "",
        ].join("\n"),
      );
      const { code, stderr, files, builtins } = await modulesLoaded([
        "run",
        "plain.yaml",
        "--out",
        join(dir, "run"),
        "--no-progress",
      ]);
      expect(code, stderr).toBe(0);
      // The run was made: the engine and the gate checks every run does were loaded.
      expect(files).toContain("src/engine/run.ts");
      expect(files).toContain("src/cli/gate-support.ts");
      for (const unused of [
        "src/gates/evaluate.ts",
        "src/gates/baseline.ts",
        "src/cli/stored-run.ts",
        "src/cli/dry-run.ts",
        "src/engine/worker-callers.ts",
      ]) {
        expect(files).not.toContain(unused);
      }
      expect(builtins).not.toContain("node:worker_threads");
    } finally {
      await server.close();
    }
  });
});
