/**
 * The openai and openai-compatible runners against a REAL llama-server (it serves
 * /v1/chat/completions and /v1/responses) started with `--api-key`, so the key really is checked:
 * Chat Completions and the Responses API, streamed and whole, token counts, identity, JSON schema.
 */
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenAICompatibleModel, OpenAIModel } from "../../runners/openai.ts";
import { createOpenAIRunner, openaiCompatibleRunner, openaiRunner } from "../../runners/openai.ts";
import { CallError } from "../../src/core/errors.ts";
import type { Runner, RunnerEvent } from "../../src/core/runner.ts";
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

const KEY = "sk-opbench-live-test-7f3a9c01";
const KEY_ENV = "OPBENCH_TEST_OPENAI_KEY";

let server: TestServer;
/** The same model without Jinja templating: JSON schemas work there for this tokenizer (see runners-llamacpp.test.ts). */
let noJinjaServer: TestServer;
let servedModel: string;

beforeAll(async () => {
  [server, noJinjaServer] = await Promise.all([
    startLlamaServer({ slots: 2, args: ["--api-key", KEY] }),
    startLlamaServer({ slots: 1, args: ["--api-key", KEY, "--no-jinja"] }),
  ]);
  const models = await fetch(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } });
  servedModel = ((await models.json()) as { data: { id: string }[] }).data[0]!.id;
});
afterAll(async () => {
  await Promise.all([server?.stop(), noJinjaServer?.stop()]);
});
vi.stubEnv(KEY_ENV, KEY);

function openai(extra: Partial<OpenAIModel> = {}, target = server): Runner {
  return createOpenAIRunner({
    id: "gpt",
    runner: "openai",
    model: "tiny",
    base_url: `${target.url}/v1`,
    api_key_env: KEY_ENV,
    ...extra,
  } as OpenAIModel);
}

const response = (events: RunnerEvent[]) => only(events, "response");
const sentAt = (events: RunnerEvent[]) => only(events, "sent").t;

describe.each(["chat", "responses"] as const)("openai runner, %s API", (api) => {
  it.each([true, false])(
    "stream=%s: well-formed events, the server's usage, id and model",
    async (stream) => {
      // ignore_eos (a llama-server extra, through extra_body): the call runs to max tokens.
      const runner = openai({ api, extra_body: { ignore_eos: true } });
      const backend = await runner.startup?.(runnerContext());
      expect(backend).toMatchObject({
        device: "remote",
        provider: "openai",
        api,
        base_url: `${server.url}/v1`,
      });
      const events = await collect(runner, request({ maxTokens: 6, stream, temperature: 0, seed: 1 }));
      expectWellFormed(events);
      expect(textOf(events)).not.toBe("");
      const usage = only(events, "usage").usage;
      expect(usage.outputTokens).toBe(6); // the max-tokens field this runner sends is the one honoured
      expect(usage.inputTokens).toBeGreaterThan(0);
      expect(usage.cachedInputTokens).toBeLessThanOrEqual(usage.inputTokens!);
      expect(response(events).id).toMatch(api === "chat" ? /^chatcmpl-/ : /^resp_/);
      expect(response(events).model).toBe(servedModel);
      const deltas = events.filter((e) => e.type === "delta");
      const end = only(events, "end").t;
      if (stream) {
        expect(deltas.length).toBeGreaterThan(1);
        expect(deltas[0]!.t - sentAt(events)).toBeLessThanOrEqual(end - sentAt(events)); // TTFT ≤ e2e
      } else {
        expect(deltas).toHaveLength(1);
        expect(deltas[0]!.t).toBe(end);
      }
    },
  );

  it("reports the same prompt size as the other protocol: one server, one tokenisation", async () => {
    const other = api === "chat" ? "responses" : "chat";
    const req = { prompt: "Count the apples.", system: "Be brief.", maxTokens: 2, temperature: 0 };
    const [mine, theirs] = await Promise.all([
      collect(openai({ api }), request(req)),
      collect(openai({ api: other }), request(req)),
    ]);
    expect(only(mine, "usage").usage.inputTokens).toBe(only(theirs, "usage").usage.inputTokens);
  });

  it("fails with http_4xx on a wrong key, and the key is not in the message", async () => {
    vi.stubEnv("OPBENCH_TEST_WRONG_KEY", "sk-opbench-wrong-key-55aa");
    const error = (await failure(
      openai({ api, api_key_env: "OPBENCH_TEST_WRONG_KEY" }),
      request(),
    )) as CallError;
    expect(error).toBeInstanceOf(CallError);
    expect(error).toMatchObject({ errorClass: "http_4xx", status: 401 });
    expect(error.message).toMatch(/Invalid API Key/);
    expect(error.message).not.toContain("sk-opbench-wrong-key-55aa");
  });
});

