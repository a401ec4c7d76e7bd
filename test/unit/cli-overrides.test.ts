import { describe, expect, it } from "vitest";
import { applyOverrides, givenOverrides, modelFromFlag, resumedOverrides } from "../../src/cli/overrides.ts";
import { tinySuite } from "../helpers/scripted-runner.ts";

const cases = ["a", "b", "c"].map((x, i) => ({ id: String(i + 1), prompt: x, expected: x }));

describe("command-line overrides", () => {
  it("--limit, --repeats, --warmup and --concurrency change a copy of the suite", () => {
    const suite = tinySuite({ cases, models: ["m1", "m2"] });
    const changed = applyOverrides(suite, { limit: 2, repeats: 3, warmup: 1, concurrency: 4 });
    expect([...changed.tasks[0]!.cases].map((c) => c.id)).toEqual(["1", "2"]);
    expect(changed).toMatchObject({ repeats: 3, warmup: 1 });
    expect(changed.models.map((m) => m.concurrency)).toEqual([4, 4]);
    expect(suite.tasks[0]!.cases).toHaveLength(3); // the original is untouched
    expect(givenOverrides({ limit: 2, model: undefined })).toEqual({ limit: 2 });
  });

  it("--model replaces the models: a URL attaches to llama-server, a file runs in-process", () => {
    const url = modelFromFlag("http://gpu-box:8080", 2);
    expect(url).toMatchObject({ id: "gpu-box:8080", runner: "llamacpp", concurrency: 2 });
    expect(url.config).toMatchObject({ runner: "llamacpp", url: "http://gpu-box:8080" });
    const file = modelFromFlag("models/Qwen3 4B.Q4_K_M.gguf", 1);
    expect(file).toMatchObject({ id: "Qwen3-4B.Q4_K_M", runner: "embedded" });
    expect((file.config as { model: string }).model).toMatch(/^\/.*models\/Qwen3 4B\.Q4_K_M\.gguf$/);
    const suite = applyOverrides(tinySuite({ cases, models: ["m1", "m2"] }), { model: "x.gguf" });
    expect(suite.models.map((m) => m.id)).toEqual(["x"]);
    expect(suite.savings).toEqual([]);
  });

  it("rejects numbers that make no sense, naming the flag", () => {
    const suite = tinySuite({ cases });
    expect(() => applyOverrides(suite, { concurrency: 0 })).toThrow(
      "--concurrency must be a positive integer, got 0",
    );
    expect(() => applyOverrides(suite, { limit: 1.5 })).toThrow("--limit must be a positive integer");
    expect(() => applyOverrides(suite, { warmup: -1 })).toThrow("--warmup must be a non-negative integer");
  });
});

describe("resumedOverrides", () => {
  it("keeps the recorded overrides, or takes new ones", () => {
    expect(resumedOverrides({ limit: 3, model: "m.gguf" }, {})).toEqual({ limit: 3, model: "m.gguf" });
    expect(resumedOverrides({ limit: 3 }, { limit: 5 })).toEqual({ limit: 5 });
  });

  it("asks for a --model URL whose credentials were masked, and takes it back when it matches", () => {
    const recorded = { limit: 3, model: "http://***@127.0.0.1:8080?token=***" };
    expect(() => resumedOverrides(recorded, {})).toThrow(/credentials are not recorded.*same --model URL/);
    expect(resumedOverrides(recorded, { model: "http://u:p@127.0.0.1:8080/?token=t" })).toEqual({
      limit: 3,
      model: "http://u:p@127.0.0.1:8080/?token=t",
    });
    // Another server is a new override, as any new flag is.
    expect(resumedOverrides(recorded, { model: "http://u:p@127.0.0.1:9090" })).toEqual({
      model: "http://u:p@127.0.0.1:9090",
    });
  });
});
