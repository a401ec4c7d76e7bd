/**
 * llama-server's Prometheus `/metrics` (on when started with `--metrics`) around each load step.
 * Names as llama.cpp's tools/server/server-task.cpp writes them: counters
 * `llamacpp:prompt_tokens_total`, `prompt_tokens_cached_total`, `prompt_seconds_total`,
 * `tokens_predicted_total`, `tokens_predicted_seconds_total`, `n_decode_total` (…); gauges
 * `requests_processing`, `requests_deferred`, `n_busy_slots_per_decode` (average since start),
 * and `prompt_tokens_seconds`/`predicted_tokens_seconds` (averaged since the previous scrape, so
 * every scrape resets them: step figures here come from counter deltas instead).
 * llama-server prints values with 6 significant digits: past 10⁶ deltas are approximate.
 */
import { request } from "undici";
import { type PrometheusSample, parsePrometheusText } from "../energy/prometheus.ts";
import type { LoadStepEndEvent, ServerMetricsScrape } from "./events.ts";

/** Time allowed for one scrape, in milliseconds. */
const SCRAPE_TIMEOUT_MS = 5_000;
/** Values at or above this lose digits in llama-server's output (6 significant digits). */
const EXACT_BELOW = 1e6;

/** `name`, or `name{a="x",b="y"}` with labels sorted: one key per series. */
export function seriesKey(sample: Pick<PrometheusSample, "name" | "labels">): string {
  const labels = Object.keys(sample.labels).sort();
  if (labels.length === 0) return sample.name;
  return `${sample.name}{${labels.map((k) => `${k}=${JSON.stringify(sample.labels[k])}`).join(",")}}`;
}

/** Every finite sample of a Prometheus text, by series key. */
export function metricValues(text: string): Record<string, number> {
  const values: Record<string, number> = {};
  for (const sample of parsePrometheusText(text).samples) {
    if (Number.isFinite(sample.value)) values[seriesKey(sample)] = sample.value;
  }
  return values;
}

/**
 * GETs `url` and parses it. Throws an Error saying why (HTTP status with the server's message,
 * e.g. llama-server's "Start it with `--metrics`", or the transport error).
 */
export async function scrapeMetrics(url: string, signal?: AbortSignal): Promise<ServerMetricsScrape> {
  const timeout = AbortSignal.timeout(SCRAPE_TIMEOUT_MS);
  const response = await request(url, {
    method: "GET",
    headers: { accept: "text/plain" },
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    reset: true,
  });
  const text = await response.body.text();
  if (response.statusCode !== 200) {
    throw new Error(
      `GET ${url} answered HTTP ${response.statusCode}: ${text.replace(/\s+/g, " ").slice(0, 200)}`,
    );
  }
  return { url, values: metricValues(text) };
}

/** Series-wise maximum of `into` and `values`, written into `into`. */
function mergeMax(into: Record<string, number>, values: Record<string, number>): void {
  for (const [key, value] of Object.entries(values)) into[key] = Math.max(into[key] ?? value, value);
}

/**
 * Scrapes every `intervalMs` while a step runs and keeps each series' maximum (the gauges
 * `requests_processing` and `requests_deferred` are instantaneous: before and after a step
 * they read 0). A scrape that fails is skipped; one still in progress is not doubled.
 */
export class MetricsWatch {
  private readonly url: string;
  private readonly max: Record<string, number> = {};
  private scrapes = 0;
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<void> | undefined;

  /** Starts watching `url`, folding in the scrape taken before the step. */
  constructor(url: string, before: ServerMetricsScrape, intervalMs: number) {
    this.url = url;
    this.add(before.values);
    if (intervalMs > 0) {
      this.timer = setInterval(() => {
        this.pending ??= scrapeMetrics(this.url)
          .then((scrape) => this.add(scrape.values))
          .catch(() => {})
          .finally(() => {
            this.pending = undefined;
          });
      }, intervalMs);
      this.timer.unref();
    }
  }

  private add(values: Record<string, number>): void {
    this.scrapes++;
    mergeMax(this.max, values);
  }

  /** Stops polling, scrapes once more and returns the end-of-step record. Throws if that scrape fails. */
  async finish(): Promise<NonNullable<LoadStepEndEvent["server_metrics"]>> {
    clearInterval(this.timer);
    await this.pending;
    const after = await scrapeMetrics(this.url);
    this.add(after.values);
    return { ...after, max: { ...this.max }, scrapes: this.scrapes };
  }

  /** Stops polling without a final scrape. */
  cancel(): void {
    clearInterval(this.timer);
  }
}

/** What llama-server did during one step, from its /metrics before and after. */
export interface ServerMetricsDelta {
  url: string;
  /** after − before of every counter series (`*_total`), e.g. `llamacpp:tokens_predicted_total`. */
  counters: Record<string, number>;
  /**
   * Mean number of busy slots per llama_decode() call during the step: how full the batches
   * were (≈ concurrency when every slot decodes together). From the running average and
   * `n_decode_total` before and after; null when the server made no decode call.
   */
  busy_slots_per_decode: number | null;
  /** Largest value of every other series over the step's scrapes (e.g. `llamacpp:requests_deferred`). */
  gauges_max: Record<string, number>;
  /** Scrapes taken in the step, before and after included. */
  scrapes: number;
  /** Some value used passed 10⁶, which llama-server prints with 6 significant digits only. */
  approximate: boolean;
}

const BUSY = "llamacpp:n_busy_slots_per_decode";
const DECODES = "llamacpp:n_decode_total";

/** Drops floating-point noise of a difference (0.0099330000000000025 → 0.009933). */
const roundDelta = (x: number): number => Math.round(x * 1e6) / 1e6;

function isCounter(key: string): boolean {
  const name = key.split("{", 1)[0]!;
  return name.endsWith("_total");
}

/** The step's server activity from the scrape before it and the end-of-step record. */
export function serverMetricsDelta(
  before: ServerMetricsScrape,
  after: NonNullable<LoadStepEndEvent["server_metrics"]>,
): ServerMetricsDelta {
  const counters: Record<string, number> = {};
  const gaugesMax: Record<string, number> = {};
  let approximate = false;
  for (const [key, value] of Object.entries(after.values)) {
    if (isCounter(key)) {
      const start = before.values[key] ?? 0;
      counters[key] = roundDelta(value - start);
      if (value >= EXACT_BELOW) approximate = true;
    } else {
      gaugesMax[key] = after.max[key] ?? value;
    }
  }
  let busy: number | null = null;
  const decodesBefore = before.values[DECODES];
  const decodesAfter = after.values[DECODES];
  const busyBefore = before.values[BUSY];
  const busyAfter = after.values[BUSY];
  if (
    decodesBefore !== undefined &&
    decodesAfter !== undefined &&
    busyBefore !== undefined &&
    busyAfter !== undefined &&
    decodesAfter > decodesBefore
  ) {
    // The gauge is (busy slot-decodes so far) / (decodes so far): recover both sums, then diff.
    busy = (busyAfter * decodesAfter - busyBefore * decodesBefore) / (decodesAfter - decodesBefore);
    if (decodesAfter >= EXACT_BELOW) approximate = true;
  }
  return {
    url: after.url,
    counters,
    busy_slots_per_decode: busy,
    gauges_max: gaugesMax,
    scrapes: after.scrapes,
    approximate,
  };
}
