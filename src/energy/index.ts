/** The energy module: readers behind one interface, the monitor, attribution and published estimates. */

export type { CallEnergy, CallSpan, SeriesAttribution } from "./attribution.ts";
export { attributeSeries, attributeWindow, callTokens } from "./attribution.ts";
export type { DcgmOptions } from "./dcgm.ts";
export { DCGM_ENERGY_METRIC, DcgmSource, gpuEnergyMillijoules } from "./dcgm.ts";
export type { IdlePower } from "./idle.ts";
export { measureIdlePower, netEnergy } from "./idle.ts";
export type { Interval, PowerSample } from "./integrate.ts";
export {
  busyMs,
  counterDelta,
  cumulativeAt,
  integratePower,
  PowerIntegrator,
  UnwrappedCounter,
} from "./integrate.ts";
export type { ModelledEnergy, ModelledEnergyInput } from "./modelled.ts";
export { cpuPowerLimitW, MODELLED_BAND, modelledEnergy } from "./modelled.ts";
export type { EnergyMonitorOptions, WindowEnergy, WindowMark } from "./monitor.ts";
export { EnergyMonitor } from "./monitor.ts";
export type { NvidiaSmiOptions, NvidiaSmiSample, PowerField } from "./nvidia-smi.ts";
export {
  NvidiaSmiPowerSource,
  parseNvidiaSmiTimestamp,
  parsePowerLine,
  probePowerField,
} from "./nvidia-smi.ts";
export type { NvmlPythonOptions } from "./nvml-python.ts";
export { NvmlPythonSource } from "./nvml-python.ts";
export type { PrometheusSample } from "./prometheus.ts";
export { parsePrometheusText, selectSamples } from "./prometheus.ts";
export type {
  EstimateMapping,
  EstimateMatch,
  PublishedEnergy,
  PublishedEstimate,
} from "./published-estimates.ts";
export {
  DEFAULT_ESTIMATE_MAP,
  findPublishedEstimate,
  PUBLISHED_ESTIMATES,
  publishedCallEnergy,
} from "./published-estimates.ts";
export type { RaplOptions, RaplZone } from "./rapl.ts";
export {
  discoverRaplZones,
  POWERCAP_ROOT,
  RAPL_PERMISSION_HINT,
  RaplSource,
  selectRaplZones,
} from "./rapl.ts";
export type { EnergyMethod, EnergyReading, EnergySource, RecordEnergySource } from "./types.ts";
export { EnergySourceError, nowMs, recordEnergySource } from "./types.ts";
