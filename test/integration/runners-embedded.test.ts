/**
 * The embedded runner (node-llama-cpp in-process) with the tiny test model on one CPU thread:
 * events, exact token usage, grammar and JSON-schema output, concurrent sequences, aborts.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmbeddedRunner } from "../../runners/embedded.ts";
import type { EmbeddedModel } from "../../runners/embedded-config.ts";
import { defaultThreads } from "../../runners/embedded-llama.ts";
import { CallError } from "../../src/core/errors.ts";
import type { BackendInfo, Runner } from "../../src/core/runner.ts";
import { writeLoraAdapter } from "../../src/demo-model/index.ts";
import { TINY_MODEL } from "../helpers/llama-server.ts";
import {
  collect,
  expectWellFormed,
  failure,
  only,
  request,
  runnerContext,
  textOf,
} from "../helpers/runner-events.ts";

let runner: Runner;
let info: BackendInfo | undefined;

beforeAll(async () => {
  runner = createEmbeddedRunner({
    id: "tiny",
    runner: "embedded",
    model: TINY_MODEL,
    threads: 1,
    gpu: false,
  } as EmbeddedModel);
  info = await runner.startup?.(runnerContext(2));
});
afterAll(async () => {
  await runner?.shutdown?.();
  await runner?.shutdown?.(); // safe twice
});

describe("embedded runner", () => {
  it("describes the backend", () => {
    expect(info).toMatchObject({
      device: "cpu",
      gpu: false,
      threads: 1,
      model_path: TINY_MODEL,
      model_file_bytes: 1_750_560,
      demo_model: false,
      sequences: 2,
      ctx_per_sequence: 4096,
    });
  });

  it("streams well-formed events with the engine's exact token counts", async () => {
    const events = await collect(runner, request({ maxTokens: 12, temperature: 0.8, seed: 1 }));
    expectWellFormed(events);
    const usage = only(events, "usage").usage;
    const response = only(events, "response");
    expect(usage.inputTokens).toBeGreaterThan(0);
    // The random model rarely emits its end token: either it ran to max_tokens, or it stopped.
    if (response.finishReason === "length") expect(usage.outputTokens).toBe(12);
    else expect(usage.outputTokens).toBeLessThan(12);
    expect(response.model).toBe("llama-2-tiny-random.gguf");
  });

  it("counts one output token per generated digit under a digits grammar", async () => {
    const events = await collect(
      runner,
      request({
        maxTokens: 10,
        temperature: 1,
        seed: 2,
        structured: { type: "grammar", grammar: "root ::= [0-9]{10}" },
      }),
    );
    expect(textOf(events)).toMatch(/^[0-9]{10}$/);
    // Ten digit tokens; a token ending the grammar may follow but max_tokens stops first.
    expect(only(events, "usage").usage.outputTokens).toBe(10);
  });

  it("answers without streaming with one delta at the end", async () => {
    const events = await collect(runner, request({ maxTokens: 6, stream: false }));
    expectWellFormed(events);
    const deltas = events.filter((e) => e.type === "delta");
    expect(deltas).toHaveLength(1);
    expect(deltas[0]?.t).toBe(only(events, "end").t);
  });

  it("keeps grammar-constrained labels within the grammar", async () => {
    const grammar = 'root ::= "alpha" | "beta" | "gamma"';
    for (let seed = 0; seed < 10; seed++) {
      const events = await collect(
        runner,
        request({ maxTokens: 10, temperature: 1, seed, structured: { type: "grammar", grammar } }),
      );
      expect(["alpha", "beta", "gamma"]).toContain(textOf(events));
    }
  });

  it("returns JSON that validates against the schema", async () => {
    const schema = {
      type: "object",
      properties: { label: { enum: ["spam", "ham"] }, confident: { type: "boolean" } },
      required: ["label", "confident"],
      additionalProperties: false,
    };
    const validate = new Ajv().compile(schema);
    for (const seed of [1, 2, 3]) {
      const events = await collect(
        runner,
        request({ maxTokens: 40, temperature: 1, seed, structured: { type: "json_schema", schema } }),
      );
      const value: unknown = JSON.parse(textOf(events));
      expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it("runs two calls at once on two sequences, and a third waits for a free one", async () => {
    const results = await Promise.all(
      [1, 2, 3].map((seed) => collect(runner, request({ maxTokens: 8, temperature: 0.8, seed }))),
    );
    for (const events of results) expectWellFormed(events);
    const [a, b, c] = results.map((events) => ({ sent: only(events, "sent").t, end: only(events, "end").t }));
    // The first two overlap; the third is sent only once one of them has finished.
    expect(Math.max(a!.sent, b!.sent)).toBeLessThan(Math.min(a!.end, b!.end));
    expect(c!.sent).toBeGreaterThanOrEqual(Math.min(a!.end, b!.end));
  });

  it("gives identical greedy output for the same prompt (sequences start empty)", async () => {
    const greedy = request({ prompt: "Same prompt", maxTokens: 12, temperature: 0 });
    const first = textOf(await collect(runner, greedy));
    expect(textOf(await collect(runner, greedy))).toBe(first);
  });

  it("stops on an abort with the signal's CallError, and frees the sequence", async () => {
    const controller = new AbortController();
    let caught: unknown;
    try {
      for await (const event of runner.generate(request({ maxTokens: 2000, signal: controller.signal }))) {
        if (event.type === "delta") controller.abort(new CallError("timeout", "too slow"));
      }
    } catch (error) {
      caught = error;
    }
    expect((caught as CallError).errorClass).toBe("timeout");
    const aborted = new AbortController();
    aborted.abort();
    expect(((await failure(runner, request({ signal: aborted.signal }))) as CallError).errorClass).toBe(
      "aborted",
    );
    // Both sequences are free again: two calls run to the end.
    await Promise.all([1, 2].map(() => collect(runner, request({ maxTokens: 2 }))));
  });
});

describe("embedded runner with a LoRA adapter", () => {
  it("applies the adapter: greedy output differs from the base model's", async () => {
    const adapter = join(mkdtempSync(join(tmpdir(), "opbench-lora-")), "adapter.gguf");
    await writeLoraAdapter(adapter, { baseModelPath: TINY_MODEL, magnitude: 2 });
    const tuned = createEmbeddedRunner({
      id: "tuned",
      runner: "embedded",
      model: TINY_MODEL,
      threads: 1,
      gpu: false,
      lora: [{ path: adapter, scale: 1 }],
    } as EmbeddedModel);
    try {
      const tunedInfo = await tuned.startup?.(runnerContext(1));
      expect(tunedInfo?.lora).toEqual([{ path: adapter, scale: 1 }]);
      const greedy = request({ prompt: "Once upon a time", maxTokens: 16, temperature: 0 });
      const baseText = textOf(await collect(runner, greedy));
      const tunedText = textOf(await collect(tuned, greedy));
      expect(textOf(await collect(tuned, greedy))).toBe(tunedText);
      expect(tunedText).not.toBe(baseText);
    } finally {
      await tuned.shutdown?.();
    }
  });
});

describe("embedded runner without a model path", () => {
  it("runs opbench's demo model and says so", async () => {
    const previous = process.env.OPBENCH_CACHE_DIR;
    process.env.OPBENCH_CACHE_DIR = mkdtempSync(join(tmpdir(), "opbench-cache-"));
    const demo = createEmbeddedRunner({
      id: "demo",
      runner: "embedded",
      threads: 1,
      gpu: false,
    } as EmbeddedModel);
    try {
      const ctx = runnerContext(1);
      const demoInfo = await demo.startup?.(ctx);
      expect(demoInfo?.demo_model).toBe(true);
      expect(String(demoInfo?.model_path)).toContain(process.env.OPBENCH_CACHE_DIR);
      expect(ctx.logs.join("\n")).toMatch(/DEMO model/);
      expectWellFormed(await collect(demo, request({ system: "You are a demo.", maxTokens: 4 })));
    } finally {
      await demo.shutdown?.();
      if (previous === undefined) delete process.env.OPBENCH_CACHE_DIR;
      else process.env.OPBENCH_CACHE_DIR = previous;
    }
  });
});

describe("defaultThreads", () => {
  it("leaves a core to the event loop, with at least 1 and at most 8 threads", () => {
    expect(defaultThreads(1)).toBe(1);
    expect(defaultThreads(2)).toBe(1);
    expect(defaultThreads(4)).toBe(3);
    expect(defaultThreads(64)).toBe(8);
  });
});
