/**
 * The `gemini` runner: Google AI's Gemini API, streamed (`streamGenerateContent?alt=sse`) or
 * whole (`generateContent`). The key comes from GEMINI_API_KEY (or GOOGLE_API_KEY when only that
 * one is set, as Google's SDKs accept both; or the variable `api_key_env` names) and travels in
 * the `x-goog-api-key` header, never in the URL, which error messages quote. `base_url` includes
 * the version path (default https://generativelanguage.googleapis.com/v1beta).
 */

import { z } from "zod";
import type { Runner, RunnerDefinition } from "../src/core/runner.ts";
import { configSecrets, headerValues } from "../src/core/secrets.ts";
import { joinUrl, maskUrl } from "../src/core/url.ts";
import { type ApiProtocol, createApiRunner, withExtraBody } from "./api-call.ts";
import { keyEnvName } from "./api-keys.ts";
import { apiModelFields, pricedByModelName } from "./api-model.ts";
import { geminiResponseEvents, geminiStreamEvents, generateContentBody } from "./gemini-content.ts";

export const GEMINI_BASE_URL = "https://generativelanguage.googleapis.com/v1beta";
/** Key variables in order of preference when `api_key_env` is not set. */
export const GEMINI_KEY_ENVS = ["GEMINI_API_KEY", "GOOGLE_API_KEY"] as const;

export const GeminiModel = z.strictObject({
  ...apiModelFields,
  runner: z.literal("gemini"),
  thinking_budget: z.number().int().min(0).optional().describe("Thinking budget in tokens (0: off)"),
});
export type GeminiModel = z.infer<typeof GeminiModel>;

const GEMINI: ApiProtocol = { stream: geminiStreamEvents, whole: geminiResponseEvents };

const keyEnvOf = (config: GeminiModel): string =>
  keyEnvName(config.api_key_env, GEMINI_KEY_ENVS) ?? "GEMINI_API_KEY";

/**
 * The resource path of a model: `models/<name>` for a bare name (a leading `models/` is accepted),
 * as given for other resources (e.g. `tunedModels/…`). Each segment is URL-encoded.
 */
export function modelPath(model: string): string {
  const path = model.includes("/") ? model : `models/${model}`;
  return path.split("/").map(encodeURIComponent).join("/");
}

/** Builds the runner for one `runner: gemini` model entry. */
export function createGeminiRunner(config: GeminiModel): Runner {
  const baseUrl = config.base_url ?? GEMINI_BASE_URL;
  const resource = modelPath(config.model);
  const streamUrl = joinUrl(baseUrl, `${resource}:streamGenerateContent?alt=sse`);
  const wholeUrl = joinUrl(baseUrl, `${resource}:generateContent`);
  const headers = headerValues(config.headers);
  return createApiRunner({
    id: config.id,
    keyEnv: keyEnvOf(config),
    configSecrets: configSecrets(config),
    backend: {
      provider: "google",
      api: "generateContent",
      base_url: maskUrl(baseUrl),
      requested_model: config.model,
      ...(config.thinking_budget !== undefined && { thinking_budget: config.thinking_budget }),
    },
    protocol: () => GEMINI,
    call: (request, key) => ({
      url: request.stream ? streamUrl : wholeUrl,
      headers: { "x-goog-api-key": key ?? "", ...headers },
      body: withExtraBody(
        generateContentBody(request, {
          ...(config.thinking_budget !== undefined && { thinkingBudget: config.thinking_budget }),
        }),
        config.extra_body,
      ),
    }),
  });
}

export const geminiRunner: RunnerDefinition<GeminiModel> = {
  schema: GeminiModel,
  create: createGeminiRunner,
  locality: "api",
  secretEnv: (config) => [keyEnvOf(config)],
  pricingProvider: () => "google",
  pricingModel: pricedByModelName,
};
