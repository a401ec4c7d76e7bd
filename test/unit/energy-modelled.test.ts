import { describe, expect, it } from "vitest";
import { measureIdlePower, netEnergy } from "../../src/energy/idle.ts";
import { bandFactors, modelledEnergy } from "../../src/energy/modelled.ts";
import type { EnergyReading, EnergySource } from "../../src/energy/types.ts";
import { recordEnergySource } from "../../src/energy/types.ts";

describe("modelledEnergy", () => {
  it("is power × utilisation × busy time with a ±50% band", () => {
    // 60 W × 0.5 × 10 s = 300 J; band 150–450 J
    const e = modelledEnergy({ powerW: 60, utilisation: 0.5, busyMs: 10_000 });
    expect(e).toMatchObject({ method: "modelled", joules: 300, low_j: 150, high_j: 450, utilisation: 0.5 });
    expect(e.assumptions).toEqual(["device power × utilisation × busy time, ±50%"]);
  });

  it("says when it assumed full utilisation, and is null without a power figure", () => {
    expect(modelledEnergy({ powerW: 10, busyMs: 1000 }).assumptions).toContain(
      "utilisation assumed 1 (device fully busy while serving)",
    );
    const unknown = modelledEnergy({ powerW: null, busyMs: 1000 });
    expect(unknown).toMatchObject({ joules: null, low_j: null, high_j: null });
    expect(unknown.assumptions.join(" ")).toMatch(/hardware\.power_w/);
  });

  it("rejects impossible inputs", () => {
    expect(() => modelledEnergy({ powerW: 10, utilisation: -0.1, busyMs: 1 })).toThrow(RangeError);
    expect(modelledEnergy({ powerW: 10, utilisation: 0, busyMs: 1000 }).joules).toBe(0);
    expect(() => modelledEnergy({ powerW: 10, utilisation: 1.5, busyMs: 1 })).toThrow(RangeError);
    expect(() => modelledEnergy({ powerW: 10, busyMs: -1 })).toThrow(RangeError);
  });
});

/** A source replaying readings in order. */
function replay(readings: EnergyReading[]): EnergySource {
  let i = 0;
  return {
    method: "dcgm-counter",
    description: "replay",
    start: async () => {},
    read: async () => readings[Math.min(i++, readings.length - 1)]!,
    stop: async () => {},
  };
}

describe("idle power", () => {
  const noSleep = async () => {};

  it("is the mean power between two readings", async () => {
    // 250 J over 5 s = 50 W
    const idle = await measureIdlePower(
      replay([
        { t: 1000, joules: 10 },
        { t: 6000, joules: 260 },
      ]),
      5000,
      noSleep,
    );
    expect(idle).toEqual({ watts: 50, duration_ms: 5000, method: "dcgm-counter" });
  });

  it("is unknown when the source did not advance", async () => {
    const idle = await measureIdlePower(
      replay([
        { t: 1000, joules: 10 },
        { t: 3000, joules: 10 },
      ]),
      2000,
      noSleep,
    );
    expect(idle.watts).toBeNull();
    expect(idle.warning).toMatch(/did not advance.*collect interval/);
  });

  it("nets energy against idle, never below 0", () => {
    // 1,000 J over 10 s with 30 W idle: 1,000 − 300 = 700 J
    expect(netEnergy(1000, 30, 10_000)).toBe(700);
    expect(netEnergy(100, 30, 10_000)).toBe(0);
    expect(netEnergy(100, null, 10_000)).toBeNull();
  });
});

describe("recordEnergySource", () => {
  it("labels each method for the record", () => {
    expect(recordEnergySource("nvml-counter")).toBe("measured-gpu");
    expect(recordEnergySource("dcgm-counter")).toBe("measured-gpu");
    expect(recordEnergySource("nvidia-smi-power")).toBe("measured-gpu");
    expect(recordEnergySource("rapl")).toBe("measured-cpu");
    expect(recordEnergySource("modelled")).toBe("modelled");
    expect(recordEnergySource("published-estimate")).toBe("published-estimate");
  });
});

describe("a band as factors of its central figure", () => {
  it("reads 0.5 and 1.5, not 1.5000000000000002, and is null without a centre", () => {
    const gross = 0.1;
    expect(bandFactors(gross, gross * 0.5, gross * 1.5)).toEqual({ low: 0.5, high: 1.5 });
    expect(bandFactors(null, 1, 2)).toBeNull();
    expect(bandFactors(0, 0, 0)).toBeNull();
    expect(bandFactors(10, null, 15)).toBeNull();
  });
});
