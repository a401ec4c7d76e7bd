/**
 * promptfoo, the tool users would otherwise pick, installed from npm into a temporary directory
 * at benchmark time (never a dependency of opbench), configured the way its docs say to point
 * it at an OpenAI-compatible server: the `openai:chat:<model>` provider with `apiBaseUrl`.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClientCall } from "./accuracy.ts";
import { type BenchCase, MAX_TOKENS, PROMPT_TEMPLATE } from "./cases.ts";
import { type MeasuredRun, runNodeMeasured } from "./child.ts";

/** The promptfoo release measured (pinned so results can be compared over time). */
export const PROMPTFOO_VERSION = "0.123.1";

export interface PromptfooInstall {
  /** The CLI's entry script (run with the benchmark's own Node). */
  entry: string;
  dir: string;
  /** How long `npm install` took, ms; null when an earlier install was reused. */
  installMs: number | null;
}

/**
 * Installs promptfoo@PROMPTFOO_VERSION into `<tmpdir>/opbench-bench-promptfoo-<version>` with
 * `npm install --prefix`, reusing an earlier install of the same version. Throws with npm's
 * output when the install fails.
 */
export async function installPromptfoo(log: (message: string) => void): Promise<PromptfooInstall> {
  const dir = join(tmpdir(), `opbench-bench-promptfoo-${PROMPTFOO_VERSION}`);
  const entry = join(dir, "node_modules", "promptfoo", "dist", "src", "entrypoint.js");
  const packageJson = join(dir, "node_modules", "promptfoo", "package.json");
  if (existsSync(entry) && installedVersion(packageJson) === PROMPTFOO_VERSION) {
    return { entry, dir, installMs: null };
  }
  log(`promptfoo: npm install --prefix ${dir} promptfoo@${PROMPTFOO_VERSION} (about a minute)`);
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const args = ["install", "--prefix", dir, "--no-save", "--no-audit", "--no-fund", "--loglevel=error"];
  const output = await new Promise<{ code: number | null; text: string }>((resolve, reject) => {
    const child = spawn("npm", [...args, `promptfoo@${PROMPTFOO_VERSION}`], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    const keep = (part: Buffer) => {
      text = (text + part.toString("utf8")).slice(-8000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, text }));
  });
  if (output.code !== 0 || !existsSync(entry)) {
    throw new Error(
      `npm install promptfoo@${PROMPTFOO_VERSION} failed (exit ${output.code}):\n${output.text}`,
    );
  }
  return { entry, dir, installMs: performance.now() - started };
}

function installedVersion(packageJson: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(packageJson, "utf8")) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

export interface PromptfooRun {
  process: MeasuredRun;
  /** Its results keyed by case id, with the latency it reports (latencyMs) as e2e. */
  calls: ClientCall[];
  passed: number;
}

/**
 * `promptfoo eval` of `cases` against `url` at `concurrency`: no cache, no table, no progress
 * bar, no sharing, telemetry and update checks off, its home (database) in `workDir`. The same
 * prompt template and max_tokens as opbench's suite; `equals` on the expected answer.
 */
export async function runPromptfoo(
  install: PromptfooInstall,
  workDir: string,
  url: string,
  cases: readonly BenchCase[],
  concurrency: number,
): Promise<PromptfooRun> {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const config = {
    description: "opbench benchmark: the same calls opbench makes",
    prompts: [PROMPT_TEMPLATE],
    providers: [
      {
        id: "openai:chat:scripted",
        config: { apiBaseUrl: `${url}/v1`, apiKey: "not-a-secret", max_tokens: MAX_TOKENS, temperature: 0 },
      },
    ],
    defaultTest: { assert: [{ type: "equals", value: "{{expected}}" }] },
    tests: cases.map((c) => ({ vars: { id: c.id, text: c.text, expected: c.expected } })),
  };
  const configPath = join(workDir, "promptfooconfig.json");
  writeFileSync(configPath, JSON.stringify(config));
  const out = join(workDir, "results.json");
  const args = ["eval", "-c", configPath, "-j", String(concurrency), "--no-cache", "--no-table"];
  const run = await runNodeMeasured(install.entry, [...args, "--no-progress-bar", "--no-share", "-o", out], {
    cwd: workDir,
    env: {
      PROMPTFOO_CONFIG_DIR: join(workDir, "home"),
      PROMPTFOO_DISABLE_TELEMETRY: "1",
      PROMPTFOO_DISABLE_UPDATE: "1",
      PROMPTFOO_DISABLE_SHARING: "1",
    },
    maxStdout: 100_000,
  });
  if (run.exitCode !== 0 || !existsSync(out)) {
    throw new Error(
      `promptfoo eval exited with code ${run.exitCode}:\n${(run.stderr || run.stdout).slice(-4000)}`,
    );
  }
  const results = (
    JSON.parse(readFileSync(out, "utf8")) as {
      results: { results: { vars: { id: string }; latencyMs?: number; success: boolean }[] };
    }
  ).results.results;
  return {
    process: run,
    calls: results.map((r) => ({ key: r.vars.id, e2eMs: r.latencyMs ?? null, ttftMs: null })),
    passed: results.filter((r) => r.success).length,
  };
}
