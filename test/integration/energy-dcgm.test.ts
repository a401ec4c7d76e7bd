import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { DcgmSource } from "../../src/energy/dcgm.ts";

const page = readFileSync(new URL("../../fixtures/energy/dcgm-mig-2gpu.prom", import.meta.url), "utf8");

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** Serves the fixture page; each scrape, GPU 0's counter advances by `stepMj[i]` (repeated last). */
async function exporter(stepMj: number[]): Promise<string> {
  let scrapes = 0;
  let gpu0 = 257858316;
  server = createServer((_req, res) => {
    gpu0 += scrapes === 0 ? 0 : (stepMj[Math.min(scrapes - 1, stepMj.length - 1)] ?? 0);
    scrapes++;
    res.setHeader("content-type", "text/plain; version=0.0.4");
    res.end(page.replaceAll("} 257858316", `} ${gpu0}`));
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

describe("DcgmSource", () => {
  it("turns the mJ counter into joules over HTTP, counting the MIG-split GPU once", async () => {
    const url = await exporter([1500, 2500]);
    const source = new DcgmSource({ url });
    await source.start(); // scrape 1
    expect(source.gpuKeys).toHaveLength(2);
    const first = await source.read(); // scrape 2: +1.5 J on GPU 0
    const second = await source.read(); // scrape 3: +2.5 J
    expect(first.joules).toBeCloseTo(1.5, 9);
    expect(second.joules).toBeCloseTo(4, 9);
    expect(second.t).toBeGreaterThanOrEqual(first.t);
    expect(source.unchangedReads).toBe(0);
    expect(source.description).toBe(`all GPUs via DCGM exporter ${url}`);
  });

  it("counts scrapes that found the exporter's values unchanged", async () => {
    const url = await exporter([0, 0, 1000]);
    const source = new DcgmSource({ url, gpus: ["0"] });
    await source.start();
    await source.read();
    await source.read();
    const third = await source.read();
    expect(source.unchangedReads).toBe(2);
    expect(third.joules).toBeCloseTo(1, 9);
  });

  it("explains a missing metric and an unreachable exporter", async () => {
    const url = await exporter([0]);
    await expect(new DcgmSource({ url, gpus: ["7"] }).start()).rejects.toThrow(
      /no DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION series for GPU 7/,
    );
    await expect(
      new DcgmSource({ url: "http://127.0.0.1:1/metrics", timeoutMs: 2000 }).start(),
    ).rejects.toThrow(/cannot scrape the DCGM exporter.*dcgm-exporter serves :9400\/metrics/);
  });
});
