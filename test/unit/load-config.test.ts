import { describe, expect, it } from "vitest";
import yargs from "yargs";
import type { LoadArgs } from "../../src/cli/load-command.ts";
import { loadCommandOptions } from "../../src/cli/load-options.ts";
import {
  describeLoad,
  LOAD_DEFAULTS,
  LoadConfigError,
  parseNumberList,
  parseSlo,
  resolveLoad,
} from "../../src/load/config.ts";
import { loadSuiteText } from "../../src/suite/load.ts";
import { LoadConfig } from "../../src/suite/load-schema.ts";

describe("resolveLoad", () => {
  it("uses the defaults with no section and no flags: automatic concurrency sweep for 20 s steps", () => {
    const load = resolveLoad(undefined);
    expect(load).toMatchObject({
      mode: "concurrency",
      concurrency: null,
      maxConcurrency: 64,
      minGain: 0.05,
      durationMs: 20_000,
      requests: null,
      warmup: 0,
      slo: {},
      attainment: 0.9,
      seed: 1,
      serverMetrics: true,
      metricsIntervalMs: 1000,
    });
  });

  it("takes the suite's section, and flags over it", () => {
    const section = LoadConfig.parse({
      model: "small",
      concurrency: [1, 2, 4],
      requests: 50,
      slo: { ttft_ms: 300 },
      attainment: 0.95,
      metrics_interval: "250ms",
    });
    const fromSection = resolveLoad(section);
    expect(fromSection).toMatchObject({
      model: "small",
      concurrency: [1, 2, 4],
      requests: 50,
      durationMs: null, // bounded by the request count alone
      slo: { ttft_ms: 300 },
      attainment: 0.95,
      metricsIntervalMs: 250,
    });
    const overridden = resolveLoad(section, {
      concurrency: "8,16",
      duration: "5s",
      slo: "tpot_ms=40,e2e_ms=3000",
      model: "other",
    });
    expect(overridden).toMatchObject({
      model: "other",
      concurrency: [8, 16],
      requests: 50,
      durationMs: 5000,
      slo: { tpot_ms: 40, e2e_ms: 3000 }, // the flag replaces the section's SLO as a whole
    });
  });

  it("infers rate mode from --rates and demands rates in rate mode", () => {
    expect(resolveLoad(undefined, { rates: "1,2.5,5" })).toMatchObject({ mode: "rate", rates: [1, 2.5, 5] });
    expect(() => resolveLoad(undefined, { mode: "rate" })).toThrow(/rate mode needs request rates/);
    expect(() => resolveLoad(LoadConfig.parse({ mode: "rate" }))).toThrow(LoadConfigError);
    expect(resolveLoad(LoadConfig.parse({ mode: "rate", rates: [3] }))).toMatchObject({
      mode: "rate",
      rates: [3],
    });
  });

  it("rejects bad flag values with the flag's name", () => {
    expect(() => resolveLoad(undefined, { mode: "burst" })).toThrow(/--mode must be concurrency or rate/);
    expect(() => resolveLoad(undefined, { requests: 0 })).toThrow(/--requests must be a positive integer/);
    expect(() => resolveLoad(undefined, { warmup: -1 })).toThrow(/--warmup/);
    expect(() => resolveLoad(undefined, { attainment: 1.5 })).toThrow(/--attainment/);
    expect(() => resolveLoad(undefined, { duration: "soon" })).toThrow(/--duration/);
    expect(resolveLoad(undefined, { duration: "2.5" }).durationMs).toBe(2500);
  });

  it("records its settings in snake_case with units", () => {
    const described = describeLoad(resolveLoad(undefined, { rates: "2", requests: 10 }));
    expect(described).toMatchObject({
      mode: "rate",
      rates_per_s: [2],
      requests: 10,
      duration_ms: null,
      concurrency: "auto",
    });
    expect(LOAD_DEFAULTS.attainment).toBe(0.9);
  });
});

