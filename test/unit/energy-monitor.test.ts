import { afterEach, describe, expect, it } from "vitest";
import { type FakeTree, fakeSysfs } from "../../fixtures/energy/sysfs.ts";
import { EnergyMonitor } from "../../src/energy/monitor.ts";
import { type EnergySource, EnergySourceError, nowMs } from "../../src/energy/types.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A counter source whose power is `state.watts`, integrated exactly over real time. */
function constantPower(state: { watts: number }): EnergySource & { reads: number } {
  let last = nowMs();
  let joules = 0;
  const source = {
    method: "nvml-counter" as const,
    description: "test counter",
    reads: 0,
    start: async () => {},
    read: async () => {
      const t = nowMs();
      joules += (state.watts * (t - last)) / 1000;
      last = t;
      source.reads++;
      return { joules, t };
    },
    stop: async () => {},
  };
  return source;
}

const failing: EnergySource = {
  method: "rapl",
  description: "unreadable",
  start: async () => {
    throw new EnergySourceError("cannot read energy_uj (permission denied)", "run as root");
  },
  read: async () => ({ joules: 0, t: 0 }),
  stop: async () => {},
};

let tree: FakeTree | undefined;
afterEach(() => {
  tree?.remove();
  tree = undefined;
});

describe("EnergyMonitor with a measured source", () => {
  it("measures idle, then a window gross and net, with a polled series", async () => {
    const state = { watts: 20 };
    const source = constantPower(state);
    const monitor = await EnergyMonitor.open({ device: "cuda", sources: [source], pollMs: 20 });
    expect(monitor.method).toBe("nvml-counter");
    expect(monitor.energySource).toBe("measured-gpu");
    const idle = await monitor.measureIdle(60);
    expect(idle?.watts).toBeCloseTo(20, 6);

    state.watts = 80;
    const mark = await monitor.begin();
    await sleep(150);
    const window = await monitor.end(mark);
    await monitor.close();

    // Gross power 80 W, idle 20 W: net is 3/4 of gross.
    expect(window.gross_j! / (window.duration_ms / 1000)).toBeCloseTo(80, 6);
    expect(window.net_j! / window.gross_j!).toBeCloseTo(0.75, 6);
    expect(window).toMatchObject({
      method: "nvml-counter",
      energy_source: "measured-gpu",
      idle_w: idle!.watts,
    });
    expect(window.series.length).toBeGreaterThanOrEqual(3);
    expect(window.series[0]).toEqual({ joules: 0, t: window.start_ms });
    expect(window.series.at(-1)).toEqual({ joules: window.gross_j, t: window.end_ms });
    for (let i = 1; i < window.series.length; i++) {
      expect(window.series[i]!.t).toBeGreaterThanOrEqual(window.series[i - 1]!.t);
      expect(window.series[i]!.joules).toBeGreaterThanOrEqual(window.series[i - 1]!.joules);
    }
  });

  it("reports net energy unknown without an idle measurement", async () => {
    const monitor = await EnergyMonitor.open({ device: "cuda", sources: [constantPower({ watts: 10 })] });
    const window = await monitor.end(await monitor.begin());
    await monitor.close();
    expect(window.net_j).toBeNull();
    expect(window.notes).toContain("no idle measurement: net energy unknown");
  });

  it("uses RAPL for a CPU model", async () => {
    tree = fakeSysfs("rapl-laptop");
    const monitor = await EnergyMonitor.open({ device: "cpu", raplRoot: tree.root });
    expect(monitor.method).toBe("rapl");
    expect(monitor.energySource).toBe("measured-cpu");
    const mark = await monitor.begin();
    tree.write("intel-rapl:0/energy_uj", String(5_000_000 + 2_500_000));
    const window = await monitor.end(mark);
    await monitor.close();
    expect(window.gross_j).toBeCloseTo(2.5, 9);
  });
});

describe("EnergyMonitor fallbacks", () => {
  it("falls back to modelled energy, keeping why the better source failed", async () => {
    const monitor = await EnergyMonitor.open({
      device: "cpu",
      sources: [failing],
      hardware: { power_w: 40 },
    });
    expect(monitor.method).toBe("modelled");
    expect(monitor.energySource).toBe("modelled");
    expect(monitor.notes[0]).toBe("rapl: cannot read energy_uj (permission denied). run as root");
    expect(await monitor.measureIdle(10)).toBeNull();
    const mark = await monitor.begin();
    // Busy time is the union of the calls: [0, 2000] ms → 40 W × 2 s = 80 J, band 40–120 J.
    const window = await monitor.end(mark, [
      { startMs: 0, endMs: 1000 },
      { startMs: 500, endMs: 2000 },
    ]);
    expect(window).toMatchObject({ method: "modelled", gross_j: 80, low_j: 40, high_j: 120, net_j: null });
  });

  it("models a CPU from its RAPL power limit when the counters can't be read", async () => {
    tree = fakeSysfs("rapl-laptop");
    const monitor = await EnergyMonitor.open({ device: "cpu", sources: [failing], raplRoot: tree.root });
    expect(monitor.method).toBe("modelled");
    expect(monitor.description).toBe("modelled at 28 W");
    expect(monitor.notes).toContain("modelled from the CPU's RAPL power limit (28 W ≈ TDP)");
  });

  it("has no energy at all without a source or a power figure, and says so", async () => {
    const monitor = await EnergyMonitor.open({ device: "metal" });
    expect(monitor.method).toBeNull();
    expect(monitor.energySource).toBeNull();
    const window = await monitor.end(await monitor.begin());
    expect(window.gross_j).toBeNull();
    expect(monitor.notes).toContain("no device power known: set hardware.power_w for modelled energy");
  });

  it("points a remote server at its DCGM exporter", async () => {
    const monitor = await EnergyMonitor.open({ device: "remote" });
    expect(monitor.notes.join("\n")).toMatch(
      /remote server's energy can be measured only through its host's DCGM exporter/,
    );
  });

  it("tries the next source when one fails to start", async () => {
    const monitor = await EnergyMonitor.open({
      device: "cuda",
      sources: [failing, constantPower({ watts: 5 })],
    });
    expect(monitor.method).toBe("nvml-counter");
    expect(monitor.notes).toHaveLength(1);
    await monitor.close();
  });
});
