/** The sandbox limits the `code_tests` and `custom` scorers share, as config options. */
import { z } from "zod";
import type { SandboxLimits } from "../sandbox/sandbox.ts";

export const SandboxLimitOptions = {
  timeout_ms: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("Wall-clock limit of one sandboxed run, ms (default 5000)"),
  cpu_ms: z.number().int().positive().optional().describe("CPU-time limit, ms (default: timeout_ms)"),
  memory_mb: z.number().int().min(32).optional().describe("Resident memory limit, MiB (default 256)"),
};

/** The limits a config asks for, defaults filled in. */
export function sandboxLimits(config: {
  timeout_ms?: number | undefined;
  cpu_ms?: number | undefined;
  memory_mb?: number | undefined;
}): SandboxLimits {
  const wallMs = config.timeout_ms ?? 5000;
  return { wallMs, cpuMs: config.cpu_ms ?? wallMs, memoryMb: config.memory_mb ?? 256 };
}
