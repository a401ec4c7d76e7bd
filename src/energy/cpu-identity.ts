/**
 * Which processor this is, as the OS reports it: the model name (`os.cpus()`, or `/proc/cpuinfo`'s
 * "model name"), the vendor with its family/model/stepping numbers (x86), the implementer/part
 * codes (ARM, where Linux reports no model name), and the number of logical CPUs. Parsed from the
 * text so recorded fixtures of other machines can stand in for this one.
 */
import { readFile } from "node:fs/promises";
import { availableParallelism, cpus } from "node:os";

export interface CpuIdentity {
  /** The model name the OS reports, trimmed ("AMD EPYC 7763 64-Core Processor"); "" when none. */
  model: string;
  /** "GenuineIntel", "AuthenticAMD", …; null when not reported (ARM). */
  vendor: string | null;
  /** x86 family, model and stepping (decimal, as /proc/cpuinfo prints them); null when unknown. */
  family: number | null;
  modelNumber: number | null;
  stepping: number | null;
  /** ARM "CPU implementer" and "CPU part" codes ("0x41", "0xd0c"); null elsewhere. */
  armImplementer: string | null;
  armPart: string | null;
  /**
   * Logical CPUs (vCPUs) this process may use: those the OS shows, fewer when a container's CPU
   * quota (cgroup v2 `cpu.max`) or the affinity mask allows fewer.
   */
  logicalCpus: number;
  /** Why fewer vCPUs count than the OS shows, when they do ("cgroup cpu.max 200000/100000"). */
  limitedBy?: string;
}

/**
 * CPUs a cgroup v2 `cpu.max` line allows ("200000 100000" → 2; "150000 100000" → 2, rounded
 * up; "max 100000" → null: no quota).
 */
export function parseCpuMax(text: string): number | null {
  const [quota, period] = text.trim().split(/\s+/);
  const q = Number(quota);
  const p = Number(period ?? 100000);
  if (quota === "max" || !(q > 0) || !(p > 0)) return null;
  return Math.max(1, Math.ceil(q / p));
}

/** The identity with its vCPUs limited to `allowed` (a container's quota, the affinity mask). */
export function limitCpus(cpu: CpuIdentity, allowed: number | null, why: string): CpuIdentity {
  if (allowed === null || !(allowed >= 1) || allowed >= cpu.logicalCpus) return cpu;
  return { ...cpu, logicalCpus: allowed, limitedBy: why };
}

/** The fields of the first processor block of a /proc/cpuinfo text. */
function firstBlock(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) {
      if (line.trim() === "" && fields.has("processor")) break;
      continue;
    }
    const key = line.slice(0, colon).trim().toLowerCase();
    if (!fields.has(key)) fields.set(key, line.slice(colon + 1).trim());
  }
  return fields;
}

/** Logical CPUs listed in a /proc/cpuinfo text ("processor" lines). */
function processorCount(text: string): number {
  return text.split("\n").filter((line) => /^processor\s*:/.test(line)).length;
}

const integer = (value: string | undefined, radix = 10): number | null => {
  if (value === undefined || value === "") return null;
  const n = Number.parseInt(value, radix);
  return Number.isFinite(n) ? n : null;
};

/**
 * The identity from `os.cpus()` (model name, count) and, on Linux, the /proc/cpuinfo text (vendor,
 * family/model/stepping, ARM codes, and the model name where Node reports none).
 */
export function cpuIdentity(osCpus: readonly { model: string }[], cpuinfo: string | null): CpuIdentity {
  const block = cpuinfo === null ? new Map<string, string>() : firstBlock(cpuinfo);
  const fromOs = osCpus[0]?.model.trim() ?? "";
  const fromProc = block.get("model name") ?? block.get("cpu model") ?? "";
  const model = fromOs !== "" && fromOs.toLowerCase() !== "unknown" ? fromOs : fromProc;
  const implementer = block.get("cpu implementer") ?? null;
  return {
    model,
    vendor: block.get("vendor_id") ?? null,
    family: integer(block.get("cpu family")),
    modelNumber: integer(block.get("model")),
    stepping: integer(block.get("stepping")),
    armImplementer: implementer,
    armPart: block.get("cpu part") ?? null,
    logicalCpus: osCpus.length > 0 ? osCpus.length : Math.max(1, cpuinfo ? processorCount(cpuinfo) : 1),
  };
}

/**
 * This machine's processor (reads /proc/cpuinfo where it exists), its vCPUs limited to what this
 * process may use: the affinity mask (`os.availableParallelism()`) and a cgroup CPU quota.
 */
export async function hostCpuIdentity(): Promise<CpuIdentity> {
  const cpuinfo = await readFile("/proc/cpuinfo", "utf8").catch(() => null);
  let cpu = cpuIdentity(cpus(), cpuinfo);
  cpu = limitCpus(cpu, availableParallelism(), "the process's CPU affinity");
  const read = (path: string) =>
    readFile(path, "utf8").then(
      (t) => t.trim(),
      () => null,
    );
  // cgroup v2's cpu.max, else v1's CFS quota and period (quota -1: none).
  let quota = await read("/sys/fs/cgroup/cpu.max");
  if (quota === null) {
    const v1 = await read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us");
    if (v1 !== null) quota = `${v1} ${(await read("/sys/fs/cgroup/cpu/cpu.cfs_period_us")) ?? "100000"}`;
  }
  if (quota !== null) cpu = limitCpus(cpu, parseCpuMax(quota), `the container's CPU quota (${quota})`);
  return cpu;
}
