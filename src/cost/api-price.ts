/**
 * Cost of one API call from the maintained `@pydantic/genai-prices` dataset (bundled, offline),
 * with the suite's per-model `price` block taking precedence field by field.
 *
 * - Tokens are priced by their disjoint parts: uncached input, cache reads, cache writes, visible
 *   output, reasoning (see `tokens.ts`). genai-prices prices a part at its own rate when the
 *   model has one and at its parent's rate otherwise (e.g. reasoning at the output rate).
 * - Long-context tiers: genai-prices picks the tier from the call's total input tokens and
 *   applies it to the whole call (Gemini 2.5 Pro: > 200k input tokens → higher input *and*
 *   output rates).
 * - Date-dependent prices are taken at the call's time (`at`), not at report time.
 * - An unknown model, unusable counts or a malformed price is `cost_usd: null` with a warning:
 *   never a silent 0.
 */
import { calcPrice, type ModelPrice, type Provider } from "@pydantic/genai-prices";
import type { PriceConfig } from "../core/model-config.ts";
import { type PricesDataVersion, pricesDataVersion } from "./prices-version.ts";
import {
  canonicalTokens,
  type TokenCounts,
  type TokenPartition,
  toGenaiUsage,
  type UsageConvention,
} from "./tokens.ts";

/** The suite's `price` block: USD per million tokens. */
export type PriceOverride = PriceConfig;

/** Which model was called. */
export interface ApiModelRef {
  /**
   * genai-prices provider id: "openai", "anthropic", "google" ("gemini" is accepted), or any other
   * id it knows ("deepseek", "mistral", "groq", "openrouter" …). Omitted: genai-prices guesses the
   * provider from the model name (fine for `gpt-*`, `claude-*`, `gemini-*`).
   */
  provider?: string | undefined;
  /** Model name as sent to the API (a dated snapshot id works: "claude-sonnet-4-20250514"). */
  model: string;
  /** When the call was made (ISO string or Date); selects date-dependent prices. Default: now. */
  at?: string | Date | undefined;
  /** How `usage` is partitioned (default "canonical", i.e. a record's counts). */
  convention?: UsageConvention | undefined;
}

/** Rates actually applied, USD per million tokens, after tiers and overrides; null = no such rate. */
export interface AppliedRates {
  input_per_mtok: number | null;
  cached_input_per_mtok: number | null;
  cache_write_per_mtok: number | null;
  output_per_mtok: number | null;
  reasoning_per_mtok: number | null;
}

export interface ApiPriceDetails {
  /** genai-prices provider and model ids matched (null when priced from the override alone). */
  provider_id: string | null;
  model_id: string | null;
  rates: AppliedRates;
  /** Start (input tokens) of the long-context tier applied; null = base prices. */
  tier_start_tokens: number | null;
  tokens: TokenPartition;
  input_usd: number;
  output_usd: number;
  prices: PricesDataVersion;
  /** Pricing choices worth knowing (e.g. cached tokens billed at the input rate for want of a cache rate). */
  notes: string[];
}

export interface ApiCallPrice {
  /** Cost in USD; null when it can't be computed (see `warning`). */
  cost_usd: number | null;
  source: "genai-prices" | "suite-override" | "genai-prices+suite-override" | null;
  details: ApiPriceDetails | null;
  warning?: string;
}

/**
 * Which genai-prices model a (provider, model name) matched, as a one-model provider; null when
 * none did. Matching searches every provider's patterns (~10 µs); a run prices the same model
 * thousands of times, so it is done once. Prices are still taken at each call's date.
 */
const matched = new Map<string, Provider | null>();

function datasetPrice(
  usage: Parameters<typeof calcPrice>[0],
  model: string,
  providerId: string | undefined,
  timestamp: Date,
): ReturnType<typeof calcPrice> {
  const key = `${providerId ?? ""}\u0000${model}`;
  const known = matched.get(key);
  if (known === null) return null;
  if (known) return calcPrice(usage, model, { provider: known, timestamp });
  const result = calcPrice(usage, model, { ...(providerId ? { providerId } : {}), timestamp });
  matched.set(key, result ? { ...result.provider, models: [result.model] } : null);
  return result;
}

const PROVIDER_ALIASES: Readonly<Record<string, string>> = { gemini: "google" };

/** Suite price field → genai-prices price key. */
const OVERRIDE_KEYS = {
  input_per_mtok: "input_mtok",
  cached_input_per_mtok: "cache_read_mtok",
  cache_write_per_mtok: "cache_write_mtok",
  output_per_mtok: "output_mtok",
  reasoning_per_mtok: "output_reasoning_mtok",
} as const satisfies Record<keyof PriceOverride, string>;

type Tiered = { base: number; tiers: { start: number; price: number }[] };

function rateAt(
  value: ModelPrice[string],
  inputTokens: number,
): { rate: number | null; tier: number | null } {
  if (value === undefined) return { rate: null, tier: null };
  if (typeof value === "number") return { rate: value, tier: null };
  const tiered = value as unknown as Tiered;
  let rate = tiered.base;
  let tier: number | null = null;
  // Same rule as genai-prices: a tier applies when the total input exceeds its start.
  for (const t of [...tiered.tiers].sort((a, b) => a.start - b.start)) {
    if (inputTokens > t.start) {
      rate = t.price;
      tier = t.start;
    }
  }
  return { rate, tier };
}

