/**
 * A model's list price from the bundled `@pydantic/genai-prices` data, looked up once when a suite
 * is validated: what a projected baseline (`savings: [{baseline: {projected: gpt-4.1}}]`) is
 * priced at. The rates are written into the resolved suite (and so the log), so the summary
 * prices the projection from the log alone, without loading the price data again.
 */
import { calcPrice, findProvider, type ModelPrice } from "@pydantic/genai-prices";
import { pricesDataVersion } from "./prices-version.ts";

/** Rates of a model, USD per million tokens, at the date looked up (base tier when tiered). */
export interface ListPrice {
  /** genai-prices provider and model ids matched. */
  provider_id: string;
  model_id: string;
  input_per_mtok: number;
  output_per_mtok: number;
  /** True when some rate has long-context tiers: the base tier is used. */
  tiered: boolean;
  /** The bundled data's package version (e.g. "0.1.8"); null if unreadable. */
  prices_version: string | null;
  /** When the rates were looked up (ISO date, YYYY-MM-DD). */
  priced_at: string;
}

export type ListPriceLookup =
  | { found: true; price: ListPrice }
  | {
      found: false;
      /** Which input is wrong. */
      field: "provider" | "model";
      /** Why, e.g. "gpt-4.2 is not in the genai-prices 0.1.8 data". */
      reason: string;
      /** Model ids of the provider(s) searched: the caller picks close names for its message. */
      known: string[];
    };

/** Providers whose models are offered as close names when no provider is given. */
const COMMON_PROVIDERS = ["openai", "anthropic", "google", "mistral", "deepseek", "x-ai"] as const;
const PROVIDER_ALIASES: Readonly<Record<string, string>> = { gemini: "google" };

function baseRate(value: ModelPrice[string]): { rate: number | null; tiered: boolean } {
  if (value === undefined) return { rate: null, tiered: false };
  if (typeof value === "number") return { rate: value, tiered: false };
  return { rate: (value as unknown as { base: number }).base, tiered: true };
}

function knownModels(providerId: string | undefined): string[] {
  const ids = providerId ? [providerId] : [...COMMON_PROVIDERS];
  return ids.flatMap((id) => findProvider({ providerId: id })?.models.map((m) => m.id) ?? []);
}

/**
 * Looks up `model`'s list price (`provider` as genai-prices names it; omitted, genai-prices guesses
 * it from the name). Prices are those in force at `at` (default now).
 */
export function lookupListPrice(model: string, provider?: string, at: Date = new Date()): ListPriceLookup {
  const providerId = provider ? (PROVIDER_ALIASES[provider.toLowerCase()] ?? provider) : undefined;
  const version = pricesDataVersion().version;
  const data = `the genai-prices ${version ?? ""} data`.replace("  ", " ");
  if (providerId && !findProvider({ providerId })) {
    return { found: false, field: "provider", reason: `provider "${provider}" is not in ${data}`, known: [] };
  }
  let result: ReturnType<typeof calcPrice>;
  try {
    result = calcPrice({ input_tokens: 1, output_tokens: 1 }, model, {
      ...(providerId ? { providerId } : {}),
      timestamp: at,
    });
  } catch {
    result = null;
  }
  const label = providerId ? `${providerId}:${model}` : model;
  if (result === null) {
    return {
      found: false,
      field: "model",
      reason: `${label} is not in ${data}`,
      known: knownModels(providerId),
    };
  }
  const input = baseRate(result.model_price.input_mtok);
  const output = baseRate(result.model_price.output_mtok);
  if (input.rate === null || output.rate === null) {
    return {
      found: false,
      field: "model",
      reason: `${label} has no per-token input and output price in ${data}`,
      known: knownModels(providerId),
    };
  }
  return {
    found: true,
    price: {
      provider_id: result.provider.id,
      model_id: result.model.id,
      input_per_mtok: input.rate,
      output_per_mtok: output.rate,
      tiered: input.tiered || output.tiered,
      prices_version: version,
      priced_at: at.toISOString().slice(0, 10),
    },
  };
}
