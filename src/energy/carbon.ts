/**
 * Carbon from energy: gCO2e = kWh × the grid's carbon intensity (`energy.carbon_g_per_kwh`), or,
 * when the suite gives none, a documented world-average default, labelled as such.
 */

/** World average carbon intensity of electricity generation in 2022, gCO2/kWh. */
export const DEFAULT_CARBON_G_PER_KWH = 436;
export const DEFAULT_CARBON_SOURCE =
  "default: world average of electricity generation in 2022, Ember Global Electricity Review 2023 " +
  "(https://ember-climate.org/insights/research/global-electricity-review-2023/)";

export interface CarbonIntensity {
  g_per_kwh: number;
  /** "configured": the suite's `energy.carbon_g_per_kwh`; "default": {@link DEFAULT_CARBON_G_PER_KWH}. */
  source: "configured" | "default";
  /** Where the figure comes from, in words. */
  basis: string;
}

/** The intensity in force for a model: its configured figure, else the default. */
export function carbonIntensity(configured: number | undefined): CarbonIntensity {
  return configured === undefined
    ? { g_per_kwh: DEFAULT_CARBON_G_PER_KWH, source: "default", basis: DEFAULT_CARBON_SOURCE }
    : { g_per_kwh: configured, source: "configured", basis: "the suite's energy.carbon_g_per_kwh" };
}

/** gCO2e of `joules` at `intensity`. */
export function carbonGrams(joules: number, intensity: CarbonIntensity): number {
  return (joules / 3.6e6) * intensity.g_per_kwh;
}
