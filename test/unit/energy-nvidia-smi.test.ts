import { chmodSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { PowerIntegrator } from "../../src/energy/integrate.ts";
import {
  NvidiaSmiPowerSource,
  parseNvidiaSmiTimestamp,
  parsePowerLine,
  probePowerField,
} from "../../src/energy/nvidia-smi.ts";

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/energy/${name}`, import.meta.url), "utf8");
const fakeSmi = fileURLToPath(new URL("../../fixtures/energy/bin/nvidia-smi", import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(() => chmodSync(fakeSmi, 0o755));
afterEach(() => {
  delete process.env.FAKE_SMI_NO_INSTANT;
});

describe("parsing nvidia-smi output", () => {
  it("reads its timestamp as local time with milliseconds", () => {
    expect(parseNvidiaSmiTimestamp("2025/03/14 10:00:00.100")).toBe(
      new Date(2025, 2, 14, 10, 0, 0, 100).getTime(),
    );
    expect(parseNvidiaSmiTimestamp("2025/03/14 10:00:00")).toBe(new Date(2025, 2, 14, 10, 0, 0).getTime());
    expect(parseNvidiaSmiTimestamp("yesterday")).toBeNull();
  });

  it("parses sample lines, [N/A] values, and rejects other lines", () => {
    const stamp = new Date(2025, 2, 14, 10, 0, 0, 200).getTime();
    expect(parsePowerLine("2025/03/14 10:00:00.200, 0, 140.00", stamp + 30)).toEqual({
      gpu: "0",
      t: stamp,
      watts: 140,
    });
    expect(parsePowerLine("2025/03/14 10:00:00.200, 1, [N/A]", stamp)).toEqual({
      gpu: "1",
      t: stamp,
      watts: null,
    });
    expect(parsePowerLine(fixture("nvidia-smi-invalid-field.txt").split("\n")[0]!, stamp)).toBeNull();
    expect(parsePowerLine("timestamp, index, power.draw.instant [W]", stamp)).toBeNull();
  });

  it("distrusts a timestamp far from the arrival time (clock or time-zone trouble)", () => {
    const arrival = new Date(2025, 2, 14, 11, 0, 0).getTime();
    expect(parsePowerLine("2025/03/14 10:00:00.200, 0, 100", arrival)?.t).toBe(arrival);
  });

  it("integrates a recorded two-GPU trace per GPU", () => {
    // GPU 0: 100, 120, 140, 100 W at 0.1 s steps → 11 + 13 + 12 = 36 J.
    // GPU 1: 50 W with one [N/A] sample skipped → 50 W × 0.3 s = 15 J.
    const lines = fixture("nvidia-smi-power-2gpu.csv").trim().split("\n");
    const perGpu = new Map<string, PowerIntegrator>();
    for (const line of lines) {
      const sample = parsePowerLine(line, parseNvidiaSmiTimestamp(line.split(",")[0]!)!)!;
      if (sample.watts === null) continue;
      if (!perGpu.has(sample.gpu)) perGpu.set(sample.gpu, new PowerIntegrator());
      perGpu.get(sample.gpu)!.add({ t: sample.t, watts: sample.watts });
    }
    const end = new Date(2025, 2, 14, 10, 0, 0, 300).getTime();
    expect(perGpu.get("0")!.readingAt(end)!.joules).toBeCloseTo(36, 9);
    expect(perGpu.get("1")!.readingAt(end)!.joules).toBeCloseTo(15, 9);
  });
});

describe("probePowerField", () => {
  it("prefers power.draw.instant and falls back to power.draw on older drivers", async () => {
    expect(await probePowerField(fakeSmi)).toBe("power.draw.instant");
    process.env.FAKE_SMI_NO_INSTANT = "1";
    expect(await probePowerField(fakeSmi)).toBe("power.draw");
  });

  it("is null without nvidia-smi", async () => {
    expect(await probePowerField("/nonexistent/nvidia-smi")).toBeNull();
  });
});

describe("NvidiaSmiPowerSource", () => {
  it("samples both GPUs from one long-lived process and integrates their power", async () => {
    // The fake draws a constant 100 W + 50 W: energy between readings / time between them = 150 W.
    const source = new NvidiaSmiPowerSource({ command: fakeSmi, intervalMs: 50 });
    await source.start();
    try {
      const a = await source.read();
      await sleep(300);
      const b = await source.read();
      expect(b.t).toBeGreaterThan(a.t);
      expect((b.joules - a.joules) / ((b.t - a.t) / 1000)).toBeCloseTo(150, 6);
      expect(source.gpus.sort()).toEqual(["0", "1"]);
      expect(source.description).toBe("all GPUs power.draw.instant sampled every 50 ms by nvidia-smi");
    } finally {
      await source.stop();
    }
    await source.stop(); // twice is fine
  });

  it("measures only the GPUs asked for, with power.draw where instant is missing", async () => {
    process.env.FAKE_SMI_NO_INSTANT = "1";
    const source = new NvidiaSmiPowerSource({ command: fakeSmi, intervalMs: 50, gpus: [0] });
    await source.start();
    try {
      const a = await source.read();
      await sleep(200);
      const b = await source.read();
      expect((b.joules - a.joules) / ((b.t - a.t) / 1000)).toBeCloseTo(100, 6);
      expect(source.description).toMatch(/^GPU 0 power\.draw sampled/);
    } finally {
      await source.stop();
    }
  });

  it("says when nvidia-smi is missing", async () => {
    await expect(new NvidiaSmiPowerSource({ command: "/nonexistent/nvidia-smi" }).start()).rejects.toThrow(
      /not found/,
    );
  });
});