describe("openai runner", () => {
  it("returns JSON that validates against the task's schema (Chat Completions response_format)", async () => {
    const schema = {
      type: "object",
      properties: { n: { type: "integer" } },
      required: ["n"],
      additionalProperties: false,
    };
    const runner = openai({}, noJinjaServer);
    const events = await collect(
      runner,
      request({ maxTokens: 40, temperature: 0, structured: { type: "json_schema", schema } }),
    );
    expectWellFormed(events);
    const validate = new Ajv().compile(schema);
    expect(validate(JSON.parse(textOf(events)))).toBe(true);
  });

  it("keeps calls on pooled connections working, one after another and side by side", async () => {
    const runner = openai();
    for (let i = 0; i < 3; i++) expectWellFormed(await collect(runner, request({ maxTokens: 3 })));
    const together = await Promise.all(
      [true, false, true].map((stream) => collect(runner, request({ maxTokens: 3, stream }))),
    );
    for (const events of together) expectWellFormed(events);
  });

  it("startup names the missing key variable and never starts without it", async () => {
    const runner = openai({ api_key_env: "OPBENCH_TEST_UNSET_KEY" });
    await expect(runner.startup?.(runnerContext())).rejects.toThrow(/OPBENCH_TEST_UNSET_KEY is not set/);
    const error = (await failure(runner, request())) as CallError;
    expect(error).toMatchObject({ errorClass: "http_4xx" });
    expect(error.message).toMatch(/OPBENCH_TEST_UNSET_KEY/);
  });

  it("declares its key variable, OPENAI_API_KEY by default, and openai pricing", () => {
    const base = { id: "g", runner: "openai", model: "gpt-4.1-mini" } as OpenAIModel;
    expect(openaiRunner.secretEnv?.(base)).toEqual(["OPENAI_API_KEY"]);
    expect(openaiRunner.secretEnv?.({ ...base, api_key_env: "MY_KEY" })).toEqual(["MY_KEY"]);
    expect(openaiRunner.pricingProvider?.(base)).toBe("openai");
    expect(openaiRunner.locality).toBe("api");
  });
});

describe("openai-compatible runner", () => {
  function compatible(extra: Partial<OpenAICompatibleModel> = {}): Runner {
    return createOpenAIRunner({
      id: "local",
      runner: "openai-compatible",
      model: "tiny",
      base_url: `${server.url}/v1`,
      api_key_env: KEY_ENV,
      ...extra,
    } as OpenAICompatibleModel);
  }

  it.each(["chat", "responses"] as const)("runs the %s API with max_tokens to the limit", async (api) => {
    const runner = compatible({ api, extra_body: { ignore_eos: true }, provider: "groq" });
    expect(await runner.startup?.(runnerContext())).toMatchObject({ provider: "groq", api });
    const events = await collect(runner, request({ maxTokens: 5, topK: 20 }));
    expectWellFormed(events);
    expect(only(events, "usage").usage.outputTokens).toBe(5);
  });

  it("needs a key only when api_key_env names one, and prices by its provider", () => {
    const base = {
      id: "l",
      runner: "openai-compatible",
      model: "m",
      base_url: "http://x/v1",
    } as OpenAICompatibleModel;
    expect(openaiCompatibleRunner.secretEnv?.(base)).toEqual([]);
    expect(openaiCompatibleRunner.secretEnv?.({ ...base, api_key_env: "TOGETHER_API_KEY" })).toEqual([
      "TOGETHER_API_KEY",
    ]);
    expect(openaiCompatibleRunner.pricingProvider?.({ ...base, provider: "together" })).toBe("together");
    expect(openaiCompatibleRunner.pricingProvider?.(base)).toBeUndefined();
  });
});
