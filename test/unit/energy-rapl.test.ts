import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeTree, fakeSysfs } from "../../fixtures/energy/sysfs.ts";
import { cpuPowerLimitW } from "../../src/energy/modelled.ts";
import { discoverRaplZones, POWERCAP_ROOT, RaplSource, selectRaplZones } from "../../src/energy/rapl.ts";
import { EnergySourceError } from "../../src/energy/types.ts";

let tree: FakeTree | undefined;
afterEach(() => {
  tree?.remove();
  tree = undefined;
});

describe("RAPL zone selection", () => {
  it("sums packages and DRAM on a two-socket server and ignores the MMIO mirror", async () => {
    tree = fakeSysfs("rapl-server");
    const zones = await discoverRaplZones({ root: tree.root });
    expect(zones.map((z) => `${z.dir}=${z.name}`)).toEqual([
      "intel-rapl:0=package-0",
      "intel-rapl:1=package-1",
      "intel-rapl:0:0=dram",
      "intel-rapl:1:0=dram",
    ]);
    expect(zones[0]!.maxUj).toBe(262143328850);
    expect(zones[2]!.maxUj).toBe(65712999613);
  });

  it("keeps only the package on a laptop (core/uncore are inside it, psys contains it)", async () => {
    tree = fakeSysfs("rapl-laptop");
    expect((await discoverRaplZones({ root: tree.root })).map((z) => z.name)).toEqual(["package-0"]);
  });

  it("sums every die of a multi-die package", () => {
    const zones = selectRaplZones([
      { dir: "intel-rapl:0", name: "package-0-die-0", maxUj: null },
      { dir: "intel-rapl:1", name: "package-0-die-1", maxUj: null },
      { dir: "intel-rapl:0:0", name: "dram", maxUj: null },
    ]);
    expect(zones.map((z) => z.name)).toEqual(["package-0-die-0", "package-0-die-1", "dram"]);
  });

  it("falls back to psys alone when there is no package zone", () => {
    const zones = selectRaplZones([
      { dir: "intel-rapl:0", name: "psys", maxUj: null },
      { dir: "intel-rapl:0:0", name: "core", maxUj: null },
    ]);
    expect(zones.map((z) => z.name)).toEqual(["psys"]);
  });

  it("explains a missing powercap tree", async () => {
    await expect(discoverRaplZones({ root: "/nonexistent/powercap" })).rejects.toThrow(
      /no RAPL powercap tree/,
    );
  });
});

describe("RaplSource", () => {
  it("reads joules across zones and unrolls a DRAM counter that wraps", async () => {
    tree = fakeSysfs("rapl-server");
    // Put socket 1's DRAM counter 0.3 J before its wrap point.
    tree.write("intel-rapl:1:0/energy_uj", String(65712999613 - 300_000));
    const source = new RaplSource({ root: tree.root });
    await source.start();
    expect(source.description).toBe(`RAPL package-0 + package-1 + dram + dram (${tree.root})`);
    const before = await source.read();
    expect(before.joules).toBe(0);
    // package-0 +1 J, dram-0 +0.5 J, package-1 +2 J, dram-1 wraps: 0.3 J to the top + 0.2 J after.
    tree.write("intel-rapl:0/energy_uj", String(123456789012 + 1_000_000));
    tree.write("intel-rapl:0:0/energy_uj", String(23456789012 + 500_000));
    tree.write("intel-rapl:1/energy_uj", String(98765432100 + 2_000_000));
    tree.write("intel-rapl:1:0/energy_uj", "200000");
    // The ignored MMIO mirror moves too; counting it would add 1 J.
    tree.write("intel-rapl-mmio:0/energy_uj", String(123456789012 + 1_000_000));
    const after = await source.read();
    expect(after.joules - before.joules).toBeCloseTo(4, 9);
    expect(after.t).toBeGreaterThanOrEqual(before.t);
    expect(source.wraps).toBe(1);
    await source.stop();
  });

  it("turns a permission error into the chmod hint", async () => {
    tree = fakeSysfs("rapl-laptop");
    const denied = async (path: string) => {
      if (path.endsWith("energy_uj"))
        throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: "EACCES" });
      const { readFile } = await import("node:fs/promises");
      return readFile(path, "utf8");
    };
    const source = new RaplSource({ root: tree.root, readText: denied });
    const error = await source.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnergySourceError);
    expect((error as EnergySourceError).message).toMatch(/permission denied/);
    expect((error as EnergySourceError).hint).toMatch(
      /run as root.*sudo chmod o\+r \/sys\/class\/powercap\/intel-rapl:\*\/energy_uj/,
    );
  });

  it("refuses to read before start", async () => {
    await expect(new RaplSource({ root: "/nowhere" }).read()).rejects.toThrow(/before start/);
  });

  it("reads this machine's RAPL counters when it has them", async () => {
    if (!existsSync(POWERCAP_ROOT)) {
      // This host has no /sys/class/powercap (e.g. a VM or container without RAPL): the source says so.
      await expect(new RaplSource().start()).rejects.toThrow(/no RAPL powercap tree/);
      return;
    }
    const source = new RaplSource();
    try {
      await source.start();
    } catch (error) {
      // Present but unreadable (not root since Linux 5.10): the error must carry the fix.
      expect(String((error as Error).message)).toMatch(/permission denied|no package, dram or psys/);
      return;
    }
    const a = await source.read();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const b = await source.read();
    expect(b.joules).toBeGreaterThan(a.joules);
    await source.stop();
  });
});

describe("cpuPowerLimitW", () => {
  it("sums the packages' long-term power limits (≈ TDP)", async () => {
    tree = fakeSysfs("rapl-server");
    expect(await cpuPowerLimitW({ root: tree.root })).toBe(410);
  });

  it("is null without a RAPL tree", async () => {
    expect(await cpuPowerLimitW({ root: "/nonexistent/powercap" })).toBeNull();
  });
});
