/**
 * What a load step did to llama-server's /metrics counters: a pure function of two scrapes, apart
 * from the scraping itself so summaries load no HTTP client.
 */

import type { LoadStepEndEvent, ServerMetricsScrape } from "../core/records.ts";
import { maskUrl } from "../core/url.ts";

/** Values at or above this lose digits in llama-server's output (6 significant digits). */
const EXACT_BELOW = 1e6;

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
    url: maskUrl(after.url),
    counters,
    busy_slots_per_decode: busy,
    gauges_max: gaugesMax,
    scrapes: after.scrapes,
    approximate,
  };
}
