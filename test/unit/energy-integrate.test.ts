import { describe, expect, it } from "vitest";
import {
  busyMs,
  counterDelta,
  cumulativeAt,
  integratePower,
  PowerIntegrator,
  UnwrappedCounter,
} from "../../src/energy/integrate.ts";

describe("counterDelta / UnwrappedCounter", () => {
  it("unrolls a wrap at max and treats a decrease without max as a reset", () => {
    expect(counterDelta(10, 25, 100)).toBe(15);
    expect(counterDelta(90, 10, 100)).toBe(20); // 100 − 90 + 10
    expect(counterDelta(90, 10, null)).toBeNull();
  });

  it("accumulates a monotonic total across wraps", () => {
    const counter = new UnwrappedCounter(100);
    expect([90, 10, 50, 60].map((raw) => counter.update(raw))).toEqual([0, 20, 60, 70]);
    expect(counter.wraps).toBe(1);
    const reset = new UnwrappedCounter(null);
    expect([500, 700, 100, 150].map((raw) => reset.update(raw))).toEqual([0, 200, 200, 250]);
    expect(reset.resets).toBe(1);
  });
});

describe("PowerIntegrator (trapezoid rule)", () => {
  // Samples: 100 W at 0 s, 200 W at 1 s, 0 W at 3 s.
  // Cumulative: at 1 s (100+200)/2·1 = 150 J; at 3 s 150 + (200+0)/2·2 = 350 J.
  const samples = [
    { t: 0, watts: 100 },
    { t: 1000, watts: 200 },
    { t: 3000, watts: 0 },
  ];

  it("integrates between samples and interpolates inside a segment", () => {
    const integrator = new PowerIntegrator();
    for (const s of samples) expect(integrator.add(s)).toBe(true);
    expect(integrator.readingAt(1000)).toEqual({ joules: 150, t: 1000 });
    expect(integrator.readingAt(3000)).toEqual({ joules: 350, t: 3000 });
    // At 0.5 s power is 150 W: (100 + 150)/2 · 0.5 = 62.5 J.
    expect(integrator.readingAt(500)!.joules).toBeCloseTo(62.5, 12);
    // At 2 s power is 100 W: 150 + (200 + 100)/2 · 1 = 300 J.
    expect(integrator.readingAt(2000)!.joules).toBeCloseTo(300, 12);
    // After the last sample the reading stays at the last sample, and says when.
    expect(integrator.readingAt(9000)).toEqual({ joules: 350, t: 3000 });
  });

  it("ignores out-of-order and non-finite samples", () => {
    const integrator = new PowerIntegrator();
    integrator.add({ t: 1000, watts: 10 });
    expect(integrator.add({ t: 1000, watts: 99 })).toBe(false);
    expect(integrator.add({ t: 500, watts: 99 })).toBe(false);
    expect(integrator.add({ t: 2000, watts: Number.NaN })).toBe(false);
    expect(integrator.count).toBe(1);
  });

  it("integratePower: a window between samples, and coverage", () => {
    // 300 − 62.5 = 237.5 J between 0.5 s and 2 s
    expect(integratePower(samples, 500, 2000)).toEqual({ joules: 237.5, covered_ms: 1500 });
    // Beyond the samples nothing is invented: 350 J, 3 s covered of 5 s asked.
    expect(integratePower(samples, -1000, 4000)).toEqual({ joules: 350, covered_ms: 3000 });
    expect(integratePower([], 0, 10)).toEqual({ joules: 0, covered_ms: 0 });
  });
});

describe("cumulativeAt", () => {
  it("interpolates linearly and clamps to the series' ends", () => {
    const series = [
      { t: 0, joules: 0 },
      { t: 1000, joules: 100 },
      { t: 2000, joules: 300 },
    ];
    expect(cumulativeAt(series, 1500)).toBe(200);
    expect(cumulativeAt(series, -5)).toBe(0);
    expect(cumulativeAt(series, 5000)).toBe(300);
    expect(cumulativeAt([], 1)).toBeNull();
  });
});

describe("busyMs", () => {
  it("measures the union of overlapping intervals", () => {
    // [0, 1500] ∪ [2000, 2600] = 1500 + 600
    const intervals = [
      { startMs: 0, endMs: 1000 },
      { startMs: 500, endMs: 1500 },
      { startMs: 2500, endMs: 2600 },
      { startMs: 2000, endMs: 2500 },
      { startMs: 3000, endMs: 3000 },
    ];
    expect(busyMs(intervals)).toBe(2100);
    expect(busyMs([])).toBe(0);
  });
});
