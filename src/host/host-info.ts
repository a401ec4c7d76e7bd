/** Facts about the machine and the checkout, for the reproducibility record of every run. */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { arch, cpus, hostname, platform, release, totalmem } from "node:os";
import { promisify } from "node:util";
import type { HostInfo } from "../core/records.ts";
import { findExecutable } from "../energy/line-process.ts";

const run = promisify(execFile);

/** Runs a command and returns its trimmed stdout, or undefined if it fails or is absent. */
async function output(command: string, args: string[], cwd?: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(command, args, { timeout: 5000, cwd, encoding: "utf8" });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/** NVIDIA GPUs as "name, memory MiB, driver" lines; empty without nvidia-smi. */
export async function nvidiaGpus(): Promise<string[]> {
  // Looked up first: spawning a command that is not there still costs a fork at every start.
  const smi = await findExecutable("nvidia-smi");
  if (!smi) return [];
  const out = await output(smi, ["--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"]);
  return out ? out.split("\n").filter(Boolean) : [];
}

export async function hostInfo(): Promise<HostInfo> {
  const cpuList = cpus();
  return {
    os: `${platform()} ${release()}`,
    arch: arch(),
    cpu: cpuList[0]?.model.trim() ?? "unknown",
    cores: cpuList.length,
    memory_gb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    gpus: await nvidiaGpus(),
    // A hash, not the name: results get published, host names can be private.
    hostname_hash: createHash("sha256").update(hostname()).digest("hex").slice(0, 12),
  };
}

/** Commit and dirty flag of the git checkout holding `dir`; nulls outside git. */
export async function gitState(dir: string): Promise<{ commit: string | null; dirty: boolean | null }> {
  const commit = await output("git", ["rev-parse", "HEAD"], dir);
  if (!commit) return { commit: null, dirty: null };
  const status = await output("git", ["status", "--porcelain", "--untracked-files=no"], dir);
  return { commit, dirty: status === undefined ? null : status.length > 0 };
}
