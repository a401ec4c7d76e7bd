/**
 * Runs a measured Node program in its own process: wall time seen from outside (spawn → exit),
 * and the peak RSS and CPU time the process reports about itself at exit (peak-rss-hook.mjs).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const HOOK = fileURLToPath(new URL("./peak-rss-hook.mjs", import.meta.url));

export interface MeasuredRun {
  /** Spawn → exit, as the parent saw it, ms (includes Node's own start-up). */
  wallMs: number;
  /** Peak resident set size of the process, MB (10^6 bytes); null if it did not report. */
  peakRssMb: number | null;
  /** Peak RSS reached in the process's first 3 s, MB; null if it ended sooner or did not report. */
  earlyPeakRssMb: number | null;
  /** User + system CPU time of the process, ms; null if it did not report. */
  cpuMs: number | null;
  /** [epoch ms, CPU ms] every $OPBENCH_BENCH_CPU_TRACE_MS ms and at exit, when that is set. */
  cpuTrace?: [number, number][];
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export interface MeasuredOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the process after this long, ms (default 10 minutes). */
  timeoutMs?: number;
  /** Keep at most this many characters of stdout (default 1 MB); the rest is dropped. */
  maxStdout?: number;
}

/**
 * Runs `node [nodeArgs…] script [args…]` with the current Node (process.execPath). Rejects if
 * it cannot start or runs past the timeout; a non-zero exit is returned, not thrown.
 */
export async function runNodeMeasured(
  script: string,
  args: readonly string[],
  options: MeasuredOptions = {},
  nodeArgs: readonly string[] = [],
): Promise<MeasuredRun> {
  const dir = mkdtempSync(join(tmpdir(), "opbench-bench-usage-"));
  const usageFile = join(dir, "usage.jsonl");
  const maxStdout = options.maxStdout ?? 1_000_000;
  try {
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", HOOK, ...nodeArgs, script, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, OPBENCH_BENCH_USAGE_FILE: usageFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (part: Buffer) => {
      if (stdout.length < maxStdout) stdout += part.toString("utf8");
    });
    child.stderr.on("data", (part: Buffer) => {
      stderr = (stderr + part.toString("utf8")).slice(-20_000);
    });
    const timeout = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 600_000);
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (code) => resolve(code));
    });
    const wallMs = performance.now() - started;
    clearTimeout(timeout);
    const usage = readUsage(usageFile, child.pid);
    return {
      wallMs,
      peakRssMb: usage ? (usage.maxRssKb * 1024) / 1e6 : null,
      earlyPeakRssMb: usage?.earlyMaxRssKb ? (usage.earlyMaxRssKb * 1024) / 1e6 : null,
      cpuMs: usage ? usage.userCpuMs + usage.systemCpuMs : null,
      ...(usage?.cpuTrace && { cpuTrace: usage.cpuTrace }),
      exitCode,
      stdout,
      stderr,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface UsageLine {
  pid: number;
  maxRssKb: number;
  earlyMaxRssKb?: number | null;
  userCpuMs: number;
  systemCpuMs: number;
  cpuTrace?: [number, number][];
}

function readUsage(file: string, pid: number | undefined): UsageLine | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const lines = text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as UsageLine);
  return lines.find((line) => line.pid === pid) ?? lines[0];
}

/** Throws with the tail of stderr when a measured run did not exit 0. */
export function assertExitedOk(run: MeasuredRun, what: string): void {
  if (run.exitCode === 0) return;
  throw new Error(`${what} exited with code ${run.exitCode}:\n${run.stderr.slice(-4000)}`);
}
