/**
 * Which processor this is, as the OS reports it: the model name (`os.cpus()`, or `/proc/cpuinfo`'s
 * "model name"), the vendor with its family/model/stepping numbers (x86), the implementer/part
 * codes (ARM, where Linux reports no model name), and the number of logical CPUs. Parsed from the
 * text so recorded fixtures of other machines can stand in for this one.
 */
import { readFile } from "node:fs/promises";
import { cpus } from "node:os";

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
  /** Logical CPUs (vCPUs) the OS shows. */
  logicalCpus: number;
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

/** This machine's processor (reads /proc/cpuinfo where it exists). */
export async function hostCpuIdentity(): Promise<CpuIdentity> {
  const cpuinfo = await readFile("/proc/cpuinfo", "utf8").catch(() => null);
  return cpuIdentity(cpus(), cpuinfo);
}
