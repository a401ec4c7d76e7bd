/**
 * The `openai` runner (OpenAI's own API) and the `openai-compatible` runner (any server that
 * speaks the same protocol: OpenRouter, Together, Fireworks, Groq, vLLM, Ollama, LM Studio,
 * llama-server), over Chat Completions (default) or the Responses API (`api: responses`).
 *
 * They differ only in defaults: `openai` reads its key from OPENAI_API_KEY, sends
 * `max_completion_tokens` and no `top_k`; `openai-compatible` needs `base_url`, has no key unless
 * `api_key_env` names one (local servers need none: no Authorization header is sent), and sends
 * `max_tokens` and `top_k`, which compatible servers read.
 */

import { z } from "zod";
import type { GenerationRequest, Runner, RunnerDefinition } from "../src/core/runner.ts";
import { configSecrets, headerValues } from "../src/core/secrets.ts";
import { joinUrl, maskUrl } from "../src/core/url.ts";
import { type ApiProtocol, createApiRunner, unsupported, withExtraBody } from "./api-call.ts";
import { keyEnvName } from "./api-keys.ts";
import { apiModelFields, pricedByModelName } from "./api-model.ts";
import { ChatStreamDecoder, chatResponseEvents, chatStreamEvents, openaiChatBody } from "./openai-chat.ts";
import { responsesBody, responsesResponseEvents, responsesStreamEvents } from "./openai-responses.ts";

/** OpenAI's API, version path included. */
export const OPENAI_BASE_URL = "https://api.openai.com/v1";
/** Where the `openai` runner reads its key unless `api_key_env` says otherwise. */
export const OPENAI_KEY_ENV = "OPENAI_API_KEY";

export const OpenAIModel = z.strictObject({
  ...apiModelFields,
  runner: z.literal("openai"),
  api: z.enum(["chat", "responses"]).optional().describe("Chat Completions (default) or the Responses API"),
  reasoning_effort: z.enum(["minimal", "low", "medium", "high"]).optional(),
});
export type OpenAIModel = z.infer<typeof OpenAIModel>;

export const OpenAICompatibleModel = z.strictObject({
  ...apiModelFields,
  runner: z.literal("openai-compatible"),
  base_url: z.url().describe("Base URL including the version path, e.g. https://openrouter.ai/api/v1"),
  api: z.enum(["chat", "responses"]).optional(),
  provider: z
    .string()
    .optional()
    .describe("Pricing provider id in genai-prices (e.g. groq, together, fireworks, openrouter)"),
  reasoning_effort: z.enum(["minimal", "low", "medium", "high"]).optional(),
});
export type OpenAICompatibleModel = z.infer<typeof OpenAICompatibleModel>;

const CHAT: ApiProtocol = {
  stream: chatStreamEvents,
  whole: chatResponseEvents,
  decoder: () => new ChatStreamDecoder(),
};
const RESPONSES: ApiProtocol = { stream: responsesStreamEvents, whole: responsesResponseEvents };

type OpenAIFamilyModel = OpenAIModel | OpenAICompatibleModel;

/** The env var holding a model's key, or undefined (openai-compatible without `api_key_env`). */
function keyEnvOf(config: OpenAIFamilyModel): string | undefined {
  return keyEnvName(config.api_key_env, config.runner === "openai" ? [OPENAI_KEY_ENV] : []);
}

/** Builds the runner for one `runner: openai` or `runner: openai-compatible` model entry. */
export function createOpenAIRunner(config: OpenAIFamilyModel): Runner {
  const official = config.runner === "openai";
  const baseUrl = config.base_url ?? OPENAI_BASE_URL;
  const api = config.api ?? "chat";
  const url = joinUrl(baseUrl, api === "responses" ? "/responses" : "/chat/completions");
  const headers = headerValues(config.headers);
  const reasoningEffort = config.reasoning_effort;

  function body(request: GenerationRequest): Record<string, unknown> {
    if (api === "responses") {
      return responsesBody(request, { model: config.model, ...(reasoningEffort && { reasoningEffort }) });
    }
    if (request.structured?.type === "grammar") {
      throw unsupported("a GBNF grammar", "the Chat Completions API");
    }
    return openaiChatBody(request, {
      model: config.model,
      maxTokensField: official ? "max_completion_tokens" : "max_tokens",
      topK: !official,
      ...(reasoningEffort && { reasoningEffort }),
    });
  }

  return createApiRunner({
    id: config.id,
    keyEnv: keyEnvOf(config),
    configSecrets: configSecrets(config),
    backend: {
      provider: official ? "openai" : (config.provider ?? "openai-compatible"),
      api,
      base_url: maskUrl(baseUrl),
      requested_model: config.model,
    },
    protocol: () => (api === "responses" ? RESPONSES : CHAT),
    call: (request, key) => ({
      url,
      headers: { ...(key !== undefined && { authorization: `Bearer ${key}` }), ...headers },
      body: withExtraBody(body(request), config.extra_body),
    }),
  });
}

export const openaiRunner: RunnerDefinition<OpenAIModel> = {
  schema: OpenAIModel,
  create: createOpenAIRunner,
  locality: "api",
  secretEnv: (config) => [keyEnvOf(config) ?? OPENAI_KEY_ENV],
  pricingProvider: () => "openai",
  pricingModel: pricedByModelName,
};

export const openaiCompatibleRunner: RunnerDefinition<OpenAICompatibleModel> = {
  schema: OpenAICompatibleModel,
  create: createOpenAIRunner,
  locality: "api",
  secretEnv: (config) => (config.api_key_env !== undefined ? [config.api_key_env] : []),
  pricingProvider: (config) => config.provider,
  pricingModel: pricedByModelName,
};
