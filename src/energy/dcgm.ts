/**
 * GPU energy from an NVIDIA DCGM exporter: `DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION`, a counter of
 * millijoules since the driver loaded (the NVML total-energy counter, Volta and newer), scraped
 * from the exporter's Prometheus `/metrics` URL. This is how a *remote* llama-server's GPU is
 * measured: give its host's exporter URL in the suite.
 *
 * - GPUs: by default every GPU the exporter lists is summed; `gpus: ["0"]` selects by the `gpu`
 *   label, `labels` narrows further (e.g. `{Hostname: "node-a"}`).
 * - MIG: the exporter repeats a GPU's device-level counter for each MIG instance; series are
 *   grouped per GPU (`UUID`, else `gpu`) and counted once.
 * - Freshness: the exporter refreshes its values every collect interval (`-c` /
 *   `DCGM_EXPORTER_INTERVAL`, 30000 ms by default), and a scrape returns the cached value. A
 *   window shorter than a few intervals is badly resolved: run the exporter with `-c 1000` (or
 *   less) for benchmarking. {@link DcgmSource.unchangedReads} counts scrapes that saw no change.
 */

import { type PrometheusSample, parsePrometheusText, selectSamples } from "../core/prometheus.ts";
import { credentialedGet, maskUrl, maskUrlsIn } from "../core/url.ts";
import { UnwrappedCounter } from "./integrate.ts";
import { type EnergyReading, type EnergySource, EnergySourceError, nowMs } from "./types.ts";

export const DCGM_ENERGY_METRIC = "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION";

export interface DcgmOptions {
  /** The exporter's metrics URL, e.g. "http://gpu-host:9400/metrics". */
  url: string;
  /** GPU indices (`gpu` label) to sum; default: all. */
  gpus?: readonly string[];
  /** Extra label values a series must have. */
  labels?: Readonly<Record<string, string>>;
  /** Scrape timeout in ms (default 5000). */
  timeoutMs?: number;
  /** Fetches the URL's text (injectable for tests; default: global fetch). */
  fetchText?: (url: string, signal: AbortSignal) => Promise<string>;
}

async function defaultFetch(url: string, signal: AbortSignal): Promise<string> {
  const target = credentialedGet(url, "text/plain");
  const response = await fetch(target.url, { signal, headers: target.headers });
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
  return response.text();
}

/** Energy counter per GPU, in mJ, from one scrape's samples. */
export function gpuEnergyMillijoules(
  samples: readonly PrometheusSample[],
  options: Pick<DcgmOptions, "gpus" | "labels"> = {},
): Map<string, number> {
  const perGpu = new Map<string, number>();
  for (const sample of selectSamples(samples, DCGM_ENERGY_METRIC, options.labels)) {
    const gpu = sample.labels.gpu ?? "";
    if (options.gpus !== undefined && !options.gpus.includes(gpu)) continue;
    if (!Number.isFinite(sample.value)) continue;
    const key = sample.labels.UUID ?? `gpu=${gpu}`;
    // MIG instances repeat the device counter: keep one value per GPU.
    perGpu.set(key, Math.max(perGpu.get(key) ?? Number.NEGATIVE_INFINITY, sample.value));
  }
  return perGpu;
}

/** Summed GPU energy from a DCGM exporter; an {@link EnergySource}. */
export class DcgmSource implements EnergySource {
  readonly method = "dcgm-counter" as const;
  private readonly options: DcgmOptions;
  private readonly fetchText: NonNullable<DcgmOptions["fetchText"]>;
  private readonly counters = new Map<string, UnwrappedCounter>();
  private lastRaw = new Map<string, number>();
  /** Scrapes whose counters had not moved since the previous scrape (exporter not refreshed yet). */
  unchangedReads = 0;

  constructor(options: DcgmOptions) {
    this.options = options;
    this.fetchText = options.fetchText ?? defaultFetch;
  }

  get description(): string {
    const gpus = this.options.gpus ? `GPU ${this.options.gpus.join("+")}` : "all GPUs";
    return `${gpus} via DCGM exporter ${maskUrl(this.options.url)}`;
  }

  /** GPUs (UUID or gpu=N) counted, after {@link start}. */
  get gpuKeys(): string[] {
    return [...this.counters.keys()];
  }

  private async scrape(): Promise<{ perGpu: Map<string, number>; t: number }> {
    const before = nowMs();
    let text: string;
    try {
      text = await this.fetchText(this.options.url, AbortSignal.timeout(this.options.timeoutMs ?? 5000));
    } catch (error) {
      throw new EnergySourceError(
        `cannot scrape the DCGM exporter at ${maskUrl(this.options.url)}: ${maskUrlsIn((error as Error).message)}`,
        "check the URL (dcgm-exporter serves :9400/metrics) and that this machine can reach it",
      );
    }
    const t = (before + nowMs()) / 2;
    const perGpu = gpuEnergyMillijoules(parsePrometheusText(text).samples, this.options);
    if (perGpu.size === 0) {
      throw new EnergySourceError(
        `no ${DCGM_ENERGY_METRIC} series${this.options.gpus ? ` for GPU ${this.options.gpus.join(", ")}` : ""} at ${maskUrl(this.options.url)}`,
        "enable the field in the exporter's counters CSV (it is in the default set) or fix the gpus/labels selection",
      );
    }
    return { perGpu, t };
  }

  async start(): Promise<void> {
    const { perGpu } = await this.scrape();
    this.counters.clear();
    for (const [key, mj] of perGpu) {
      const counter = new UnwrappedCounter(null);
      counter.update(mj);
      this.counters.set(key, counter);
    }
    this.lastRaw = perGpu;
  }

  async read(): Promise<EnergyReading> {
    if (this.counters.size === 0) throw new EnergySourceError("DcgmSource.read() before start()");
    const { perGpu, t } = await this.scrape();
    let millijoules = 0;
    let changed = false;
    for (const [key, counter] of this.counters) {
      const raw = perGpu.get(key);
      if (raw === undefined)
        throw new EnergySourceError(`GPU ${key} disappeared from ${maskUrl(this.options.url)}`);
      if (raw !== this.lastRaw.get(key)) changed = true;
      millijoules += counter.update(raw);
    }
    if (!changed) this.unchangedReads++;
    this.lastRaw = perGpu;
    return { joules: millijoules / 1000, t };
  }

  async stop(): Promise<void> {}
}
