import { describe, expect, it } from "vitest";
import { LOCAL_COST_DEFAULTS, localCost } from "../../src/cost/local-cost.ts";

describe("localCost", () => {
  it("charges electricity only in marginal mode, with documented defaults", () => {
    // 36,000 J = 0.01 kWh × PUE 1.0 × $0.16 = $0.0016
    const cost = localCost({ energyJ: 36_000, busySeconds: 100 });
    expect(cost.mode).toBe("marginal");
    expect(cost.estimate).toBe(true);
    expect(cost.electricity_usd).toBeCloseTo(0.0016, 12);
    expect(cost.hardware_usd).toBeNull();
    expect(cost.usd).toBeCloseTo(0.0016, 12);
    expect(cost).toMatchObject({ usd_per_kwh: 0.16, pue: 1, usd_per_hour: 0 });
    expect(cost.assumptions.join("; ")).toMatch(/\$0\.16\/kWh.*PUE 1.*electricity only/);
  });

  it("adds hardware time in full mode, and applies the PUE", () => {
    // energy: 7,200,000 J = 2 kWh × PUE 1.5 × $0.30 = $0.90; hardware: 1,800 s × $2/h = $1.00
    const cost = localCost({
      energyJ: 7_200_000,
      busySeconds: 1_800,
      hardware: { usd_per_kwh: 0.3, pue: 1.5, usd_per_hour: 2 },
    });
    expect(cost.mode).toBe("full");
    expect(cost.electricity_usd).toBeCloseTo(0.9, 12);
    expect(cost.hardware_usd).toBeCloseTo(1, 12);
    expect(cost.usd).toBeCloseTo(1.9, 12);
    expect(cost.assumptions).toEqual([]);
  });

  it("lets the caller force marginal mode even with a hardware price", () => {
    const cost = localCost({
      energyJ: 3.6e6,
      busySeconds: 3600,
      hardware: { usd_per_hour: 5 },
      mode: "marginal",
    });
    expect(cost.usd).toBeCloseTo(LOCAL_COST_DEFAULTS.usd_per_kwh, 12);
    expect(cost.hardware_usd).toBeNull();
  });

  it("says when full mode has no hardware price to charge", () => {
    const cost = localCost({ energyJ: 0, busySeconds: 60, mode: "full" });
    expect(cost.hardware_usd).toBe(0);
    expect(cost.assumptions).toContain("no hardware $/hour configured: full mode has no hardware share");
  });

  it("gives no total when the energy is unknown, never a 0", () => {
    const cost = localCost({ energyJ: null, busySeconds: 60, hardware: { usd_per_hour: 3.6 } });
    expect(cost.usd).toBeNull();
    expect(cost.electricity_usd).toBeNull();
    expect(cost.hardware_usd).toBeCloseTo(0.06, 12);
  });

  it("rejects negative inputs and keeps its defaults read-only", () => {
    expect(() => localCost({ energyJ: -1, busySeconds: 0 })).toThrow(RangeError);
    expect(() => localCost({ energyJ: 1, busySeconds: -1 })).toThrow(RangeError);
    expect(Object.isFrozen(LOCAL_COST_DEFAULTS)).toBe(true);
  });
});
