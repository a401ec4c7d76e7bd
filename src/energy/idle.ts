/**
 * Idle power: the device's draw with nothing to do, measured over a short window before a run,
 * so results can be reported gross (what the meter saw) and net (minus idle × duration: the
 * energy the work added).
 */
import type { EnergyMethod, EnergySource } from "./types.ts";

export interface IdlePower {
  /** Mean idle power, W; null when the source did not advance (e.g. a stale exporter). */
  watts: number | null;
  /** Length of the measurement, ms (reading to reading). */
  duration_ms: number;
  method: EnergyMethod;
  warning?: string;
}

/**
 * Mean power between two readings `durationMs` apart, with nothing running.
 * @param durationMs length of the idle window, ms (a few seconds is enough for counters)
 * @param sleep waits the given ms (injectable for tests)
 */
export async function measureIdlePower(
  source: EnergySource,
  durationMs: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<IdlePower> {
  const before = await source.read();
  await sleep(durationMs);
  const after = await source.read();
  const elapsed = after.t - before.t;
  const joules = after.joules - before.joules;
  if (!(elapsed > 0) || !(joules > 0)) {
    return {
      watts: null,
      duration_ms: Math.max(0, elapsed),
      method: source.method,
      warning:
        `the ${source.method} reading did not advance over ${Math.round(elapsed)} ms of idle: idle power unknown ` +
        "(a DCGM exporter refreshes every collect interval; measure idle longer or lower the interval)",
    };
  }
  return { watts: joules / (elapsed / 1000), duration_ms: elapsed, method: source.method };
}

/** Net energy: gross − idle power × duration, floored at 0; null when idle power is unknown. */
export function netEnergy(grossJ: number, idleW: number | null, durationMs: number): number | null {
  return idleW === null ? null : Math.max(0, grossJ - (idleW * durationMs) / 1000);
}
