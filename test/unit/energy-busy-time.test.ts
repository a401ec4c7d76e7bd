/** Busy time as calls finish, against the union of every interval computed at the end. */
import { describe, expect, it } from "vitest";
import { BusyTime } from "../../src/energy/busy-time.ts";
import { busyMs, type Interval } from "../../src/energy/integrate.ts";
import { mulberry32 } from "../../src/stats/prng.ts";

/** A deterministic pseudo-random source, so a failure can be replayed. */
const random = mulberry32;

/**
 * A pool of `concurrency` workers on a simulated clock: each call is dispatched, starts after a
 * short delay, lasts a random time (sometimes very long), and is reported when it ends; some
 * calls make no interval (cancelled, failed before sending). Gaps between calls leave idle time.
 */
/** `ordered`: each dispatch no earlier than the last (as a clock reads); else jittered out of order. */
function simulate(seed: number, concurrency: number, calls: number, ordered = false) {
  const next = random(seed);
  const busy = new BusyTime();
  const intervals: Interval[] = [];
  const running: { ticket: number; start: number; end: number; none: boolean }[] = [];
  let clock = 0;
  let dispatched = 0;
  let maxHeld = 0;
  while (dispatched < calls || running.length > 0) {
    while (running.length < concurrency && dispatched < calls) {
      const at = ordered ? clock + dispatched * 1e-6 : clock + next() * 3;
      const start = at + next() * 2;
      const long = next() < 0.02;
      const end = start + (long ? 200 + next() * 500 : next() * 20);
      running.push({ ticket: busy.dispatch(at), start, end, none: next() < 0.05 });
      dispatched++;
    }
    running.sort((x, y) => x.end - y.end);
    const call = running.shift()!;
    clock = call.end + (next() < 0.1 ? next() * 50 : 0);
    if (call.none) busy.finish(call.ticket);
    else {
      busy.finish(call.ticket, call.start, call.end);
      intervals.push({ startMs: call.start, endMs: call.end });
    }
    maxHeld = Math.max(maxHeld, busy.heldIntervals);
  }
  return { busy, intervals, maxHeld };
}

describe("BusyTime", () => {
  for (const [seed, concurrency] of [
    [1, 1],
    [2, 4],
    [3, 64],
    [4, 256],
  ] as const) {
    it(`equals the union of every interval (seed ${seed}, concurrency ${concurrency})`, () => {
      const { busy, intervals, maxHeld } = simulate(seed, concurrency, 5000);
      expect(busy.ms).toBeCloseTo(busyMs(intervals), 6);
      expect(busy.heldIntervals).toBe(0);
      // What it holds is bounded by what a call in flight can overlap, not by the number of calls.
      expect(maxHeld).toBeLessThan(500);
    });
  }

  it("equals the union when dispatches come in clock order, holding as little", () => {
    for (const concurrency of [1, 8, 64]) {
      const { busy, intervals, maxHeld } = simulate(10 + concurrency, concurrency, 5000, true);
      expect(busy.ms).toBeCloseTo(busyMs(intervals), 6);
      expect(busy.heldIntervals).toBe(0);
      expect(maxHeld).toBeLessThan(500);
    }
  });

  it("merges overlapping, nested and touching intervals reported out of order", () => {
    const busy = new BusyTime();
    const tickets = [0, 1, 2, 3, 4].map(() => busy.dispatch(0));
    busy.finish(tickets[1]!, 10, 20);
    busy.finish(tickets[0]!, 0, 5);
    expect(busy.heldIntervals).toBe(2); // calls from t=0 are still in flight
    busy.finish(tickets[2]!, 12, 15); // nested
    busy.finish(tickets[3]!, 20, 30); // touching
    busy.finish(tickets[4]!, 3, 11); // bridges the first two
    expect(busy.ms).toBe(30);
    expect(busy.heldIntervals).toBe(0);
  });

  it("counts nothing for calls that made no interval, and keeps the sum while calls are in flight", () => {
    const busy = new BusyTime();
    const a = busy.dispatch(0);
    const b = busy.dispatch(1);
    busy.finish(a);
    busy.finish(b, 2, 2); // zero length
    expect(busy.ms).toBe(0);
    const c = busy.dispatch(5);
    const d = busy.dispatch(6);
    busy.finish(d, 7, 9);
    expect(busy.ms).toBe(2);
    expect(busy.heldIntervals).toBe(1);
    busy.finish(c, 6, 8);
    expect(busy.ms).toBe(3);
  });
});
