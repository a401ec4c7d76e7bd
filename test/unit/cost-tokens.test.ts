import { describe, expect, it } from "vitest";
import { canonicalTokens, type TokenCounts, toGenaiUsage } from "../../src/cost/tokens.ts";

const counts = (partial: Partial<TokenCounts>): TokenCounts => ({
  input_tokens: null,
  cached_input_tokens: null,
  cache_write_input_tokens: null,
  output_tokens: null,
  reasoning_tokens: null,
  ...partial,
});

describe("canonicalTokens", () => {
  it("leaves OpenAI-style counts alone: prompt_tokens already includes cached_tokens", () => {
    const raw = counts({
      input_tokens: 1000,
      cached_input_tokens: 600,
      output_tokens: 50,
      reasoning_tokens: 20,
    });
    expect(canonicalTokens(raw, "openai")).toEqual(raw);
  });

  it("adds Anthropic cache reads and writes to input_tokens, which excludes them", () => {
    // usage {input_tokens: 100, cache_read_input_tokens: 2000, cache_creation_input_tokens: 300}
    const raw = counts({
      input_tokens: 100,
      cached_input_tokens: 2000,
      cache_write_input_tokens: 300,
      output_tokens: 40,
    });
    expect(canonicalTokens(raw, "anthropic")).toMatchObject({
      input_tokens: 2400,
      cached_input_tokens: 2000,
      cache_write_input_tokens: 300,
      output_tokens: 40,
    });
  });

  it("adds Gemini thoughts to the output, which excludes them; input already includes cached", () => {
    // usageMetadata {promptTokenCount: 500, cachedContentTokenCount: 200, candidatesTokenCount: 30, thoughtsTokenCount: 70}
    const raw = counts({
      input_tokens: 500,
      cached_input_tokens: 200,
      output_tokens: 30,
      reasoning_tokens: 70,
    });
    expect(canonicalTokens(raw, "gemini")).toMatchObject({
      input_tokens: 500,
      output_tokens: 100,
      reasoning_tokens: 70,
    });
  });

  it("keeps unknown totals unknown", () => {
    expect(canonicalTokens(counts({ cached_input_tokens: 5 }), "anthropic").input_tokens).toBeNull();
    expect(canonicalTokens(counts({ reasoning_tokens: 5 }), "gemini").output_tokens).toBeNull();
  });
});

describe("toGenaiUsage", () => {
  it("passes totals as totals and parts as parts (no double counting)", () => {
    const result = toGenaiUsage(
      counts({
        input_tokens: 2400,
        cached_input_tokens: 2000,
        cache_write_input_tokens: 300,
        output_tokens: 100,
        reasoning_tokens: 70,
      }),
    );
    expect(result).toEqual({
      ok: true,
      usage: {
        input_tokens: 2400,
        cache_read_tokens: 2000,
        cache_write_tokens: 300,
        output_tokens: 100,
        output_reasoning_tokens: 70,
      },
      partition: {
        uncached_input: 100,
        cached_input: 2000,
        cache_write_input: 300,
        visible_output: 30,
        reasoning: 70,
      },
    });
  });

  it("omits zero parts", () => {
    const result = toGenaiUsage(counts({ input_tokens: 10, output_tokens: 2, cached_input_tokens: 0 }));
    expect(result.ok && result.usage).toEqual({ input_tokens: 10, output_tokens: 2 });
  });

  it("rejects parts larger than their totals, naming the convention to fix", () => {
    const anthropicRaw = toGenaiUsage(
      counts({ input_tokens: 100, cached_input_tokens: 2000, output_tokens: 1 }),
    );
    expect(anthropicRaw).toMatchObject({ ok: false });
    expect(!anthropicRaw.ok && anthropicRaw.reason).toMatch(/anthropic/);
    const geminiRaw = toGenaiUsage(counts({ input_tokens: 100, output_tokens: 30, reasoning_tokens: 70 }));
    expect(!geminiRaw.ok && geminiRaw.reason).toMatch(/gemini/);
  });

  it("rejects missing or invalid totals", () => {
    expect(toGenaiUsage(counts({ output_tokens: 3 })).ok).toBe(false);
    expect(toGenaiUsage(counts({ input_tokens: -1, output_tokens: 3 })).ok).toBe(false);
    expect(toGenaiUsage(counts({ input_tokens: 5, output_tokens: 3, reasoning_tokens: Number.NaN })).ok).toBe(
      false,
    );
  });
});
