/**
 * Runs the real `opbench` CLI in a child process, asynchronously: a test that also runs a server
 * whose output it reads must not block its own event loop (the server's pipe would fill and
 * stall it). `env` entries are added to the test's environment; CI=1 keeps the output plain.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CallRecord, LogEvent } from "../../src/core/records.ts";

export const BIN = join(import.meta.dirname, "..", "..", "bin", "opbench.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `opbench <args>`; `env` replaces the environment when `replaceEnv` is set; `cwd`: the
 * working directory (default: the test's).
 */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  replaceEnv = false,
  cwd?: string,
): Promise<CliResult> {
  const inherited = { ...(replaceEnv ? {} : process.env) };
  // A test's run must not append to the real job summary when the tests run in GitHub Actions.
  delete inherited.GITHUB_STEP_SUMMARY;
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...inherited, ...env, CI: "1" },
    ...(cwd !== undefined && { cwd }),
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}

/** The events of a run directory's log. */
export function readEvents(runDir: string): LogEvent[] {
  return readFileSync(join(runDir, "events.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as LogEvent);
}

/** The call records of a run directory's log. */
export function readCalls(runDir: string): CallRecord[] {
  return readEvents(runDir).filter((e): e is CallRecord => e.type === "call");
}

/** Resolves once a running CLI's log holds at least `count` call records (polls every 20 ms). */
export async function waitForCalls(runDir: string, count: number): Promise<void> {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    try {
      if (readCalls(runDir).length >= count) return;
    } catch {
      // the log does not exist yet
    }
  }
}