function appliedRates(price: ModelPrice, inputTokens: number): { rates: AppliedRates; tier: number | null } {
  let tier: number | null = null;
  const rate = (key: string) => {
    const applied = rateAt(price[key], inputTokens);
    if (applied.tier !== null) tier = Math.max(tier ?? 0, applied.tier);
    return applied.rate;
  };
  return {
    rates: {
      input_per_mtok: rate("input_mtok"),
      cached_input_per_mtok: rate("cache_read_mtok"),
      cache_write_per_mtok: rate("cache_write_mtok"),
      output_per_mtok: rate("output_mtok"),
      reasoning_per_mtok: rate("output_reasoning_mtok"),
    },
    tier,
  };
}

function pricingNotes(rates: AppliedRates, tokens: TokenPartition): string[] {
  const notes: string[] = [];
  if (tokens.cached_input > 0 && rates.cached_input_per_mtok === null)
    notes.push("no cache-read rate: cached input tokens billed at the input rate");
  if (tokens.cache_write_input > 0 && rates.cache_write_per_mtok === null)
    notes.push("no cache-write rate: cache-write tokens billed at the input rate");
  if (tokens.reasoning > 0 && rates.reasoning_per_mtok === null)
    notes.push("reasoning tokens billed at the output rate");
  return notes;
}

function unknown(warning: string): ApiCallPrice {
  return { cost_usd: null, source: null, details: null, warning };
}

function callDate(at: ApiModelRef["at"]): Date {
  if (at === undefined) return new Date();
  const date = at instanceof Date ? at : new Date(at);
  return Number.isNaN(date.getTime()) ? new Date() : date;
}

function overrideEntries(override: PriceOverride | undefined): [string, number][] {
  if (override === undefined) return [];
  return (Object.keys(OVERRIDE_KEYS) as (keyof PriceOverride)[])
    .filter((field) => override[field] !== undefined)
    .map((field) => [OVERRIDE_KEYS[field], override[field]!]);
}

/**
 * Prices one call. `usage` holds the call's token counts (a record's fields, canonical unless
 * `ref.convention` says otherwise); `override` is the model's suite `price` block, whose fields
 * replace the dataset's rates one by one (a model missing from the dataset needs at least
 * `input_per_mtok` and `output_per_mtok`).
 * @returns cost in USD with its source and breakdown, or `cost_usd: null` and a warning
 */
export function priceApiCall(usage: TokenCounts, ref: ApiModelRef, override?: PriceOverride): ApiCallPrice {
  const label = ref.provider ? `${ref.provider}:${ref.model}` : ref.model;
  const counts = toGenaiUsage(canonicalTokens(usage, ref.convention ?? "canonical"));
  if (!counts.ok) return unknown(`cost unknown for ${label}: ${counts.reason}`);

  const timestamp = callDate(ref.at);
  const providerId = ref.provider
    ? (PROVIDER_ALIASES[ref.provider.toLowerCase()] ?? ref.provider)
    : undefined;
  const overrides = overrideEntries(override);
  let dataset: ReturnType<typeof calcPrice>;
  try {
    dataset = datasetPrice(counts.usage, ref.model, providerId, timestamp);
  } catch (error) {
    return unknown(`cost unknown for ${label}: genai-prices rejected the usage: ${(error as Error).message}`);
  }

  if (dataset === null && overrides.length === 0) {
    return unknown(
      `cost unknown for ${label}: not in the genai-prices ${pricesDataVersion().version ?? ""} data; ` +
        "add a `price` block (input_per_mtok, output_per_mtok) to the model in the suite",
    );
  }

  let price: ModelPrice;
  let result = dataset;
  let source: ApiCallPrice["source"] = "genai-prices";
  if (overrides.length > 0) {
    price = { ...(dataset?.model_price ?? {}), ...Object.fromEntries(overrides) };
    if (price.input_mtok === undefined || price.output_mtok === undefined) {
      return unknown(
        `cost unknown for ${label}: not in genai-prices and its suite \`price\` block lacks ` +
          "input_per_mtok or output_per_mtok",
      );
    }
    const provider: Provider = {
      id: "opbench-suite-override",
      name: "suite price override",
      api_pattern: "^$",
      models: [{ id: ref.model, match: { equals: ref.model }, prices: price }],
    };
    try {
      result = calcPrice(counts.usage, ref.model, { provider, timestamp });
    } catch (error) {
      return unknown(
        `cost unknown for ${label}: the price override is unusable: ${(error as Error).message}`,
      );
    }
    source = dataset === null ? "suite-override" : "genai-prices+suite-override";
  } else {
    price = dataset!.model_price;
  }
  if (result === null) return unknown(`cost unknown for ${label}: the price override matched no model`);

  const { rates, tier } = appliedRates(price, counts.usage.input_tokens ?? 0);
  return {
    cost_usd: result.total_price,
    source,
    details: {
      provider_id: dataset?.provider.id ?? null,
      model_id: dataset?.model.id ?? null,
      rates,
      tier_start_tokens: tier,
      tokens: counts.partition,
      input_usd: result.input_price,
      output_usd: result.output_price,
      prices: pricesDataVersion(),
      notes: pricingNotes(rates, counts.partition),
    },
  };
}
