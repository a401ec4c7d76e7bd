/** Per-call timestamps: the same text as toISOString and the same ms as Date.parse, cached or not. */
import { describe, expect, it } from "vitest";
import { isoTime, isoTimeMs } from "../../src/core/iso-time.ts";
import { mulberry32 } from "../../src/stats/prng.ts";

/** A deterministic pseudo-random source, so a failure can be replayed. */
const random = mulberry32;

describe("isoTime and isoTimeMs", () => {
  it("match toISOString and Date.parse over runs of nearby times, second and day boundaries, and far dates", () => {
    const next = random(19);
    const starts = [
      0,
      999,
      1000,
      Date.UTC(2026, 11, 31, 23, 59, 59, 998),
      Date.UTC(2024, 1, 29, 12),
      253402300799999,
    ];
    for (let i = 0; i < 200; i++) starts.push(Math.floor(next() * 253402300799999));
    for (const start of starts) {
      let ms = start;
      for (let step = 0; step < 50; step++) {
        const text = isoTime(ms);
        expect(text).toBe(new Date(ms).toISOString());
        expect(isoTimeMs(text)).toBe(ms);
        ms += Math.floor(next() * 40);
      }
    }
  });

  it("formats the current time by default and leaves other inputs to Date", () => {
    const before = Date.now();
    const now = isoTimeMs(isoTime());
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
    expect(isoTime(1.5)).toBe(new Date(1.5).toISOString());
    expect(isoTime(-1)).toBe(new Date(-1).toISOString());
    for (const text of [
      "2026-12-07T16:06:42.77Z",
      "2026-12-07T16:06:42.7x2Z",
      "2026-12-07",
      "nonsense",
      "2026-12-07T16:06:42.772+01:00",
    ])
      expect(isoTimeMs(text)).toEqual(Date.parse(text));
  });
});
