import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { priceApiCall } from "../../src/cost/api-price.ts";
import { pricesDataVersion } from "../../src/cost/prices-version.ts";
import type { TokenCounts } from "../../src/cost/tokens.ts";

// Rates below are those of the bundled @pydantic/genai-prices data (USD per million tokens);
// each expected cost is worked out by hand in the comment above it.
const counts = (partial: Partial<TokenCounts>): TokenCounts => ({
  input_tokens: null,
  cached_input_tokens: null,
  cache_write_input_tokens: null,
  output_tokens: null,
  reasoning_tokens: null,
  ...partial,
});

describe("priceApiCall: OpenAI", () => {
  it("bills cached tokens at the cache rate and the rest at the input rate, once", () => {
    // gpt-4o: input 2.5, cache read 1.25, output 10.
    // 10,000 prompt tokens of which 4,000 cached; 500 output of which 200 reasoning:
    // 6,000×2.5 + 4,000×1.25 + 500×10 = 15,000 + 5,000 + 5,000 = 25,000 µ$ = $0.025
    const price = priceApiCall(
      counts({ input_tokens: 10_000, cached_input_tokens: 4_000, output_tokens: 500, reasoning_tokens: 200 }),
      { provider: "openai", model: "gpt-4o" },
    );
    expect(price.warning).toBeUndefined();
    expect(price.source).toBe("genai-prices");
    expect(price.cost_usd).toBeCloseTo(0.025, 12);
    expect(price.details).toMatchObject({
      provider_id: "openai",
      model_id: "gpt-4o",
      rates: {
        input_per_mtok: 2.5,
        cached_input_per_mtok: 1.25,
        output_per_mtok: 10,
        reasoning_per_mtok: null,
      },
      tier_start_tokens: null,
      tokens: { uncached_input: 6_000, cached_input: 4_000, visible_output: 300, reasoning: 200 },
    });
    expect(price.details?.input_usd).toBeCloseTo(0.02, 12);
    expect(price.details?.output_usd).toBeCloseTo(0.005, 12);
    expect(price.details?.notes).toEqual(["reasoning tokens billed at the output rate"]);
  });

  it("guesses the provider from the model name when none is given", () => {
    // gpt-4o-mini: 1,000 × 0.15 + 100 × 0.6 = 210 µ$
    const price = priceApiCall(counts({ input_tokens: 1_000, output_tokens: 100 }), { model: "gpt-4o-mini" });
    expect(price.cost_usd).toBeCloseTo(0.00021, 12);
  });

  it("uses the price in force on the call's date", () => {
    // o3: 10 / 40 before 2025-06-10, then 2 / 8. 1,000 in + 100 out. The second call reuses the
    // model match the first made (matched once per model), yet still takes the price of its date:
    // before: 10,000 + 4,000 = $0.014; after: 2,000 + 800 = $0.0028
    const usage = counts({ input_tokens: 1_000, output_tokens: 100 });
    expect(
      priceApiCall(usage, { provider: "openai", model: "o3", at: "2025-05-01T00:00:00Z" }).cost_usd,
    ).toBeCloseTo(0.014, 12);
    expect(
      priceApiCall(usage, { provider: "openai", model: "o3", at: new Date("2025-07-01T00:00:00Z") }).cost_usd,
    ).toBeCloseTo(0.0028, 12);
  });
});

describe("priceApiCall: Anthropic", () => {
  // claude-sonnet-4: input 3, cache write 3.75, cache read 0.3, output 15.
  // Raw usage {input_tokens: 1,000, cache_read_input_tokens: 20,000, cache_creation_input_tokens: 5,000,
  // output_tokens: 800}: 1,000×3 + 20,000×0.3 + 5,000×3.75 + 800×15 = 3,000 + 6,000 + 18,750 + 12,000 µ$
  const raw = counts({
    input_tokens: 1_000,
    cached_input_tokens: 20_000,
    cache_write_input_tokens: 5_000,
    output_tokens: 800,
  });

  it("prices raw Anthropic counts through the anthropic convention", () => {
    const price = priceApiCall(raw, {
      provider: "anthropic",
      model: "claude-sonnet-4-20250514",
      convention: "anthropic",
    });
    expect(price.cost_usd).toBeCloseTo(0.03975, 12);
    expect(price.details?.tokens).toEqual({
      uncached_input: 1_000,
      cached_input: 20_000,
      cache_write_input: 5_000,
      visible_output: 800,
      reasoning: 0,
    });
  });

  it("gives the same cost for the same call recorded canonically", () => {
    const canonical = { ...raw, input_tokens: 26_000 };
    const price = priceApiCall(canonical, { provider: "anthropic", model: "claude-sonnet-4-20250514" });
    expect(price.cost_usd).toBeCloseTo(0.03975, 12);
  });

  it("refuses raw Anthropic counts passed as canonical instead of mispricing them", () => {
    const price = priceApiCall(raw, { provider: "anthropic", model: "claude-sonnet-4-20250514" });
    expect(price.cost_usd).toBeNull();
    expect(price.warning).toMatch(/exceed input_tokens/);
  });
});

