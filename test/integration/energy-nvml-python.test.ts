import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { NvmlPythonSource } from "../../src/energy/nvml-python.ts";
import { EnergySourceError } from "../../src/energy/types.ts";

const dir = (name: string) => fileURLToPath(new URL(`../../fixtures/energy/${name}`, import.meta.url));
const env = (pythonPath: string, extra: Record<string, string> = {}) => ({
  ...process.env,
  PYTHONPATH: pythonPath,
  ...extra,
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The reader needs python3 (the fake pynvml stands in for the NVIDIA library, not for Python).
const hasPython = spawnSync("python3", ["--version"]).status === 0;

// Elsewhere the tests below skip without python3; CI must run them (.ci/run installs it).
it.runIf(process.env.CI)("python3 is installed, so CI runs the NVML tests instead of skipping them", () => {
  expect(hasPython, "python3 not found on PATH (Debian: apt-get install python3)").toBe(true);
});

describe.skipIf(!hasPython)("NvmlPythonSource (against a fake pynvml)", () => {
  it("reads the total-energy counters of all GPUs through one python process", async () => {
    // The fake's counters grow at 250 W + 100 W.
    const source = new NvmlPythonSource({ env: env(dir("pynvml-fake")) });
    await source.start();
    try {
      const a = await source.read();
      await sleep(250);
      const b = await source.read();
      expect(Math.abs((b.joules - a.joules) / ((b.t - a.t) / 1000) - 350)).toBeLessThan(350 * 0.01);
      expect(source.description).toBe("GPU 0+1 NVML total-energy counter (python3 + pynvml)");
      expect(source.resets).toBe(0);
    } finally {
      await source.stop();
    }
  });

  it("sums only the GPUs asked for", async () => {
    const source = new NvmlPythonSource({ env: env(dir("pynvml-fake")), gpus: [1] });
    await source.start();
    try {
      const a = await source.read();
      await sleep(250);
      const b = await source.read();
      expect(Math.abs((b.joules - a.joules) / ((b.t - a.t) / 1000) - 100)).toBeLessThan(1);
    } finally {
      await source.stop();
    }
  });

  it("reports a GPU without the counter (pre-Volta) with the fallback hint", async () => {
    const source = new NvmlPythonSource({ env: env(dir("pynvml-fake"), { FAKE_NVML_NOT_SUPPORTED: "1" }) });
    const error = await source.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnergySourceError);
    expect((error as Error).message).toMatch(/NVMLError_NotSupported: Not Supported/);
    expect((error as EnergySourceError).hint).toMatch(/nvidia-ml-py/);
  });

  it("reports a host without pynvml", async () => {
    const source = new NvmlPythonSource({ env: env(dir("pynvml-missing")) });
    await expect(source.start()).rejects.toThrow(/cannot import pynvml/);
  });

  it("reports a host without python3", async () => {
    await expect(new NvmlPythonSource({ python: "/nonexistent/python3" }).start()).rejects.toThrow(
      /python3 not found/,
    );
  });
});