describe("flag parsers", () => {
  it("parses number lists and says what is wrong", () => {
    expect(parseNumberList("concurrency", "1, 2,4", true)).toEqual([1, 2, 4]);
    expect(parseNumberList("rates", "0.5,2", false)).toEqual([0.5, 2]);
    expect(() => parseNumberList("concurrency", "1,2.5", true)).toThrow(/positive integers/);
    expect(() => parseNumberList("rates", "1,,2", false)).toThrow(/--rates/);
    expect(() => parseNumberList("rates", "-1", false)).toThrow(/positive numbers/);
  });

  it("parses SLOs in milliseconds and rejects unknown keys and bad values", () => {
    expect(parseSlo("ttft_ms=500,tpot_ms=50")).toEqual({ ttft_ms: 500, tpot_ms: 50 });
    expect(() => parseSlo("ttft=500")).toThrow(/keys: ttft_ms, tpot_ms, e2e_ms/);
    expect(() => parseSlo("ttft_ms=fast")).toThrow(/--slo: ttft_ms/);
    expect(() => parseSlo("ttft_ms")).toThrow(/key=value/);
  });
});

describe("the suite's load: section", () => {
  const suite = (load: string[]) =>
    [
      "name: s",
      "models: [{id: m, runner: llamacpp, url: 'http://127.0.0.1:9'}]",
      "tasks: [{id: t, prompt: 'Say {{q}}', dataset: [{q: a}]}]",
      ...load,
    ].join("\n");

  it("is validated with the rest of the suite and carried, as written, by the resolved suite", async () => {
    const loaded = await loadSuiteText(
      suite(["load:", "  concurrency: [1, 4]", "  slo: {e2e_ms: 900}"]),
      "s.yaml",
    );
    expect(loaded.load).toEqual({ concurrency: [1, 4], slo: { e2e_ms: 900 } });
    expect(resolveLoad(loaded.load)).toMatchObject({ concurrency: [1, 4], slo: { e2e_ms: 900 } });
    expect((await loadSuiteText(suite([]), "s.yaml")).load).toBeUndefined();
  });

  it("names an invalid key with its line and column", async () => {
    await expect(loadSuiteText(suite(["load:", "  concurrency: [0]"]), "s.yaml")).rejects.toThrow(
      /s\.yaml:5:\d+: load\.concurrency\[0\]/,
    );
    await expect(loadSuiteText(suite(["load:", "  bogus: 1"]), "s.yaml")).rejects.toThrow(
      /s\.yaml:5:\d+: load/,
    );
  });
});

describe("opbench load command line", () => {
  /** Parses like main.ts registers the command, returning the settings the flags resolve to. */
  async function parse(argv: string[]) {
    let args: LoadArgs | undefined;
    await yargs(argv)
      .command("load <suite>", "load sweep", loadCommandOptions, (parsed) => {
        args = parsed;
      })
      .strict()
      .fail((message) => {
        throw new Error(message);
      })
      .parseAsync();
    return { args: args!, load: resolveLoad(undefined, args!) };
  }

  it("maps every flag onto the settings", async () => {
    const { args, load } = await parse([
      "load",
      "s.yaml",
      "--model",
      "small",
      "--rates",
      "1,2.5",
      "--duration",
      "5s",
      "--requests",
      "30",
      "--warmup",
      "2",
      "--slo",
      "ttft_ms=500",
      "--attainment",
      "0.95",
      "--max-in-flight",
      "8",
      "--max-tokens",
      "64",
      "--seed",
      "9",
      "--no-server-metrics",
      "--out",
      "runs/x",
    ]);
    expect(args).toMatchObject({ suite: "s.yaml", out: "runs/x", json: false });
    expect(load).toMatchObject({
      model: "small",
      mode: "rate",
      rates: [1, 2.5],
      durationMs: 5000,
      requests: 30,
      warmup: 2,
      slo: { ttft_ms: 500 },
      attainment: 0.95,
      maxInFlight: 8,
      maxTokens: 64,
      seed: 9,
      serverMetrics: false,
    });
    const auto = await parse(["load", "s.yaml", "--max-concurrency", "16", "--min-gain", "0.1"]);
    expect(auto.load).toMatchObject({
      mode: "concurrency",
      concurrency: null,
      maxConcurrency: 16,
      minGain: 0.1,
    });
  });

  it("rejects unknown flags and modes", async () => {
    await expect(parse(["load", "s.yaml", "--mode", "burst"])).rejects.toThrow(/Invalid values/);
    await expect(parse(["load", "s.yaml", "--concurency", "2"])).rejects.toThrow(/Unknown argument/);
  });
});
