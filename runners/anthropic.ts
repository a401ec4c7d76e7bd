/**
 * The `anthropic` runner: Claude over the Messages API, streamed or whole. The key comes from
 * ANTHROPIC_API_KEY (or the variable `api_key_env` names) and goes in `x-api-key`; `base_url` is
 * the API root without the version path (default https://api.anthropic.com).
 */

import { z } from "zod";
import type { Runner, RunnerDefinition } from "../src/core/runner.ts";
import { configSecrets, headerValues } from "../src/core/secrets.ts";
import { joinUrl, maskUrl } from "../src/core/url.ts";
import { messagesBody, messagesResponseEvents, messagesStreamEvents } from "./anthropic-messages.ts";
import { type ApiProtocol, createApiRunner, withExtraBody } from "./api-call.ts";
import { keyEnvName } from "./api-keys.ts";
import { apiModelFields, pricedByModelName } from "./api-model.ts";

export const ANTHROPIC_BASE_URL = "https://api.anthropic.com";
export const ANTHROPIC_KEY_ENV = "ANTHROPIC_API_KEY";
/** The `anthropic-version` header every request carries. */
export const ANTHROPIC_VERSION = "2023-06-01";

export const AnthropicModel = z.strictObject({
  ...apiModelFields,
  runner: z.literal("anthropic"),
  thinking_budget: z.number().int().min(1024).optional().describe("Extended thinking budget in tokens"),
});
export type AnthropicModel = z.infer<typeof AnthropicModel>;

const MESSAGES: ApiProtocol = { stream: messagesStreamEvents, whole: messagesResponseEvents };

const keyEnvOf = (config: AnthropicModel): string =>
  keyEnvName(config.api_key_env, [ANTHROPIC_KEY_ENV]) ?? ANTHROPIC_KEY_ENV;

/** Builds the runner for one `runner: anthropic` model entry. */
export function createAnthropicRunner(config: AnthropicModel): Runner {
  const baseUrl = config.base_url ?? ANTHROPIC_BASE_URL;
  const url = joinUrl(baseUrl, "/v1/messages");
  const headers = headerValues(config.headers);
  return createApiRunner({
    id: config.id,
    keyEnv: keyEnvOf(config),
    configSecrets: configSecrets(config),
    backend: {
      provider: "anthropic",
      api: "messages",
      base_url: maskUrl(baseUrl),
      requested_model: config.model,
      anthropic_version: ANTHROPIC_VERSION,
      ...(config.thinking_budget !== undefined && { thinking_budget: config.thinking_budget }),
    },
    protocol: () => MESSAGES,
    call: (request, key) => ({
      url,
      headers: { "x-api-key": key ?? "", "anthropic-version": ANTHROPIC_VERSION, ...headers },
      body: withExtraBody(
        messagesBody(request, {
          model: config.model,
          ...(config.thinking_budget !== undefined && { thinkingBudget: config.thinking_budget }),
        }),
        config.extra_body,
      ),
    }),
  });
}

export const anthropicRunner: RunnerDefinition<AnthropicModel> = {
  schema: AnthropicModel,
  create: createAnthropicRunner,
  locality: "api",
  secretEnv: (config) => [keyEnvOf(config)],
  pricingProvider: () => "anthropic",
  pricingModel: pricedByModelName,
};
