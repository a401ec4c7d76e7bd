/**
 * Token counts and how providers partition them.
 *
 * opbench records store **canonical** counts, the OpenAI convention:
 * - `input_tokens` is the whole prompt, cached reads and cache writes included
 *   (`cached_input_tokens` and `cache_write_input_tokens` are parts of it);
 * - `output_tokens` is everything generated, reasoning included (`reasoning_tokens` is a part of it).
 *
 * Providers report differently, so a runner converts at its boundary with {@link canonicalTokens}:
 * | provider  | prompt field | cached reads / writes | output field | reasoning |
 * |---|---|---|---|---|
 * | OpenAI (and llama.cpp, vLLM, other OpenAI-compatible servers) | `prompt_tokens` **includes** `prompt_tokens_details.cached_tokens` | included | `completion_tokens` **includes** `completion_tokens_details.reasoning_tokens` | included |
 * | Anthropic | `input_tokens` **excludes** `cache_read_input_tokens` and `cache_creation_input_tokens` | added on top | `output_tokens` includes thinking | included |
 * | Gemini | `promptTokenCount` **includes** `cachedContentTokenCount` | included | `candidatesTokenCount` **excludes** `thoughtsTokenCount` | added on top |
 *
 * `@pydantic/genai-prices` wants the same canonical partition (its `input_tokens` is the total,
 * `cache_read_tokens`/`cache_write_tokens` are parts of it), so {@link toGenaiUsage} is a
 * renaming plus checks: adding cached tokens to an OpenAI-style total would bill them twice.
 */
import type { Usage } from "@pydantic/genai-prices";

/** Token counts as a record holds them; null = not reported. */
export interface TokenCounts {
  input_tokens: number | null;
  cached_input_tokens: number | null;
  cache_write_input_tokens: number | null;
  output_tokens: number | null;
  reasoning_tokens: number | null;
}

/** How a provider's usage fields relate (see the module comment). "canonical" = already opbench's. */
export type UsageConvention = "canonical" | "openai" | "anthropic" | "gemini";

/**
 * Converts a provider's raw counts (mapped field by field onto {@link TokenCounts}) to opbench's
 * canonical partition. Anthropic: input += cache reads + cache writes. Gemini: output += thoughts.
 * OpenAI-style counts are already canonical.
 */
export function canonicalTokens(raw: TokenCounts, convention: UsageConvention): TokenCounts {
  switch (convention) {
    case "canonical":
    case "openai":
      return { ...raw };
    case "anthropic":
      return {
        ...raw,
        input_tokens:
          raw.input_tokens === null
            ? null
            : raw.input_tokens + (raw.cached_input_tokens ?? 0) + (raw.cache_write_input_tokens ?? 0),
      };
    case "gemini":
      return {
        ...raw,
        output_tokens: raw.output_tokens === null ? null : raw.output_tokens + (raw.reasoning_tokens ?? 0),
      };
  }
}

/** The canonical counts split into disjoint parts (each ≥ 0), as they are billed. */
export interface TokenPartition {
  /** Prompt tokens neither read from nor written to a cache. */
  uncached_input: number;
  cached_input: number;
  cache_write_input: number;
  /** Output tokens that are not reasoning. */
  visible_output: number;
  reasoning: number;
}

/** A usage object for genai-prices, or why the counts can't be priced. */
export type GenaiUsageResult =
  | { ok: true; usage: Usage; partition: TokenPartition }
  | { ok: false; reason: string };

function isCount(value: number | null): value is number {
  return value !== null && Number.isFinite(value) && value >= 0;
}

/**
 * Canonical counts → genai-prices `Usage` (`input_tokens` total, `cache_read_tokens`,
 * `cache_write_tokens`, `output_tokens` total, `output_reasoning_tokens`), checking that the parts
 * fit inside their totals: a part larger than its total means the counts were not canonical
 * (e.g. Anthropic counts not passed through {@link canonicalTokens}).
 */
export function toGenaiUsage(tokens: TokenCounts): GenaiUsageResult {
  const { input_tokens: input, output_tokens: output } = tokens;
  if (!isCount(input) || !isCount(output)) {
    return { ok: false, reason: "the call has no input/output token counts" };
  }
  const cached = tokens.cached_input_tokens ?? 0;
  const written = tokens.cache_write_input_tokens ?? 0;
  const reasoning = tokens.reasoning_tokens ?? 0;
  for (const [name, value] of [
    ["cached_input_tokens", cached],
    ["cache_write_input_tokens", written],
    ["reasoning_tokens", reasoning],
  ] as const) {
    if (!isCount(value)) return { ok: false, reason: `${name} is not a count: ${value}` };
  }
  if (cached + written > input) {
    return {
      ok: false,
      reason:
        `cached (${cached}) + cache-write (${written}) tokens exceed input_tokens (${input}): ` +
        "input_tokens must be the total prompt (Anthropic counts need canonicalTokens(…, 'anthropic'))",
    };
  }
  if (reasoning > output) {
    return {
      ok: false,
      reason:
        `reasoning_tokens (${reasoning}) exceed output_tokens (${output}): output_tokens must include ` +
        "reasoning (Gemini counts need canonicalTokens(…, 'gemini'))",
    };
  }
  const usage: Usage = { input_tokens: input, output_tokens: output };
  if (cached > 0) usage.cache_read_tokens = cached;
  if (written > 0) usage.cache_write_tokens = written;
  if (reasoning > 0) usage.output_reasoning_tokens = reasoning;
  return {
    ok: true,
    usage,
    partition: {
      uncached_input: input - cached - written,
      cached_input: cached,
      cache_write_input: written,
      visible_output: output - reasoning,
      reasoning,
    },
  };
}
