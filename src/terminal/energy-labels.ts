/**
 * How energy, compute and carbon read in the terminal and the Markdown report: a modelled figure
 * always carries its label and band ("modelled ±50%"), never passing for a measurement.
 */
import type { CarbonSummary, ComputeSummary, EnergySummary } from "../metrics/cost-energy.ts";

/** "±50%" for a symmetric band, "×0.25–×1" otherwise; "" without one. */
export function bandLabel(band: { low: number; high: number } | null | undefined): string {
  if (!band) return "";
  const down = 1 - band.low;
  const up = band.high - 1;
  if (Math.abs(down - up) < 1e-9) return `±${Math.round(up * 100)}%`;
  return `×${Number(band.low.toPrecision(2))}–×${Number(band.high.toPrecision(2))}`;
}

/** "modelled ±50%", "measured-cpu", "published-estimate", "–". */
export function energySourceLabel(energy: EnergySummary): string {
  if (energy.source === null) return "–";
  const band = bandLabel(energy.band);
  return band ? `${energy.source} ${band}` : energy.source;
}

/** "0.000154 Wh", "12.3 Wh", "unknown". */
export function formatWh(joules: number | null | undefined): string {
  if (joules === null || joules === undefined) return "unknown";
  return `${(joules / 3600).toPrecision(3)} Wh`;
}

/** "0.177 CPU-s", "1.2 GPU-s + 0.3 CPU-s", "–" when not measured. */
export function formatCompute(compute: ComputeSummary | undefined): string {
  if (!compute) return "–";
  const parts: string[] = [];
  if (compute.per_call_gpu_s !== null) parts.push(`${compute.per_call_gpu_s.toPrecision(3)} GPU-s`);
  if (compute.per_call_cpu_core_s !== null) parts.push(`${compute.per_call_cpu_core_s.toPrecision(3)} CPU-s`);
  return parts.length > 0 ? parts.join(" + ") : "–";
}

/** "67.0 g", "1.20 kg", "3.40 t". */
export function formatMass(grams: number): string {
  if (grams >= 1e6) return `${(grams / 1e6).toPrecision(3)} t`;
  if (grams >= 1000) return `${(grams / 1000).toPrecision(3)} kg`;
  if (grams >= 1) return `${grams.toPrecision(3)} g`;
  return `${(grams * 1000).toPrecision(3)} mg`;
}

/** CO2e per 1M calls, marked "*" at the default grid intensity; "–" when unknown. */
export function formatCarbonPerMillion(carbon: CarbonSummary | null | undefined): string {
  if (!carbon || carbon.per_1m_calls_kg === null) return "–";
  return `${formatMass(carbon.per_1m_calls_kg * 1000)}${carbon.source === "default" ? "*" : ""}`;
}
