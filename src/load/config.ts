/**
 * Load settings after merging: built-in defaults < the suite's `load:` section < command-line
 * flags. One pure function; the defaults are a read-only object.
 */

import { parseDuration } from "../core/duration.ts";
import { maskUrl } from "../core/url.ts";
import { type LoadConfig, type LoadMode, SloConfig } from "../suite/load-schema.ts";

/** What a sweep runs. Times in milliseconds. */
export interface ResolvedLoad {
  /** Model id chosen (`--model` or `load.model`); undefined: the suite's first model. */
  model: string | undefined;
  mode: LoadMode;
  /** Concurrency levels in order; null: automatic doubling 1, 2, 4, … up to `maxConcurrency`. */
  concurrency: number[] | null;
  maxConcurrency: number;
  /** Automatic doubling stops once throughput rises by less than this fraction. */
  minGain: number;
  /** Request rates in requests/s (rate mode). */
  rates: number[];
  maxInFlight: number;
  /** Step length in ms; null when the step is bounded by `requests` only. */
  durationMs: number | null;
  /** Measured requests per step; null when bounded by duration only. */
  requests: number | null;
  /** Unmeasured requests at the start of each step. */
  warmup: number;
  slo: SloConfig;
  /** Fraction of a step's calls that must meet the SLO for the step to meet it. */
  attainment: number;
  seed: number;
  /** Output token limit of every load call; undefined: the task's own. */
  maxTokens: number | undefined;
  /** true: scrape llama.cpp models' /metrics; false: off; a string: this /metrics URL. */
  serverMetrics: boolean | string;
  /** Scrape interval during a step, ms; 0: before and after only. */
  metricsIntervalMs: number;
}

export const LOAD_DEFAULTS = Object.freeze({
  mode: "concurrency" as LoadMode,
  maxConcurrency: 64,
  minGain: 0.05,
  maxInFlight: 256,
  durationMs: 20_000,
  warmup: 0,
  attainment: 0.9,
  seed: 1,
  metricsIntervalMs: 1_000,
});

/** Command-line flags of `opbench load`, as given (strings are parsed here). */
export interface LoadFlags {
  model?: string | undefined;
  mode?: string | undefined;
  /** "1,2,4,8" */
  concurrency?: string | undefined;
  /** "1,2.5,5" requests/s */
  rates?: string | undefined;
  /** "20s", "500ms", or seconds */
  duration?: string | undefined;
  requests?: number | undefined;
  warmup?: number | undefined;
  /** "ttft_ms=500,tpot_ms=50" */
  slo?: string | undefined;
  attainment?: number | undefined;
  maxConcurrency?: number | undefined;
  minGain?: number | undefined;
  maxInFlight?: number | undefined;
  seed?: number | undefined;
  maxTokens?: number | undefined;
  serverMetrics?: boolean | undefined;
}

/** A problem with the load settings: the CLI prints it and exits with code 2. */
export class LoadConfigError extends Error {
  override name = "LoadConfigError";
}

/** Parses "1,2,4" into numbers; `integer` demands positive integers. */
export function parseNumberList(flag: string, text: string, integer: boolean): number[] {
  const parts = text.split(",").map((part) => part.trim());
  const values = parts.map(Number);
  const bad = parts.find((part, i) => {
    const value = values[i]!;
    return part === "" || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value));
  });
  if (bad !== undefined) {
    const kind = integer ? "positive integers" : "positive numbers";
    throw new LoadConfigError(
      `--${flag} takes comma-separated ${kind}, e.g. 1,2,4; got ${JSON.stringify(text)}`,
    );
  }
  return values;
}

/** Parses "ttft_ms=500,tpot_ms=50,e2e_ms=2000" (milliseconds) into an SLO. */
export function parseSlo(text: string): SloConfig {
  const slo: Record<string, number> = {};
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [key, value, ...rest] = part.split("=");
    if (key === undefined || value === undefined || rest.length > 0) {
      throw new LoadConfigError(
        `--slo: expected key=value pairs such as ttft_ms=500, got ${JSON.stringify(part)}`,
      );
    }
    slo[key.trim()] = Number(value);
  }
  const parsed = SloConfig.safeParse(slo);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join(".") || issue.code;
    throw new LoadConfigError(
      `--slo: ${where}: ${issue.message} (keys: ttft_ms, tpot_ms, e2e_ms; values in ms, positive)`,
    );
  }
  return parsed.data;
}

function mode(text: string | undefined): LoadMode | undefined {
  if (text === undefined) return undefined;
  if (text === "concurrency" || text === "rate") return text;
  throw new LoadConfigError(`--mode must be concurrency or rate, got ${JSON.stringify(text)}`);
}