describe("priceApiCall: Gemini long-context tiers", () => {
  // gemini-2.5-pro: ≤ 200k input tokens: input 1.25, cache read 0.125, output 10;
  //                 > 200k: input 2.5, cache read 0.25, output 15 — for the whole call.
  it("applies the upper tier to the whole call above 200k input tokens", () => {
    // promptTokenCount 250,000 (50,000 cached), candidates 1,000, thoughts 3,000 → output 4,000:
    // 200,000×2.5 + 50,000×0.25 + 4,000×15 = 500,000 + 12,500 + 60,000 µ$ = $0.5725
    const price = priceApiCall(
      counts({
        input_tokens: 250_000,
        cached_input_tokens: 50_000,
        output_tokens: 1_000,
        reasoning_tokens: 3_000,
      }),
      { provider: "gemini", model: "gemini-2.5-pro", convention: "gemini" },
    );
    expect(price.cost_usd).toBeCloseTo(0.5725, 12);
    expect(price.details).toMatchObject({
      provider_id: "google",
      tier_start_tokens: 200_000,
      rates: { input_per_mtok: 2.5, cached_input_per_mtok: 0.25, output_per_mtok: 15 },
    });
  });

  it("keeps base prices at exactly 200k input tokens", () => {
    // 200,000×1.25 + 1,000×10 = 260,000 µ$
    const price = priceApiCall(counts({ input_tokens: 200_000, output_tokens: 1_000 }), {
      provider: "google",
      model: "gemini-2.5-pro",
    });
    expect(price.cost_usd).toBeCloseTo(0.26, 12);
    expect(price.details?.tier_start_tokens).toBeNull();
  });
});

describe("priceApiCall: unknown models and overrides", () => {
  it("says cost unknown, never 0, for a model the dataset lacks", () => {
    const price = priceApiCall(counts({ input_tokens: 10, output_tokens: 10 }), {
      provider: "openai",
      model: "my-private-finetune",
    });
    expect(price).toMatchObject({ cost_usd: null, source: null, details: null });
    expect(price.warning).toMatch(/cost unknown for openai:my-private-finetune.*price/);
  });

  it("prices an unknown model from a complete suite override", () => {
    // 1,000,000 × $1 + 500,000 × $2 = $2
    const price = priceApiCall(
      counts({ input_tokens: 1_000_000, output_tokens: 500_000 }),
      { provider: "openai", model: "my-private-finetune" },
      { input_per_mtok: 1, output_per_mtok: 2 },
    );
    expect(price.source).toBe("suite-override");
    expect(price.cost_usd).toBeCloseTo(2, 12);
    expect(price.details?.model_id).toBeNull();
  });

  it("refuses an incomplete override for an unknown model", () => {
    const price = priceApiCall(
      counts({ input_tokens: 10, output_tokens: 10 }),
      { model: "nobody-knows-me" },
      { input_per_mtok: 1 },
    );
    expect(price.cost_usd).toBeNull();
    expect(price.warning).toMatch(/output_per_mtok/);
  });

  it("notes cached tokens billed at the input rate when the override has no cache rate", () => {
    // 1,000 prompt (400 cached) at $1 + 0 output = 1,000 µ$
    const price = priceApiCall(
      counts({ input_tokens: 1_000, cached_input_tokens: 400, output_tokens: 0 }),
      { model: "nobody-knows-me" },
      { input_per_mtok: 1, output_per_mtok: 2 },
    );
    expect(price.cost_usd).toBeCloseTo(0.001, 12);
    expect(price.details?.notes).toContain(
      "no cache-read rate: cached input tokens billed at the input rate",
    );
  });

  it("lets override fields replace dataset rates one by one", () => {
    // gpt-4o with output at $20: 6,000×2.5 + 4,000×1.25 + 500×20 = 15,000 + 5,000 + 10,000 µ$
    const price = priceApiCall(
      counts({ input_tokens: 10_000, cached_input_tokens: 4_000, output_tokens: 500 }),
      { provider: "openai", model: "gpt-4o" },
      { output_per_mtok: 20 },
    );
    expect(price.source).toBe("genai-prices+suite-override");
    expect(price.cost_usd).toBeCloseTo(0.03, 12);
    expect(price.details?.rates).toMatchObject({
      input_per_mtok: 2.5,
      cached_input_per_mtok: 1.25,
      output_per_mtok: 20,
    });
  });

  it("prices reasoning at its own override rate, the rest of the output at the output rate", () => {
    // o3 (2 / 8) with reasoning at $16: 1,000×2 + 100×8 + 400×16 = 2,000 + 800 + 6,400 µ$
    const price = priceApiCall(
      counts({ input_tokens: 1_000, output_tokens: 500, reasoning_tokens: 400 }),
      { provider: "openai", model: "o3", at: "2025-07-01T00:00:00Z" },
      { reasoning_per_mtok: 16 },
    );
    expect(price.cost_usd).toBeCloseTo(0.0092, 12);
  });

  it("says cost unknown when the call has no token counts", () => {
    const price = priceApiCall(counts({}), { provider: "openai", model: "gpt-4o" });
    expect(price.cost_usd).toBeNull();
    expect(price.warning).toMatch(/no input\/output token counts/);
  });

  it("records the bundled price data's version", () => {
    const manifest = JSON.parse(
      readFileSync(
        new URL("../../node_modules/@pydantic/genai-prices/package.json", import.meta.url),
        "utf8",
      ),
    ) as { version: string };
    expect(pricesDataVersion()).toEqual({
      package: "@pydantic/genai-prices",
      version: manifest.version,
      data: "bundled",
      source: "https://github.com/pydantic/genai-prices",
    });
    const price = priceApiCall(counts({ input_tokens: 1, output_tokens: 1 }), { model: "gpt-4o" });
    expect(price.details?.prices.version).toBe(manifest.version);
  });
});
