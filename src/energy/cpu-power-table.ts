/**
 * A processor's power per vCPU, from Cloud Carbon Footprint's coefficients (Apache-2.0, shipped in
 * data/energy/ with their licence and commit): min watts (idle) and max watts (fully busy) per
 * vCPU by microarchitecture, found from the CPU model name (CCF's model → microarchitecture list),
 * else from the x86 family/model or ARM part numbers (our small table below, from the Linux
 * kernel's `arch/x86/include/asm/intel-family.h`, AMD's family 17h/19h model ranges and Arm's
 * part numbers), else CCF's average over all microarchitectures (said in the note).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../host/package-root.ts";
import type { CpuIdentity } from "./cpu-identity.ts";

export interface CcfCoefficients {
  source: { project: string; url: string; commit: string; license: string; files: string[] };
  per_vcpu_watts: Record<string, { min_w: number; max_w: number }>;
  default_per_vcpu_watts: { min_w: number; max_w: number };
  memory_w_per_gb: number;
  model_to_microarchitecture: Record<string, string>;
}

export const CCF_COEFFICIENTS_PATH = join(PACKAGE_ROOT, "data", "energy", "ccf-cpu-coefficients.json");

let loaded: CcfCoefficients | undefined;

/** The shipped coefficients (read once). */
export function ccfCoefficients(): CcfCoefficients {
  loaded ??= JSON.parse(readFileSync(CCF_COEFFICIENTS_PATH, "utf8")) as CcfCoefficients;
  return loaded;
}

/** How the row was found. */
export type CpuMatchBasis = "model-name" | "cpu-family" | "arm-part" | "default";

export interface CpuPowerRow {
  /** The table row used ("AMD EPYC 3rd Gen"), or "CCF average" for the default. */
  row: string;
  /** The microarchitecture recognised, even when the table has no row for it ("Ice Lake"). */
  microarchitecture: string | null;
  basis: CpuMatchBasis;
  min_w_per_vcpu: number;
  max_w_per_vcpu: number;
  memory_w_per_gb: number;
  /** In words: what was matched and how, for the model_start record and the notes. */
  note: string;
}

const BEFORE_KEY = new Set(["(", " ", "\t", "\n", "\r", "\f", "\v"]);
const AFTER_KEY = new Set([",", ")", "@", " ", "\t", "\n", "\r", "\f", "\v"]);

/** True when `key` occurs in `name` (both lower-cased) as a whole token: bounded by start, space or "(", and end, space, ",", ")" or "@". */
function hasToken(name: string, key: string): boolean {
  for (let at = name.indexOf(key); at !== -1; at = name.indexOf(key, at + 1)) {
    const end = at + key.length;
    if ((at === 0 || BEFORE_KEY.has(name[at - 1]!)) && (end === name.length || AFTER_KEY.has(name[end]!)))
      return true;
  }
  return false;
}

/**
 * CCF's model key found as a whole token in the name (longest key first: "E5-2650 v2" before
 * "E5-2650"). A substring scan, not a RegExp per key: the table has over a thousand keys and
 * compiling one expression each took ~100 ms of every run's start-up.
 */
function byModelName(name: string, mapping: Record<string, string>): { key: string; arch: string } | null {
  if (name === "") return null;
  const lowered = name.toLowerCase();
  const keys = Object.keys(mapping).sort((a, b) => b.length - a.length);
  for (const key of keys) {
    if (hasToken(lowered, key.toLowerCase())) return { key, arch: mapping[key]! };
  }
  return null;
}

/** Intel family 6 model numbers → microarchitecture (intel-family.h); a stepping picks Cascade Lake. */
function intelFamily6(model: number, stepping: number | null): string | null {
  const table: Record<number, string> = {
    42: "Sandy Bridge",
    45: "Sandy Bridge",
    58: "Ivy Bridge",
    62: "Ivy Bridge",
    60: "Haswell",
    63: "Haswell",
    69: "Haswell",
    70: "Haswell",
    61: "Broadwell",
    71: "Broadwell",
    79: "Broadwell",
    86: "Broadwell",
    78: "Skylake",
    94: "Skylake",
    106: "Ice Lake",
    108: "Ice Lake",
    125: "Ice Lake",
    126: "Ice Lake",
    143: "Sapphire Rapids",
    207: "Emerald Rapids",
  };
  // Skylake-SP (0x55): steppings 5–7 are Cascade Lake, 10–11 Cooper Lake (no CCF row of its own).
  if (model === 0x55) return stepping !== null && stepping >= 5 && stepping <= 7 ? "Cascade Lake" : "Skylake";
  // Kaby/Coffee/Whiskey/Comet Lake (0x8e, 0x9e, 0xa5, 0xa6): the 8th generation on (stepping ≥ 10
  // for 0x8e/0x9e) is CCF's "Coffee Lake"; earlier steppings are Kaby Lake, a Skylake derivative.
  if (model === 0x8e || model === 0x9e)
    return stepping !== null && stepping >= 10 ? "Coffee Lake" : "Skylake";
  if (model === 0xa5 || model === 0xa6) return "Coffee Lake";
  return table[model] ?? null;
}

