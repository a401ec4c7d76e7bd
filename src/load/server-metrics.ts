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
import { type PrometheusSample, parsePrometheusText } from "../core/prometheus.ts";
import type { LoadStepEndEvent, ServerMetricsScrape } from "../core/records.ts";
import { credentialedGet, maskUrl } from "../core/url.ts";

/** Time allowed for one scrape, in milliseconds. */
const SCRAPE_TIMEOUT_MS = 5_000;

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
  const target = credentialedGet(url, "text/plain");
  const response = await request(target.url, {
    method: "GET",
    headers: target.headers,
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    reset: true,
  });
  const text = await response.body.text();
  if (response.statusCode !== 200) {
    throw new Error(
      `GET ${maskUrl(url)} answered HTTP ${response.statusCode}: ${text.replace(/\s+/g, " ").slice(0, 200)}`,
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

export { type ServerMetricsDelta, serverMetricsDelta } from "./server-metrics-delta.ts";
