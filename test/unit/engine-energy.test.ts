/**
 * A local model's energy window end to end through the engine and the summary: idle measured,
 * a window around the measured calls, shared among them, priced as local cost. The energy
 * source is a stand-in meter with a known power (no meter is readable on CI machines).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ENERGY_CALLS_PER_EVENT,
  type ModelEnergyCallsEvent,
  type ModelEnergyEvent,
} from "../../src/core/records.ts";
import type { EnergySource } from "../../src/energy/types.ts";
import { nowMs } from "../../src/energy/types.ts";
import { runSuite } from "../../src/engine/run.ts";
import { summarizeRun } from "../../src/metrics/summary-file.ts";
import { describeSuite } from "../../src/suite/describe.ts";
import { readEvents } from "../helpers/cli.ts";
import { ScriptedRunner, tinySuite } from "../helpers/scripted-runner.ts";

/** A meter drawing `watts` constantly: cumulative joules = watts × seconds since start. */
function constantPower(watts: number): EnergySource {
  const started = nowMs();
  return {
    method: "rapl",
    description: `test meter at ${watts} W`,
    start: async () => {},
    read: async () => {
      const t = nowMs();
      return { t, joules: (watts * (t - started)) / 1000 };
    },
    stop: async () => {},
  };
}

describe("engine energy window", () => {
  it("measures idle, meters the measured calls, shares the energy, and prices it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-energy-"));
    const cases = Array.from({ length: 12 }, (_, i) => ({
      id: String(i + 1),
      prompt: `p${i}`,
      expected: "X",
    }));
    const runner = new ScriptedRunner(() => ({
      kind: "ok",
      text: "X".repeat(8),
      chunks: 8,
      outputTokens: 8,
    }));
    const suite = tinySuite({ cases, warmup: 2, concurrency: 3 });
    const hardware = { usd_per_kwh: 0.36 };
    suite.models[0]!.config = { ...suite.models[0]!.config, hardware };
    await runSuite({
      suite,
      runDir: dir,
      describedSuite: describeSuite(suite),
      prepareModel: () => ({
        runner,
        locality: "local",
        energy: { monitor: { sources: [constantPower(50)], pollMs: 5, hardware }, idleMs: 30 },
      }),
      signal: new AbortController().signal,
    });
    const events = readEvents(dir);
    const energy = events.find((e): e is ModelEnergyEvent => e.type === "model_energy")!;
    expect(energy).toMatchObject({ model: "m", method: "rapl", energy_source: "measured-cpu" });
    expect(energy.idle_w!).toBeGreaterThan(45); // the meter's constant 50 W, measured over 30 ms
    expect(energy.idle_w!).toBeLessThan(55);
    // Only the 12 measured calls are in the window; warm-up calls came before it.
    expect(energy.calls).toHaveLength(12);
    expect(new Set(energy.calls.map((c) => c.item)).size).toBe(12);
    const shared = energy.calls.reduce((sum, c) => sum + c.energy_j, 0);
    expect(shared + energy.unattributed_j!).toBeCloseTo(energy.gross_j!, 6);
    expect(energy.busy_ms).toBeGreaterThan(0);
    expect(energy.busy_ms).toBeLessThanOrEqual(energy.duration_ms);

    const summary = await summarizeRun(dir);
    const r = summary.results[0]!;
    expect(r.energy.source).toBe("measured-cpu");
    expect(r.energy.total_j).toBeCloseTo(shared, 9);
    expect(r.energy.per_call_j).toBeCloseTo(shared / 12, 9);
    expect(r.cost.source).toBe("local-estimate");
    expect(r.cost.local?.mode).toBe("marginal");
    expect(r.cost.total_usd).toBeCloseTo((shared / 3.6e6) * 0.36, 15); // electricity only, PUE 1
  });

  it("lists a large window's shares in events of at most ENERGY_CALLS_PER_EVENT, and sums them all", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-energy-"));
    const count = ENERGY_CALLS_PER_EVENT + 700;
    const cases = Array.from({ length: count }, (_, i) => ({
      id: String(i + 1),
      prompt: `p${i}`,
      expected: "X",
    }));
    const runner = new ScriptedRunner(() => ({ kind: "ok", text: "X", chunks: 1, outputTokens: 1 }));
    const suite = tinySuite({ cases, warmup: 0, concurrency: 64 });
    await runSuite({
      suite,
      runDir: dir,
      describedSuite: describeSuite(suite),
      prepareModel: () => ({
        runner,
        locality: "local",
        energy: { monitor: { sources: [constantPower(50)], pollMs: 5 }, idleMs: 0 },
      }),
      signal: new AbortController().signal,
    });
    const events = readEvents(dir);
    const energy = events.find((e): e is ModelEnergyEvent => e.type === "model_energy")!;
    const chunks = events.filter((e): e is ModelEnergyCallsEvent => e.type === "model_energy_calls");
    expect(energy.calls).toEqual([]);
    expect(chunks.map((c) => c.calls.length)).toEqual([ENERGY_CALLS_PER_EVENT, 700]);
    const calls = chunks.flatMap((c) => c.calls);
    expect(new Set(calls.map((c) => c.item)).size).toBe(count);
    const shared = calls.reduce((sum, c) => sum + c.energy_j, 0);
    expect(shared + energy.unattributed_j!).toBeCloseTo(energy.gross_j!, 6);
    const summary = await summarizeRun(dir);
    expect(summary.results[0]!.energy.total_j).toBeCloseTo(shared, 9);
  });

  it("without any energy method keeps only the busy time: the union of the measured calls' spans", async () => {
    for (const concurrency of [1, 8]) {
      const dir = mkdtempSync(join(tmpdir(), "opbench-energy-"));
      const cases = Array.from({ length: 40 }, (_, i) => ({ id: String(i + 1), prompt: `p${i}` }));
      const runner = new ScriptedRunner(() => ({ kind: "ok", text: "XYZ", chunks: 3, outputTokens: 3 }));
      const suite = tinySuite({ cases, warmup: 3, concurrency });
      await runSuite({
        suite,
        runDir: dir,
        describedSuite: describeSuite(suite),
        prepareModel: () => ({
          runner,
          locality: "local",
          energy: { monitor: { sources: [] }, idleMs: 0 },
        }),
        signal: new AbortController().signal,
      });
      const events = readEvents(dir);
      const energy = events.find((e): e is ModelEnergyEvent => e.type === "model_energy")!;
      expect(energy).toMatchObject({ method: null, gross_j: null, calls: [] });
      const e2e = events.flatMap((e) => (e.type === "call" && !e.warmup ? [e.e2e_ms!] : []));
      expect(e2e).toHaveLength(40);
      const sum = e2e.reduce((a, b) => a + b, 0);
      if (concurrency === 1) {
        // One call at a time: the spans do not overlap, so their union is the sum (to the
        // resolution of epoch-ms doubles, ~0.2 µs a call).
        expect(energy.busy_ms).toBeCloseTo(sum, 2);
      } else {
        expect(energy.busy_ms).toBeLessThan(sum);
        expect(energy.busy_ms).toBeGreaterThanOrEqual(Math.max(...e2e));
      }
      expect(energy.busy_ms).toBeLessThanOrEqual(energy.duration_ms);
    }
  });
});
