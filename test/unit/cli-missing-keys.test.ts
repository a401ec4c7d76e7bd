import { describe, expect, it } from "vitest";
import { announceSkips, modelsToSkip, skippingPreparer } from "../../src/cli/missing-keys.ts";
import type { ModelServices } from "../../src/engine/services.ts";
import { INLINE_SOURCE, loadSuiteText } from "../../src/suite/load.ts";

const suiteText = `
name: skips
models:
  - {id: local, runner: llamacpp, url: "http://127.0.0.1:9"}
  - {id: big, runner: openai, model: gpt-4.1}
  - {id: small, runner: anthropic, model: claude-haiku-4-5, api_key_env: MY_CLAUDE_KEY}
savings:
  - {candidate: local, baseline: big}
  - {candidate: small, baseline: big}
  - {candidate: local, baseline: {projected: gpt-4.1-mini}}
tasks:
  - {id: t, prompt: "{{q}}", dataset: [{q: a, expected: a}]}
`;

describe("--skip-missing-keys", () => {
  it("skips exactly the models whose key variable is unset, naming it and the savings pairs it takes away", async () => {
    const suite = await loadSuiteText(suiteText, INLINE_SOURCE);
    const skips = modelsToSkip(suite, { OPENAI_API_KEY: "", MY_CLAUDE_KEY: "set" });
    expect([...skips.keys()]).toEqual(["big"]);
    expect(skips.get("big")).toBe(
      "skipped: OPENAI_API_KEY is not set (--skip-missing-keys); savings not compared: local vs big, small vs big",
    );
    const both = modelsToSkip(suite, {});
    expect(both.get("small")).toBe(
      "skipped: MY_CLAUDE_KEY is not set (--skip-missing-keys); savings not compared: small vs big",
    );
    expect(modelsToSkip(suite, { OPENAI_API_KEY: "k", MY_CLAUDE_KEY: "k" }).size).toBe(0);
    expect(announceSkips(suite, both)).toEqual({
      lines: [`opbench: model big ${both.get("big")}`, `opbench: model small ${both.get("small")}`],
    });
  });

  it("refuses when every model would be skipped: nothing would run", async () => {
    const suite = await loadSuiteText(
      "name: api-only\nmodels: [{id: big, runner: openai, model: gpt-4.1}]\ntasks: [{id: t, prompt: x, dataset: [{expected: a}]}]",
      INLINE_SOURCE,
    );
    const result = announceSkips(suite, modelsToSkip(suite, {}));
    expect(result).toEqual({
      error:
        "--skip-missing-keys would skip every model of the suite; no call was made. Set the keys: big: OPENAI_API_KEY is not set (--skip-missing-keys)",
    });
  });

  it("gives a skipped model a runner that does not start, and leaves the others to the real preparer", async () => {
    const suite = await loadSuiteText(suiteText, INLINE_SOURCE);
    const prepared: string[] = [];
    const real = (model: { id: string }): ModelServices => {
      prepared.push(model.id);
      return { runner: { generate: () => (async function* () {})() }, locality: "local" };
    };
    const prepare = skippingPreparer(real, new Map([["big", "skipped: OPENAI_API_KEY is not set"]]));
    const big = prepare(suite.models.find((m) => m.id === "big")!);
    await expect(big.runner.startup!({} as never)).rejects.toThrow("skipped: OPENAI_API_KEY is not set");
    expect(() => big.runner.generate({} as never)).toThrow("skipped: OPENAI_API_KEY is not set");
    prepare(suite.models.find((m) => m.id === "local")!);
    expect(prepared).toEqual(["local"]); // the skipped model's runner was never built
    expect(skippingPreparer(real, new Map())).toBe(real);
  });
});