function positiveInt(flag: string, value: number | undefined, allowZero = false): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new LoadConfigError(
      `--${flag} must be a ${allowZero ? "non-negative" : "positive"} integer, got ${value}`,
    );
  }
  return value;
}

function durationFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text;
  try {
    const ms = parseDuration(value);
    if (ms > 0) return ms;
  } catch {
    // reported below
  }
  throw new LoadConfigError(
    `--duration must be a positive duration such as 20s, 500ms or 2m; got ${JSON.stringify(text)}`,
  );
}

/**
 * Merges defaults < `section` (the suite's `load:`) < `flags`. Throws LoadConfigError for
 * invalid flags or a combination that cannot run (rate mode without rates).
 */
export function resolveLoad(section: LoadConfig | undefined, flags: LoadFlags = {}): ResolvedLoad {
  const s = section ?? {};
  const concurrency =
    flags.concurrency !== undefined ? parseNumberList("concurrency", flags.concurrency, true) : s.concurrency;
  const rates = flags.rates !== undefined ? parseNumberList("rates", flags.rates, false) : s.rates;
  // Rates given on the command line without a mode mean a rate sweep.
  const chosenMode =
    mode(flags.mode) ??
    (flags.rates !== undefined && flags.concurrency === undefined ? "rate" : s.mode) ??
    LOAD_DEFAULTS.mode;
  if (chosenMode === "rate" && (rates === undefined || rates.length === 0)) {
    throw new LoadConfigError("rate mode needs request rates: --rates 1,2,5 or `load.rates` in the suite");
  }
  const minGain = flags.minGain ?? s.min_gain ?? LOAD_DEFAULTS.minGain;
  if (!(minGain >= 0)) throw new LoadConfigError(`--min-gain must be ≥ 0, got ${minGain}`);
  const attainment = flags.attainment ?? s.attainment ?? LOAD_DEFAULTS.attainment;
  if (!(attainment > 0 && attainment <= 1)) {
    throw new LoadConfigError(`--attainment must be in (0, 1], got ${attainment}`);
  }
  const requests = positiveInt("requests", flags.requests) ?? s.requests ?? null;
  const flagDuration = durationFlag(flags.duration);
  const sectionDuration = s.duration !== undefined ? parseDuration(s.duration) : undefined;
  const durationMs = flagDuration ?? sectionDuration ?? (requests === null ? LOAD_DEFAULTS.durationMs : null);
  const interval = s.metrics_interval;
  return {
    model: flags.model ?? s.model,
    mode: chosenMode,
    concurrency: concurrency ?? null,
    maxConcurrency:
      positiveInt("max-concurrency", flags.maxConcurrency) ??
      s.max_concurrency ??
      LOAD_DEFAULTS.maxConcurrency,
    minGain,
    rates: rates ?? [],
    maxInFlight:
      positiveInt("max-in-flight", flags.maxInFlight) ?? s.max_in_flight ?? LOAD_DEFAULTS.maxInFlight,
    durationMs,
    requests,
    warmup: positiveInt("warmup", flags.warmup, true) ?? s.warmup ?? LOAD_DEFAULTS.warmup,
    slo: flags.slo !== undefined ? parseSlo(flags.slo) : (s.slo ?? {}),
    attainment,
    seed: flags.seed ?? s.seed ?? LOAD_DEFAULTS.seed,
    maxTokens: positiveInt("max-tokens", flags.maxTokens) ?? s.max_tokens,
    serverMetrics: flags.serverMetrics ?? s.server_metrics ?? true,
    metricsIntervalMs: interval === undefined ? LOAD_DEFAULTS.metricsIntervalMs : parseDuration(interval),
  };
}

/** The resolved settings as the log and load.json record them (snake_case, units in names). */
export function describeLoad(load: ResolvedLoad): Record<string, unknown> {
  return {
    model: load.model ?? null,
    mode: load.mode,
    concurrency: load.concurrency ?? "auto",
    max_concurrency: load.maxConcurrency,
    min_gain: load.minGain,
    rates_per_s: load.rates,
    max_in_flight: load.maxInFlight,
    duration_ms: load.durationMs,
    requests: load.requests,
    warmup: load.warmup,
    slo: load.slo,
    attainment: load.attainment,
    seed: load.seed,
    max_tokens: load.maxTokens ?? null,
    server_metrics: typeof load.serverMetrics === "string" ? maskUrl(load.serverMetrics) : load.serverMetrics,
    metrics_interval_ms: load.metricsIntervalMs,
  };
}
