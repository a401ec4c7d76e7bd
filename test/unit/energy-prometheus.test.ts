import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parsePrometheusText, selectSamples } from "../../src/core/prometheus.ts";
import { gpuEnergyMillijoules } from "../../src/energy/dcgm.ts";

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/energy/${name}`, import.meta.url), "utf8");

describe("parsePrometheusText", () => {
  it("parses names, labels, values and timestamps, and skips comments", () => {
    const { samples, malformed } = parsePrometheusText(
      [
        "# HELP up Whether the target is up.",
        "# TYPE up gauge",
        "up 1",
        'http_requests_total{method="post",code="200"} 1027 1395066363000',
        'odd{path="C:\\\\dir",quote="say \\"hi\\"",nl="a\\nb"} 1.5e+03',
        'spaced{ a = "1" , b="2", } -Inf',
        "nan_metric NaN",
      ].join("\n"),
    );
    expect(malformed).toBe(0);
    expect(samples).toEqual([
      { name: "up", labels: {}, value: 1, timestampMs: null },
      {
        name: "http_requests_total",
        labels: { method: "post", code: "200" },
        value: 1027,
        timestampMs: 1395066363000,
      },
      {
        name: "odd",
        labels: { path: "C:\\dir", quote: 'say "hi"', nl: "a\nb" },
        value: 1500,
        timestampMs: null,
      },
      { name: "spaced", labels: { a: "1", b: "2" }, value: Number.NEGATIVE_INFINITY, timestampMs: null },
      { name: "nan_metric", labels: {}, value: Number.NaN, timestampMs: null },
    ]);
  });

  it("counts malformed lines instead of failing the scrape", () => {
    const { samples, malformed } = parsePrometheusText('ok 1\nbad{a="1" 2\nno_value\n{x="1"} 3\nok 2');
    expect(samples.map((s) => s.value)).toEqual([1, 2]);
    expect(malformed).toBe(3);
  });

  it("selects a metric by labels", () => {
    const { samples } = parsePrometheusText('m{gpu="0"} 1\nm{gpu="1"} 2\nn{gpu="0"} 3');
    expect(selectSamples(samples, "m", { gpu: "1" }).map((s) => s.value)).toEqual([2]);
  });
});

describe("DCGM exporter pages", () => {
  it("reads the energy counter of a real single-GPU page", () => {
    const { samples, malformed } = parsePrometheusText(fixture("dcgm-l40s.prom"));
    expect(malformed).toBe(0);
    expect(gpuEnergyMillijoules(samples)).toEqual(
      new Map([["GPU-5b4e07f6-3a86-4340-039d-25f2a83cdc43", 5551899580]]),
    );
  });

  it("counts a MIG-split GPU once and reads each GPU of a multi-GPU page", () => {
    const { samples, malformed } = parsePrometheusText(fixture("dcgm-mig-2gpu.prom"));
    expect(malformed).toBe(1);
    expect(gpuEnergyMillijoules(samples)).toEqual(
      new Map([
        ["GPU-1f027ee8-6e1e-2b8c-0108-3d370e5f0418", 257858316],
        ["GPU-4e75c9ab-0ed7-8a57-75f5-23761b9f053f", 142000000],
      ]),
    );
    expect([...gpuEnergyMillijoules(samples, { gpus: ["1"] }).values()]).toEqual([142000000]);
    expect(gpuEnergyMillijoules(samples, { labels: { Hostname: "elsewhere" } }).size).toBe(0);
  });
});
