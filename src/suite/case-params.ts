/**
 * A replayed request's own generation parameters (a dataset column named by `params_field`, in the
 * logged API's words) as the parameters of its case: each provider's names for the same setting
 * mapped to one, what opbench cannot apply ignored. They override the task's, and a model's
 * `params` override them.
 */
import type { ToolChoice } from "../core/runner.ts";
import type { ResolvedParams } from "./resolved.ts";

export type CaseParams = Partial<
  Pick<ResolvedParams, "maxTokens" | "temperature" | "topP" | "topK" | "seed" | "stop">
>;

const MAX_TOKENS_KEYS = [
  "max_completion_tokens",
  "max_tokens",
  "max_output_tokens",
  "maxOutputTokens",
] as const;

const finite = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

/** The parameters a logged request body (or its params object) sets, in opbench's terms. */
export function caseParamsOf(value: unknown): CaseParams {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  const body = value as Record<string, unknown>;
  const params: CaseParams = {};
  const maxTokens = MAX_TOKENS_KEYS.map((key) => body[key]).find(finite);
  if (maxTokens !== undefined && Number.isInteger(maxTokens) && maxTokens > 0) params.maxTokens = maxTokens;
  if (finite(body.temperature)) params.temperature = body.temperature;
  const topP = body.top_p ?? body.topP;
  if (finite(topP)) params.topP = topP;
  const topK = body.top_k ?? body.topK;
  if (finite(topK) && Number.isInteger(topK)) params.topK = topK;
  if (finite(body.seed) && Number.isInteger(body.seed)) params.seed = body.seed;
  const stop = body.stop ?? body.stop_sequences ?? body.stopSequences;
  if (typeof stop === "string" && stop !== "") params.stop = [stop];
  else if (Array.isArray(stop) && stop.length > 0 && stop.every((s) => typeof s === "string"))
    params.stop = stop;
  return params;
}

/**
 * A logged `tool_choice` in opbench's form: OpenAI's ("auto", "none", "required",
 * `{type: "function", function: {name}}`, Responses' `{type: "function", name}`) or Anthropic's
 * (`{type: "auto" | "any" | "none" | "tool", name}`); undefined for anything else.
 */
export function toolChoiceOf(value: unknown): ToolChoice | undefined {
  if (value === "auto" || value === "none" || value === "required") return value;
  if (typeof value !== "object" || value === null) return undefined;
  const choice = value as { type?: unknown; name?: unknown; function?: { name?: unknown } };
  if (choice.type === "auto" || choice.type === "none") return choice.type;
  if (choice.type === "any") return "required";
  const name = choice.function?.name ?? choice.name;
  if ((choice.type === "function" || choice.type === "tool") && typeof name === "string" && name !== "") {
    return { name };
  }
  return undefined;
}
