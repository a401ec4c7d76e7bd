/**
 * The suite's `load:` section: defaults for `opbench load` (a concurrency or request-rate sweep
 * against one model). Every field is optional; command-line flags override them.
 */
import { z } from "zod";
import { Duration } from "../core/config-schema.ts";

/** Latency objectives a call must meet to count towards goodput; all in milliseconds, `≤`. */
export const SloConfig = z
  .strictObject({
    ttft_ms: z
      .number()
      .positive()
      .optional()
      .describe("Time to first token, ms (measured from the intended send time)"),
    tpot_ms: z.number().positive().optional().describe("Time per output token after the first, ms"),
    e2e_ms: z
      .number()
      .positive()
      .optional()
      .describe("End-to-end latency, ms (measured from the intended send time)"),
  })
  .describe("Service-level objectives: a call meets them when every one given holds (errors never do)");
export type SloConfig = z.infer<typeof SloConfig>;

export const LOAD_MODES = ["concurrency", "rate"] as const;
export type LoadMode = (typeof LOAD_MODES)[number];

export const LoadConfig = z.strictObject({
  model: z.string().optional().describe("Model id to load (default: the suite's first model)"),
  mode: z
    .enum(LOAD_MODES)
    .optional()
    .describe(
      "concurrency: closed loop with N callers; rate: open loop, Poisson arrivals (default concurrency)",
    ),
  concurrency: z
    .array(z.number().int().positive())
    .min(1)
    .optional()
    .describe("Concurrency levels, run in this order (default: 1, 2, 4, … until throughput stops rising)"),
  max_concurrency: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("Highest level of the automatic doubling (default 64)"),
  min_gain: z
    .number()
    .nonnegative()
    .optional()
    .describe("Automatic doubling stops when throughput rises by less than this fraction (default 0.05)"),
  rates: z
    .array(z.number().positive())
    .min(1)
    .optional()
    .describe("Request rates in requests/s, run in this order (rate mode)"),
  max_in_flight: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("Rate mode: most calls in flight; arrivals beyond it are not sent and counted (default 256)"),
  duration: Duration.optional().describe(
    "Measuring time of each step, after its warm-up (default 20s unless `requests` is given)",
  ),
  requests: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("Measured requests per step (with duration: whichever ends first)"),
  warmup: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe("Unmeasured requests at the start of each step (default 0)"),
  slo: SloConfig.optional(),
  attainment: z
    .number()
    .gt(0)
    .max(1)
    .optional()
    .describe("Fraction of calls that must meet the SLO for a step to count as meeting it (default 0.9)"),
  seed: z.number().int().optional().describe("Seed of the Poisson arrival times (default 1)"),
  max_tokens: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("Output token limit of load calls (default: the task's)"),
  server_metrics: z
    .union([z.boolean(), z.url()])
    .optional()
    .describe(
      "Scrape llama-server /metrics around each step: true (default, llama.cpp models), false, or a /metrics URL",
    ),
  metrics_interval: z
    .union([Duration, z.literal(0)])
    .optional()
    .describe(
      "Also scrape /metrics this often during a step, for peak gauges (default 1s; 0: before and after only)",
    ),
});
export type LoadConfig = z.infer<typeof LoadConfig>;
