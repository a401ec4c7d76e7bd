import { describe, expect, it } from "vitest";
import { attributeSeries, attributeWindow, callTokens } from "../../src/energy/attribution.ts";

describe("callTokens", () => {
  it("counts uncached prompt tokens plus output tokens", () => {
    expect(callTokens({ input_tokens: 1000, cached_input_tokens: 600, output_tokens: 50 })).toBe(450);
    expect(callTokens({ input_tokens: 10, cached_input_tokens: null, output_tokens: 5 })).toBe(15);
    expect(callTokens({ input_tokens: null, cached_input_tokens: null, output_tokens: 5 })).toBeNull();
  });
});

describe("attributeWindow", () => {
  it("shares a window's energy by tokens", () => {
    // 100 J; weights 30 : 10 : unknown → 75, 25, 0
    const shares = attributeWindow(100, [
      { id: "a", startMs: 0, endMs: 10, tokens: 30 },
      { id: "b", startMs: 0, endMs: 10, tokens: 10 },
      { id: "c", startMs: 0, endMs: 10, tokens: null },
    ]);
    expect(shares).toEqual([
      { id: "a", joules: 75, net_joules: null },
      { id: "b", joules: 25, net_joules: null },
      { id: "c", joules: 0, net_joules: null },
    ]);
  });

  it("falls back to durations when no call has tokens", () => {
    // 90 J over durations 1 s and 2 s → 30, 60
    const shares = attributeWindow(90, [
      { id: "a", startMs: 0, endMs: 1000, tokens: null },
      { id: "b", startMs: 0, endMs: 2000, tokens: 0 },
    ]);
    expect(shares.map((s) => s.joules)).toEqual([30, 60]);
  });
});

describe("attributeSeries", () => {
  // 100 W for the first second, 200 W for the next: cumulative 0, 100, 300 J.
  const series = [
    { t: 0, joules: 0 },
    { t: 1000, joules: 100 },
    { t: 2000, joules: 300 },
  ];
  // A runs 0–2 s with 200 tokens (0.1 token/ms); B runs 1.0–1.5 s with 100 tokens (0.2 token/ms);
  // C runs after the series ends.
  const calls = [
    { id: "A", startMs: 0, endMs: 2000, tokens: 200 },
    { id: "B", startMs: 1000, endMs: 1500, tokens: 100 },
    { id: "C", startMs: 2500, endMs: 3000, tokens: 50 },
  ];

  it("shares each piece by the token rates of the calls in flight", () => {
    // [0,1]: 100 J, A alone → A 100
    // [1,1.5]: 100 J, A:B = 0.1:0.2 → A 33.3, B 66.7
    // [1.5,2]: 100 J, A alone → A 100
    const result = attributeSeries(series, calls);
    const byId = Object.fromEntries(result.calls.map((c) => [c.id, c]));
    expect(byId.A!.joules).toBeCloseTo(233.3333333333, 9);
    expect(byId.B!.joules).toBeCloseTo(66.6666666667, 9);
    expect(byId.C!.joules).toBe(0);
    expect(byId.A!.net_joules).toBeNull();
    expect(result.total_j).toBe(300);
    expect(result.unattributed_j).toBe(0);
  });

  it("shares the net of idle power the same way", () => {
    // idle 50 W: pieces' net 50, 75, 75 J → A 50 + 25 + 75 = 150, B 50
    const result = attributeSeries(series, calls, 50);
    const byId = Object.fromEntries(result.calls.map((c) => [c.id, c]));
    expect(byId.A!.net_joules).toBeCloseTo(150, 9);
    expect(byId.B!.net_joules).toBeCloseTo(50, 9);
    // Gross is unchanged by the idle figure.
    expect(byId.A!.joules).toBeCloseTo(233.3333333333, 9);
  });

  it("leaves energy with no call in flight unattributed", () => {
    // 100 W throughout 0–3 s; one call during the first second.
    const flat = [0, 1000, 2000, 3000].map((t) => ({ t, joules: t / 10 }));
    const result = attributeSeries(flat, [{ id: "x", startMs: 0, endMs: 1000, tokens: 10 }]);
    expect(result.calls[0]!.joules).toBeCloseTo(100, 9);
    expect(result.unattributed_j).toBeCloseTo(200, 9);
    expect(result.total_j).toBe(300);
  });

  it("splits evenly between overlapping calls that have no tokens", () => {
    const result = attributeSeries(series, [
      { id: "p", startMs: 0, endMs: 2000, tokens: null },
      { id: "q", startMs: 0, endMs: 2000, tokens: null },
    ]);
    expect(result.calls.map((c) => c.joules)).toEqual([150, 150]);
  });

  it("gives nothing from a series of fewer than two readings", () => {
    const result = attributeSeries([{ t: 0, joules: 5 }], calls);
    expect(result.total_j).toBe(0);
    expect(result.calls.every((c) => c.joules === 0)).toBe(true);
  });
});
