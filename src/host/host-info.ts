/** Facts about the machine and the checkout, for the reproducibility record of every run. */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { arch, cpus, hostname, platform, release, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import type { HostInfo } from "../core/records.ts";
import { findExecutable } from "../energy/line-process.ts";

const run = promisify(execFile);

/** Runs a command and returns its trimmed stdout, or undefined if it fails or is absent. */
async function output(command: string, args: string[], cwd?: string): Promise<string | undefined> {
  try {
    // A large checkout's status runs to megabytes (~150 bytes a changed file): past Node's 1 MiB
    // default the call would fail and take the commit with it.
    const { stdout } = await run(command, args, {
      timeout: 5000,
      cwd,
      encoding: "utf8",
      maxBuffer: 256 << 20,
    });
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

/**
 * Commit and dirty flag of the git checkout holding `dir`; nulls outside git or before the first
 * commit. One `git status` (porcelain v2 names the commit in its `# branch.oid` header): a second
 * spawn for `rev-parse HEAD` cost ~10–20 ms of every run's start.
 */
export async function gitState(dir: string): Promise<{ commit: string | null; dirty: boolean | null }> {
  // Outside a checkout both spawns below fail; each costs ~10 ms of the main thread (a fork).
  if (!mayBeInGitRepository(dir)) return { commit: null, dirty: null };
  const status = await output("git", ["status", "--porcelain=v2", "--branch", "--untracked-files=no"], dir);
  if (status === undefined) {
    // Status failed (timed out on a slow file system, say): the commit is still worth recording.
    const head = await output("git", ["rev-parse", "HEAD"], dir);
    return { commit: head && /^[0-9a-f]{7,}$/.test(head) ? head : null, dirty: null };
  }
  const commit = /^# branch\.oid ([0-9a-f]{7,})$/m.exec(status)?.[1];
  if (!commit) return { commit: null, dirty: null };
  return { commit, dirty: status.split("\n").some((line) => line !== "" && !line.startsWith("# ")) };
}

/**
 * Whether git could find a repository for `dir`: a `.git` (folder or file) in it or a folder above,
 * a folder that is itself a bare repository, or `GIT_DIR` set (git is then asked).
 */
export function mayBeInGitRepository(dir: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.GIT_DIR) return true;
  for (let folder = resolve(dir); ; folder = dirname(folder)) {
    if (existsSync(join(folder, ".git"))) return true;
    if (existsSync(join(folder, "HEAD")) && existsSync(join(folder, "objects"))) return true;
    if (dirname(folder) === folder) return false;
  }
}

/** The host facts and git state of a run's record, started before they are needed (they spawn processes). */
export interface RunFacts {
  host: Promise<HostInfo>;
  git: ReturnType<typeof gitState>;
}

/**
 * Starts gathering `run_start`'s host facts and the git state of `dir`, so that the processes they
 * spawn (`git`, `nvidia-smi`) run while the suite is loaded instead of after it.
 */
export function startRunFacts(dir: string): RunFacts {
  const facts = { host: hostInfo(), git: gitState(dir) };
  // Awaited later (or never, when the run stops first): no unhandled rejection meanwhile.
  facts.host.catch(() => {});
  facts.git.catch(() => {});
  return facts;
}
