/**
 * The modelled CPU path against recorded /proc/cpuinfo and os.cpus() of several machines (an EPYC
 * VM, an Intel laptop, an unknown QEMU CPU, an Arm server), and recorded /proc/<pid> files.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CpuIdentity, cpuIdentity, limitCpus, parseCpuMax } from "../../src/energy/cpu-identity.ts";
import { ccfCoefficients, cpuPowerRow } from "../../src/energy/cpu-power-table.ts";
import { gpuRatedPower } from "../../src/energy/gpu-rated-power.ts";
import { cpuTableEnergy } from "../../src/energy/modelled.ts";
import { EnergyMonitor } from "../../src/energy/monitor.ts";
import { ProcessCpuMeter, parseProcStat, parseProcStatm } from "../../src/energy/process-cpu.ts";

const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures", "energy");

function machine(name: string): CpuIdentity {
  const cpuinfo = readFileSync(join(FIXTURES, "cpus", `${name}.cpuinfo`), "utf8");
  const { models } = JSON.parse(readFileSync(join(FIXTURES, "cpus", `${name}.os-cpus.json`), "utf8")) as {
    models: string[];
  };
  return cpuIdentity(
    models.map((model) => ({ model })),
    cpuinfo,
  );
}

describe("the processor's power row", () => {
  it("an EPYC VM that hides the model number is found by its family and model (Milan)", () => {
    const cpu = machine("epyc-vm");
    expect(cpu).toMatchObject({
      model: "AMD EPYC",
      vendor: "AuthenticAMD",
      family: 25,
      modelNumber: 1,
      logicalCpus: 2,
    });
    const row = cpuPowerRow(cpu);
    expect(row).toMatchObject({
      row: "AMD EPYC 3rd Gen",
      basis: "cpu-family",
      min_w_per_vcpu: 0.45,
      max_w_per_vcpu: 2.02,
    });
    expect(row.note).toContain("AMD EPYC family 25 model 1 is AMD EPYC 3rd Gen");
  });

  it("a named EPYC is found by its model number in CCF's list", () => {
    const row = cpuPowerRow({ ...machine("epyc-vm"), model: "AMD EPYC 7763 64-Core Processor" });
    expect(row).toMatchObject({ row: "AMD EPYC 3rd Gen", basis: "model-name" });
    expect(row.note).toContain("matched model 7763");
  });

  it("an Intel laptop is found by its family 6 model and stepping (8th gen: Coffee Lake row)", () => {
    const cpu = machine("intel-laptop");
    expect(cpu).toMatchObject({
      vendor: "GenuineIntel",
      family: 6,
      modelNumber: 142,
      stepping: 10,
      logicalCpus: 8,
    });
    expect(cpuPowerRow(cpu)).toMatchObject({ row: "Coffee Lake", basis: "cpu-family", max_w_per_vcpu: 5.42 });
    // The same CPU named in CCF's list is matched by name first.
    const named = cpuPowerRow({ ...cpu, model: "Intel(R) Core(TM) i5-8259U CPU @ 2.30GHz" });
    expect(named).toMatchObject({ row: "Coffee Lake", basis: "model-name" });
  });

  it("an unknown processor falls back to CCF's per-vCPU average and says so", () => {
    const cpu = machine("unknown-qemu");
    expect(cpu.model).toBe("QEMU Virtual CPU version 2.5+");
    const row = cpuPowerRow(cpu);
    const average = ccfCoefficients().default_per_vcpu_watts;
    expect(row).toMatchObject({
      row: "CCF average",
      basis: "default",
      min_w_per_vcpu: average.min_w,
      max_w_per_vcpu: average.max_w,
    });
    expect(row.note).toMatch(/QEMU Virtual CPU version 2\.5\+" is not in the Cloud Carbon Footprint table/);
  });

  it("an Arm server without a model name is found by its part number (Neoverse N1 → Graviton2 row)", () => {
    const cpu = machine("arm-graviton2");
    expect(cpu).toMatchObject({
      model: "",
      vendor: null,
      armImplementer: "0x41",
      armPart: "0xd0c",
      logicalCpus: 16,
    });
    expect(cpuPowerRow(cpu)).toMatchObject({
      row: "AWS Graviton2",
      microarchitecture: "Neoverse N1",
      basis: "arm-part",
    });
    // A newer Neoverse core has no CCF row: the default, naming the core.
    const v1 = cpuPowerRow({ ...cpu, armPart: "0xd40" });
    expect(v1).toMatchObject({ basis: "default", microarchitecture: "Neoverse V1" });
    expect(v1.note).toContain("an unnamed CPU (Neoverse V1)");
  });

  it("Apple silicon (macOS: no /proc/cpuinfo) takes the default and points at powermetrics", () => {
    const mac = cpuIdentity(
      Array.from({ length: 8 }, () => ({ model: "Apple M1" })),
      null,
    );
    expect(mac).toMatchObject({ model: "Apple M1", vendor: null, logicalCpus: 8 });
    const row = cpuPowerRow(mac);
    expect(row).toMatchObject({ basis: "default", microarchitecture: "Apple silicon" });
    expect(row.note).toContain("sudo powermetrics");
  });

  it("ships its source, licence commit and the memory coefficient", () => {
    const data = ccfCoefficients();
    expect(data.source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(data.memory_w_per_gb).toBeCloseTo(0.392, 6);
    expect(Object.keys(data.model_to_microarchitecture).length).toBeGreaterThan(1000);
    expect(
      readFileSync(join(FIXTURES, "..", "..", "data", "energy", "LICENSE.cloud-carbon-footprint"), "utf8"),
    ).toMatch(/Apache License/);
  });
});

describe("the vCPUs a container may use", () => {
  it("reads a cgroup v2 CPU quota and limits the vCPUs counted, saying why", () => {
    expect(parseCpuMax("200000 100000\n")).toBe(2);
    expect(parseCpuMax("150000 100000")).toBe(2);
    expect(parseCpuMax("max 100000")).toBeNull();
    expect(parseCpuMax("-1 100000")).toBeNull(); // cgroup v1: quota -1, no limit
    const graviton = machine("arm-graviton2");
    const limited = limitCpus(graviton, parseCpuMax("400000 100000"), "the container's CPU quota");
    expect(limited).toMatchObject({ logicalCpus: 4, limitedBy: "the container's CPU quota" });
    expect(limitCpus(graviton, 64, "x")).toBe(graviton); // a quota above the CPUs shown changes nothing
  });
});

describe("the modelled CPU energy", () => {
  const row = {
    row: "AMD EPYC 3rd Gen",
    basis: "cpu-family" as const,
    min_w_per_vcpu: 0.45,
    max_w_per_vcpu: 2.02,
    memory_w_per_gb: 0.392,
  };

  it("is vCPUs × min × busy + CPU time × (max − min) + memory, ±50%", () => {
    // 2 vCPUs, 10 s busy, 5 CPU-s, 1 GiB resident: 9 + 7.85 + 3.92 J.
    const e = cpuTableEnergy({ row, logicalCpus: 2, busyMs: 10_000, cpuS: 5, rssBytes: 2 ** 30 });
    expect(e.joules).toBeCloseTo(0.45 * 2 * 10 + 5 * (2.02 - 0.45) + 0.392 * 10, 9);
    expect(e.net_j).toBeCloseTo(5 * 1.57, 9);
    expect(e.utilisation).toBeCloseTo(0.25, 9);
    expect(e.low_j).toBeCloseTo(e.joules! * 0.5, 9);
    expect(e.high_j).toBeCloseTo(e.joules! * 1.5, 9);
  });

  it("widens the band for the default row and assumes full use when the CPU time is unreadable", () => {
    const e = cpuTableEnergy({
      row: { ...row, basis: "default" },
      logicalCpus: 4,
      busyMs: 1000,
      cpuS: null,
      rssBytes: null,
    });
    expect(e.utilisation).toBe(1);
    expect(e.joules).toBeCloseTo(4 * 2.02, 9);
    expect(e.band).toBe(0.75);
    expect(e.assumptions.join(" ")).toContain("all vCPUs assumed busy");
  });

  it("a monitor on a CPU with no meter models from the table, with the measured CPU time", async () => {
    const monitor = await EnergyMonitor.open({
      device: "cpu",
      sources: [],
      raplRoot: "/nonexistent",
      cpu: machine("intel-laptop"),
    });
    expect(monitor.method).toBe("modelled");
    expect(monitor.description).toBe(
      "modelled: Coffee Lake (8 vCPUs × 1.14–5.42 W per vCPU, Cloud Carbon Footprint)",
    );
    monitor.cpuTimeSource = "/proc/4242/stat of the server process (utime + stime)";
    expect(monitor.plan).toMatchObject({
      method: "modelled",
      table_row: expect.stringContaining('row "Coffee Lake"'),
      utilisation_source: "/proc/4242/stat of the server process (utime + stime)",
    });
    const window = await monitor.end(await monitor.begin(), 2000, {
      cpu_s: 8,
      rss_bytes: null,
      source: "/proc/4242/stat",
      notes: [],
    });
    expect(window.gross_j).toBeCloseTo(8 * 1.14 * 2 + 8 * (5.42 - 1.14), 9);
    expect(window.utilisation).toBeCloseTo(0.5, 9);
    expect(window.low_j).toBeCloseTo(window.gross_j! / 2, 9);
  });

  it("hardware.power_w wins over the table, scaled by the measured CPU utilisation", async () => {
    const monitor = await EnergyMonitor.open({
      device: "cpu",
      sources: [],
      hardware: { power_w: 100 },
      cpu: machine("arm-graviton2"),
    });
    const window = await monitor.end(await monitor.begin(), 10_000, {
      cpu_s: 40,
      rss_bytes: null,
      source: "x",
      notes: [],
    });
    // 40 CPU-s over 10 s on 16 vCPUs = 25% of 100 W for 10 s.
    expect(window.gross_j).toBeCloseTo(250, 9);
    expect(window.utilisation_source).toBe("x: 25.0% of 16 vCPUs");
  });
});

describe("a GPU with no meter", () => {
  it("is modelled from its rated power × busy time, band ×0.25–×1, labelled so", async () => {
    const monitor = await EnergyMonitor.open({
      device: "cuda",
      sources: [],
      gpuNames: ["CUDA0: NVIDIA L4 (22563 MiB, 22000 MiB free)"],
    });
    expect(monitor.method).toBe("modelled");
    expect(monitor.description).toBe("modelled: L4 rated 72 W × busy time");
    expect(monitor.plan.utilisation_source).toMatch(/none: the GPU assumed fully busy/);
    const window = await monitor.end(await monitor.begin(), 2000);
    expect(window).toMatchObject({ gross_j: 144, low_j: 36, high_j: 144, method: "modelled" });
  });

  it("has no energy when the GPU has no row, and says what to set", async () => {
    const monitor = await EnergyMonitor.open({ device: "cuda", sources: [], gpuNames: ["Mystery GPU"] });
    expect(monitor.method).toBeNull();
    expect(monitor.notes).toEqual([
      "no rated power known for Mystery GPU",
      "no device power known: set hardware.power_w for modelled energy",
    ]);
  });
});

describe("the serving process's CPU time", () => {
  it("parses /proc/<pid>/stat (utime + stime in ticks) and statm, even with spaces in the name", () => {
    const stat = readFileSync(join(FIXTURES, "proc", "4242", "stat"), "utf8");
    expect(parseProcStat(stat)).toBeCloseTo((73512 + 4188) / 100, 9);
    expect(parseProcStat(readFileSync(join(FIXTURES, "proc", "4243", "stat"), "utf8"))).toBeCloseTo(3, 9);
    expect(parseProcStatm(readFileSync(join(FIXTURES, "proc", "4242", "statm"), "utf8"))).toBe(127764 * 4096);
    expect(() => parseProcStat("garbage")).toThrow(/not a \/proc/);
  });

  it("reads a process from a /proc tree, and keeps the last reading when it exits: a partial estimate", async () => {
    const meter = new ProcessCpuMeter({ pid: 4242 }, { procRoot: join(FIXTURES, "proc") });
    expect(await meter.read()).toEqual({ cpu_s: 777, rss_bytes: 127764 * 4096 });
    const gone = new ProcessCpuMeter({ pid: 4242 }, { procRoot: join(FIXTURES, "proc") });
    await gone.read();
    (gone as unknown as { options: { procRoot: string } }).options.procRoot = join(FIXTURES, "no-such-proc");
    expect(await gone.read()).toEqual({ cpu_s: 777, rss_bytes: 127764 * 4096 });
    expect(gone.exitedNote).toMatch(/pid 4242.*partial estimate/);
    const never = new ProcessCpuMeter({ pid: 999999 }, { procRoot: join(FIXTURES, "proc") });
    expect(await never.read()).toBeNull();
  });

  it("reads its own process for the in-process runner", async () => {
    const meter = new ProcessCpuMeter("self");
    const a = await meter.read();
    let x = 0;
    for (let i = 0; i < 2e6; i++) x += Math.sqrt(i);
    const b = await meter.read();
    expect(x).toBeGreaterThan(0);
    expect(b!.cpu_s).toBeGreaterThan(a!.cpu_s);
    expect(b!.rss_bytes).toBeGreaterThan(0);
  });
});

describe("a GPU's rated power", () => {
  it("matches the backend's device names and sums the boards, with a band under the rating", () => {
    const r = gpuRatedPower("cuda", [
      "CUDA0: NVIDIA H100 80GB HBM3 (81079 MiB, 80000 MiB free)",
      "CUDA1: NVIDIA H100 80GB HBM3 (81079 MiB, 80000 MiB free)",
    ]);
    expect(r).toMatchObject({
      found: true,
      rated: { rated_w: 1400, name: "H100 SXM5 ×2", low_factor: 0.25, high_factor: 1 },
    });
    expect(gpuRatedPower("cuda", ["NVIDIA H100 PCIe"])).toMatchObject({ rated: { rated_w: 350 } });
    expect(gpuRatedPower("cuda", ["Some Future GPU"])).toMatchObject({
      found: false,
      hint: "no rated power known for Some Future GPU",
    });
    expect(gpuRatedPower("metal", [])).toMatchObject({
      found: false,
      hint: expect.stringContaining("sudo powermetrics"),
    });
  });
});

describe("an attached server on this host", () => {
  it("is found by the socket listening on its port (/proc/net/tcp), not by a connection to it", async () => {
    const { listeningInodes, isLoopback } = await import("../../src/host/listening-process.ts");
    const tcp = readFileSync(join(FIXTURES, "proc", "net", "tcp"), "utf8");
    expect(listeningInodes(tcp, 8080)).toEqual(["781461"]); // 0x1F90, state 0A; the 01 line is a connection
    expect(listeningInodes(tcp, 2024)).toEqual(["1248"]);
    expect(listeningInodes(tcp, 9999)).toEqual([]);
    expect([
      isLoopback("http://localhost:8080"),
      isLoopback("http://127.0.0.1:1"),
      isLoopback("http://[::1]:8080"),
    ]).toEqual([true, true, true]);
    expect(isLoopback("http://gpu-box:8080")).toBe(false);
  });
});
