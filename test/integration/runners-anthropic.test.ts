/**
 * The anthropic runner against a REAL llama-server (it serves /v1/messages) started with
 * `--api-key`, which it checks in `x-api-key`: streamed and whole, identity, and usage converted
 * to the canonical convention (llama-server, like Anthropic, reports cache reads apart from
 * `input_tokens`; canonical input is their sum, equal to the chat endpoint's prompt_tokens).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { AnthropicModel } from "../../runners/anthropic.ts";
import { anthropicRunner, createAnthropicRunner } from "../../runners/anthropic.ts";
import { CallError } from "../../src/core/errors.ts";
import type { Runner } from "../../src/core/runner.ts";
import { startLlamaServer, type TestServer } from "../helpers/llama-server.ts";
import {
  collect,
  expectWellFormed,
  failure,
  only,
  request,
  runnerContext,
  textOf,
} from "../helpers/runner-events.ts";

const KEY = "sk-ant-opbench-live-test-91b2";

let server: TestServer;
let servedModel: string;

beforeAll(async () => {
  server = await startLlamaServer({ slots: 2, args: ["--api-key", KEY] });
  const models = await fetch(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } });
  servedModel = ((await models.json()) as { data: { id: string }[] }).data[0]!.id;
});
afterAll(async () => {
  await server?.stop();
});
vi.stubEnv("ANTHROPIC_API_KEY", KEY);

function claude(extra: Partial<AnthropicModel> = {}): Runner {
  return createAnthropicRunner({
    id: "claude",
    runner: "anthropic",
    model: "tiny",
    base_url: server.url,
    ...extra,
  } as AnthropicModel);
}

/** prompt_tokens of the same request on the chat endpoint, from the server itself. */
async function chatPromptTokens(system: string, prompt: string): Promise<number> {
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: JSON.stringify({
      messages: [
        { role: "system", content: system },
        { role: "user", content: prompt },
      ],
      max_tokens: 1,
    }),
  });
  return ((await response.json()) as { usage: { prompt_tokens: number } }).usage.prompt_tokens;
}

describe("anthropic runner against llama-server's /v1/messages", () => {
  it.each([true, false])("stream=%s: well-formed events, canonical usage, id and model", async (stream) => {
    const runner = claude({ extra_body: { ignore_eos: true } });
    const backend = await runner.startup?.(runnerContext());
    expect(backend).toMatchObject({
      device: "remote",
      provider: "anthropic",
      api_key_env: "ANTHROPIC_API_KEY",
    });
    const req = { system: "Answer in French.", prompt: `Name a colour (${stream}).`, maxTokens: 7, stream };
    const events = await collect(runner, request(req));
    expectWellFormed(events);
    expect(textOf(events)).not.toBe("");
    const usage = only(events, "usage").usage;
    expect(usage.outputTokens).toBe(7);
    // Canonical input = uncached + cache reads + cache writes = the chat endpoint's prompt_tokens.
    expect(usage.inputTokens).toBe(await chatPromptTokens(req.system, req.prompt));
    expect(usage.cachedInputTokens).toBeDefined();
    expect(usage.cachedInputTokens!).toBeLessThanOrEqual(usage.inputTokens!);
    const response = only(events, "response");
    expect(response.model).toBe(servedModel);
    expect(response.id).toMatch(/\S/);
    expect(response.finishReason).toBe("length"); // Anthropic's max_tokens, in the records' words
    const deltas = events.filter((e) => e.type === "delta");
    if (stream) expect(deltas.length).toBeGreaterThan(1);
    else expect(deltas).toHaveLength(1);
  });

  it("stops at a stop sequence it sends as stop_sequences", async () => {
    // Generate once (greedy), then again with the text's second character as a stop sequence.
    const runner = claude();
    const req = { prompt: "Say anything.", maxTokens: 12, temperature: 0, seed: 7 };
    const first = textOf(await collect(runner, request(req)));
    expect(first.length).toBeGreaterThan(2);
    const stop = first.slice(1, 2);
    const stopped = await collect(runner, request({ ...req, stop: [stop] }));
    expect(textOf(stopped)).toBe(first.slice(0, first.indexOf(stop)));
    expect(only(stopped, "response").finishReason).toBe("stop");
  });

  it("fails with http_4xx on a wrong key, and the key is not in the message", async () => {
    vi.stubEnv("OPBENCH_TEST_WRONG_ANTHROPIC_KEY", "sk-ant-wrong-key-0000");
    const runner = claude({ api_key_env: "OPBENCH_TEST_WRONG_ANTHROPIC_KEY" });
    const error = (await failure(runner, request())) as CallError;
    expect(error).toBeInstanceOf(CallError);
    expect(error).toMatchObject({ errorClass: "http_4xx", status: 401 });
    expect(error.message).not.toContain("sk-ant-wrong-key-0000");
  });

  it("declares ANTHROPIC_API_KEY (or api_key_env) and anthropic pricing", () => {
    const base = { id: "c", runner: "anthropic", model: "claude-haiku-4-5" } as AnthropicModel;
    expect(anthropicRunner.secretEnv?.(base)).toEqual(["ANTHROPIC_API_KEY"]);
    expect(anthropicRunner.secretEnv?.({ ...base, api_key_env: "CLAUDE_KEY" })).toEqual(["CLAUDE_KEY"]);
    expect(anthropicRunner.pricingProvider?.(base)).toBe("anthropic");
  });
});
