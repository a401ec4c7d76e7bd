import { describe, expect, it } from "vitest";
import {
  DEFAULT_ESTIMATE_MAP,
  findPublishedEstimate,
  PUBLISHED_ESTIMATES,
  publishedCallEnergy,
} from "../../src/energy/published-estimates.ts";

describe("published estimates data", () => {
  it("has ordered bands, dated sources and mappings that resolve", () => {
    for (const e of PUBLISHED_ESTIMATES) {
      expect(e.low_wh).toBeGreaterThan(0);
      expect(e.low_wh).toBeLessThanOrEqual(e.central_wh);
      expect(e.central_wh).toBeLessThanOrEqual(e.high_wh);
      expect(e.source.url).toMatch(/^https:\/\//);
      expect(e.source.date).toMatch(/^\d{4}-\d{2}/);
      expect(e.boundary.length).toBeGreaterThan(20);
      expect(e.band_basis.length).toBeGreaterThan(20);
    }
    for (const m of DEFAULT_ESTIMATE_MAP)
      expect(PUBLISHED_ESTIMATES.some((e) => e.id === m.estimate)).toBe(true);
  });
});

describe("findPublishedEstimate", () => {
  it("maps model families, specific patterns first", () => {
    const id = (model: string) => {
      const match = findPublishedEstimate(model);
      return match.found ? `${match.estimate.id}${match.proxy ? " (proxy)" : ""}` : null;
    };
    expect(id("gpt-4o-2024-08-06")).toBe("epoch-2025-gpt-4o");
    expect(id("gpt-4o-mini")).toBe("epoch-2025-small-model");
    expect(id("GPT-4.1-nano")).toBe("epoch-2025-small-model (proxy)");
    expect(id("gpt-4.1")).toBe("epoch-2025-gpt-4o (proxy)");
    expect(id("o3-2025-04-16")).toBe("epoch-2025-gpt-4o (proxy)");
    expect(id("claude-3-5-haiku-20241022")).toBe("epoch-2025-small-model (proxy)");
    expect(id("claude-sonnet-4-20250514")).toBe("epoch-2025-gpt-4o (proxy)");
    expect(id("gemini-2.5-flash")).toBe("google-2025-gemini-apps-median (proxy)");
    expect(id("llama-3.1-8b-instruct")).toBeNull();
  });

  it("lets suite overrides come first, by id or with their own figures", () => {
    const byId = findPublishedEstimate("my-gpt", [
      { pattern: "my-*", estimate: "openai-2025-chatgpt-average", proxy: true },
    ]);
    expect(byId.found && byId.estimate.central_wh).toBe(0.34);
    const own = findPublishedEstimate("gpt-4o", [
      {
        pattern: "gpt-4o",
        proxy: false,
        estimate: {
          id: "in-house",
          basis: "per_query",
          low_wh: 1,
          central_wh: 2,
          high_wh: 3,
          source: { title: "t", publisher: "p", url: "https://example.org", date: "2026-01" },
          boundary: "b",
          band_basis: "x",
        },
      },
    ]);
    expect(own.found && own.estimate.id).toBe("in-house");
    const broken = findPublishedEstimate("x", [{ pattern: "*", estimate: "no-such-estimate", proxy: false }]);
    expect(broken).toEqual({ found: false, reason: "pattern * names unknown estimate no-such-estimate" });
  });
});

describe("publishedCallEnergy", () => {
  it("scales per-token estimates by output tokens, reasoning included", () => {
    // Epoch GPT-4o: 0.301 Wh per 500 output tokens. 500 tokens → 0.301 Wh = 1,083.6 J;
    // low ÷3 = 361.2 J; high 1.304 Wh = 4,694.4 J.
    const e = publishedCallEnergy("gpt-4o", 500);
    expect(e.energy_source).toBe("published-estimate");
    expect(e.energy_j).toBeCloseTo(1083.6, 9);
    expect(e.low_j).toBeCloseTo(361.2, 9);
    expect(e.high_j).toBeCloseTo(4694.4, 9);
    expect(e.proxy).toBe(false);
    // o3 with 2,000 output tokens (mostly reasoning): 4 × 1,083.6 J
    expect(publishedCallEnergy("o3", 2000).energy_j).toBeCloseTo(4334.4, 9);
  });

  it("uses per-query estimates whatever the call's size", () => {
    // Google: 0.24 Wh = 864 J; low 0.10 Wh = 360 J; high 0.72 Wh = 2,592 J
    for (const tokens of [1, 5000, null]) {
      const e = publishedCallEnergy("gemini-2.5-pro", tokens);
      expect(e.energy_j).toBeCloseTo(864, 9);
      expect(e.low_j).toBeCloseTo(360, 9);
      expect(e.high_j).toBeCloseTo(2592, 9);
    }
  });

  it("says energy unknown, never 0, when it can't estimate", () => {
    const unknownModel = publishedCallEnergy("mistral-large-latest", 100);
    expect(unknownModel).toMatchObject({ energy_j: null, estimate_id: null });
    expect(unknownModel.warning).toMatch(/no published energy estimate for mistral-large-latest/);
    const noTokens = publishedCallEnergy("gpt-4o", null);
    expect(noTokens).toMatchObject({ energy_j: null, estimate_id: "epoch-2025-gpt-4o" });
    expect(noTokens.warning).toMatch(/per output token/);
  });
});
