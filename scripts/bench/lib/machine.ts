/** The machine a benchmark ran on, for BENCHMARKS.md. */
import { execFileSync } from "node:child_process";
import { cpus, loadavg, release, totalmem } from "node:os";
import { REPO_ROOT } from "./tools.ts";

export interface Machine {
  date: string;
  cpu: string;
  cores: number;
  memoryGb: number;
  kernel: string;
  node: string;
  /** 1-minute load average when the benchmark started (other work on the machine). */
  loadAverage: number;
  commit: string | null;
  dirty: boolean | null;
  /** `lscpu` as printed, when available (Linux). */
  lscpu: string | null;
}

function command(file: string, args: string[]): string | null {
  try {
    return execFileSync(file, args, {
      encoding: "utf8",
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return null;
  }
}

export function describeMachine(): Machine {
  const commit = command("git", ["rev-parse", "--short", "HEAD"]);
  const status = commit ? command("git", ["status", "--porcelain", "--untracked-files=no"]) : null;
  const lscpu = command("lscpu", []);
  const model = lscpu?.match(/^Model name:\s*(.+)$/m)?.[1] ?? cpus()[0]?.model ?? "unknown";
  return {
    date: new Date().toISOString(),
    cpu: model.trim(),
    cores: cpus().length,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
    commit,
    dirty: status === null ? null : status.length > 0,
    lscpu,
  };
}