/** AMD EPYC family 17h/19h model ranges → generation (server parts only: Ryzen shares families). */
function amdEpyc(family: number, model: number): string | null {
  if (family === 0x17) return model < 0x30 ? "AMD EPYC 1st Gen" : model < 0x40 ? "AMD EPYC 2nd Gen" : null;
  if (family === 0x19) {
    if (model < 0x10) return "AMD EPYC 3rd Gen";
    if (model < 0x20 || (model >= 0xa0 && model < 0xb0)) return "AMD EPYC 4th Gen";
  }
  if (family === 0x1a) return "AMD EPYC 5th Gen";
  return null;
}

/** Arm implementer 0x41 parts (Arm's Neoverse cores) → the CCF row that covers them, if any. */
function armPart(
  implementer: string | null,
  part: string | null,
): { arch: string; row: string | null } | null {
  if (implementer === null || part === null) return null;
  const key = `${implementer.toLowerCase()}:${part.toLowerCase()}`;
  const parts: Record<string, { arch: string; row: string | null }> = {
    // Graviton2 and Ampere Altra are Neoverse N1: CCF's Graviton2 row is measured on that core.
    "0x41:0xd0c": { arch: "Neoverse N1", row: "AWS Graviton2" },
    "0x41:0xd40": { arch: "Neoverse V1", row: null },
    "0x41:0xd49": { arch: "Neoverse N2", row: null },
    "0x41:0xd4f": { arch: "Neoverse V2", row: null },
  };
  if (implementer.toLowerCase() === "0x61") return { arch: "Apple silicon", row: null };
  return parts[key] ?? null;
}

/** The power row for a processor (see the module comment). */
export function cpuPowerRow(cpu: CpuIdentity, data: CcfCoefficients = ccfCoefficients()): CpuPowerRow {
  const rows = data.per_vcpu_watts;
  const row = (name: string, arch: string | null, basis: CpuMatchBasis, how: string): CpuPowerRow => ({
    row: name,
    microarchitecture: arch,
    basis,
    min_w_per_vcpu: rows[name]!.min_w,
    max_w_per_vcpu: rows[name]!.max_w,
    memory_w_per_gb: data.memory_w_per_gb,
    note: `${how}: Cloud Carbon Footprint row "${name}" (${rows[name]!.min_w}–${rows[name]!.max_w} W per vCPU)`,
  });
  const named = byModelName(cpu.model, data.model_to_microarchitecture);
  if (named && rows[named.arch])
    return row(named.arch, named.arch, "model-name", `CPU "${cpu.model}" matched model ${named.key}`);
  let arch: string | null = named?.arch ?? null;
  let how = "";
  if (arch === null && cpu.vendor === "GenuineIntel" && cpu.family === 6 && cpu.modelNumber !== null) {
    arch = intelFamily6(cpu.modelNumber, cpu.stepping);
    how = `Intel family 6 model ${cpu.modelNumber} stepping ${cpu.stepping ?? "?"} is ${arch}`;
  } else if (
    arch === null &&
    cpu.vendor === "AuthenticAMD" &&
    /EPYC/i.test(cpu.model) &&
    cpu.family !== null &&
    cpu.modelNumber !== null
  ) {
    arch = amdEpyc(cpu.family, cpu.modelNumber);
    how = `AMD EPYC family ${cpu.family} model ${cpu.modelNumber} is ${arch}`;
  }
  if (arch !== null && rows[arch]) return row(arch, arch, "cpu-family", how);
  const arm = arch === null ? armPart(cpu.armImplementer, cpu.armPart) : null;
  if (arm?.row && rows[arm.row])
    return row(arm.row, arm.arch, "arm-part", `Arm part ${cpu.armPart} is ${arm.arch}`);
  arch ??= arm?.arch ?? (/^Apple M\d/.test(cpu.model) ? "Apple silicon" : null);
  const d = data.default_per_vcpu_watts;
  const what = cpu.model === "" ? "an unnamed CPU" : `CPU "${cpu.model}"`;
  const apple =
    arch === "Apple silicon"
      ? "; Apple silicon is measured by `sudo powermetrics --samplers cpu_power,gpu_power`: give its figure as hardware.power_w"
      : "";
  return {
    row: "CCF average",
    microarchitecture: arch,
    basis: "default",
    min_w_per_vcpu: d.min_w,
    max_w_per_vcpu: d.max_w,
    memory_w_per_gb: data.memory_w_per_gb,
    note:
      `${what}${arch ? ` (${arch})` : ""} is not in the Cloud Carbon Footprint table: its per-vCPU default ` +
      `(${d.min_w}–${d.max_w} W, the average over all microarchitectures) is used${apple}`,
  };
}
