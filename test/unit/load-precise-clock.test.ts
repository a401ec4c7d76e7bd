/** The open loop's clock: wakes at sub-millisecond targets, never before them, and stops on abort. */
import { describe, expect, it } from "vitest";
import { PreciseClock, sleepOnTimers } from "../../src/load/precise-clock.ts";

describe("PreciseClock", () => {
  it("never wakes before its target, for targets between whole milliseconds", async () => {
    const clock = await PreciseClock.started();
    try {
      const signal = new AbortController().signal;
      for (const gap of [0.3, 1.7, 2.25, 4.9, 0.05]) {
        const target = performance.now() + gap;
        await clock.sleepUntil(target, signal);
        expect(performance.now()).toBeGreaterThanOrEqual(target);
      }
    } finally {
      await clock.close();
    }
  });

  it("returns on abort, long before a far target, and then sleeps again when asked", async () => {
    const clock = await PreciseClock.started();
    try {
      const stop = new AbortController();
      const far = performance.now() + 60_000;
      setTimeout(() => stop.abort(), 10);
      await clock.sleepUntil(far, stop.signal);
      expect(performance.now()).toBeLessThan(far);
      const target = performance.now() + 3;
      await clock.sleepUntil(target, new AbortController().signal);
      expect(performance.now()).toBeGreaterThanOrEqual(target);
    } finally {
      await clock.close();
    }
  });

  it("the timers' fallback never wakes early either", async () => {
    const target = performance.now() + 2.5;
    await sleepOnTimers(target, new AbortController().signal);
    expect(performance.now()).toBeGreaterThanOrEqual(target);
  });
});
