/** The measured programs, each in its own process: opbench's CLI and the bare undici loop. */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ClientCall, type OpbenchLog, readOpbenchLog } from "./accuracy.ts";
import { type SuiteSpec, writeBenchSuite } from "./cases.ts";
import { assertExitedOk, type MeasuredRun, runNodeMeasured } from "./child.ts";

/** The repository root: opbench as a user runs it from a checkout. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const OPBENCH_BIN = join(REPO_ROOT, "bin", "opbench.js");

/** The Node flags of the bin's shebang (`#!/usr/bin/env -S node <flags>`): how `npx opbench` starts it. */
export const OPBENCH_NODE_FLAGS: readonly string[] = (() => {
  const shebang = readFileSync(OPBENCH_BIN, "utf8").split("\n", 1)[0]!;
  const match = /^#!\S*env\s+(?:-S\s+)?node\b(.*)$/.exec(shebang);
  return match ? match[1]!.trim().split(/\s+/).filter(Boolean) : [];
})();
const BARE_LOOP = fileURLToPath(new URL("../bare-loop.ts", import.meta.url));
const MINIMAL_LOOP = fileURLToPath(new URL("../minimal-loop.ts", import.meta.url));

export interface OpbenchRunSpec extends SuiteSpec {
  /** Scratch directory (suite, dataset, run directory); emptied first. */
  workDir: string;
}

export interface OpbenchRun {
  process: MeasuredRun;
  log: OpbenchLog;
  runDir: string;
}

/** `opbench run suite.yaml --out <dir>` as a user runs it (no live progress: CI=1); `env` is added. */
export async function runOpbenchCli(spec: OpbenchRunSpec, env: NodeJS.ProcessEnv = {}): Promise<OpbenchRun> {
  rmSync(spec.workDir, { recursive: true, force: true });
  mkdirSync(spec.workDir, { recursive: true });
  const suite = writeBenchSuite(spec.workDir, spec);
  const runDir = join(spec.workDir, "run");
  const run = await runNodeMeasured(
    OPBENCH_BIN,
    ["run", suite, "--out", runDir, "--no-progress"],
    { cwd: spec.workDir, env: { ...env, CI: "1" }, maxStdout: 100_000 },
    OPBENCH_NODE_FLAGS,
  );
  assertExitedOk(run, "opbench run");
  return { process: run, log: await readOpbenchLog(runDir), runDir };
}

/** `opbench summary <runDir> --json`, measured. */
export async function runOpbenchSummary(runDir: string): Promise<MeasuredRun> {
  const run = await runNodeMeasured(
    OPBENCH_BIN,
    ["summary", runDir, "--json"],
    { maxStdout: 1000 },
    OPBENCH_NODE_FLAGS,
  );
  assertExitedOk(run, "opbench summary");
  return run;
}

export interface BareLoopSpec {
  workDir: string;
  url: string;
  calls: number;
  concurrency: number;
  connection: "keep-alive" | "close";
  stream: boolean;
  /** Calls made first and left out of `calls` (as opbench's warm-up calls are). */
  warmup: number;
}

export interface BareLoopRun {
  process: MeasuredRun;
  /** The request loop alone (inside the process), ms. */
  loopMs: number;
  calls: ClientCall[];
}

/** The bare undici loop (bare-loop.ts) making the same calls. */
export async function runBareLoop(spec: BareLoopSpec): Promise<BareLoopRun> {
  mkdirSync(spec.workDir, { recursive: true });
  const out = join(spec.workDir, `bare-${spec.connection}.json`);
  const run = await runNodeMeasured(BARE_LOOP, [
    "--url",
    spec.url,
    "--calls",
    String(spec.calls + spec.warmup),
    "--concurrency",
    String(spec.concurrency),
    "--connection",
    spec.connection,
    "--stream",
    String(spec.stream),
    "--out",
    out,
  ]);
  assertExitedOk(run, "bare loop");
  const result = JSON.parse(readFileSync(out, "utf8")) as {
    wallMs: number;
    calls: { id: string; e2eMs: number; ttftMs: number | null }[];
  };
  return {
    process: run,
    loopMs: result.wallMs,
    calls: result.calls.slice(spec.warmup).map((c) => ({ key: c.id, e2eMs: c.e2eMs, ttftMs: c.ttftMs })),
  };
}

/** The minimal loop (minimal-loop.ts: a Pool, bodies built per call, nothing kept), measured. */
export async function runMinimalLoop(spec: {
  url: string;
  calls: number;
  concurrency: number;
  stream: boolean;
}): Promise<{ process: MeasuredRun; loopMs: number }> {
  const run = await runNodeMeasured(MINIMAL_LOOP, [
    "--url",
    spec.url,
    "--calls",
    String(spec.calls),
    "--concurrency",
    String(spec.concurrency),
    "--stream",
    String(spec.stream),
  ]);
  assertExitedOk(run, "minimal loop");
  const result = JSON.parse(run.stdout) as { wallMs: number; calls: number };
  if (result.calls !== spec.calls)
    throw new Error(`minimal loop: ${result.calls} of ${spec.calls} calls got HTTP 200`);
  return { process: run, loopMs: result.wallMs };
}
