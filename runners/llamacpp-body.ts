/**
 * Request bodies for llama-server, as pure functions of a request and the model entry. Field
 * names follow tools/server/README.md of the llama.cpp release node-llama-cpp bundles.
 */
import { resolve } from "node:path";
import type { GenerationRequest } from "../src/core/runner.ts";
import type { LoraRef } from "./llamacpp-config.ts";
import { openaiChatBody } from "./openai-chat.ts";

export { chatMessages } from "./openai-chat.ts";

/** One adapter of a per-request `lora` list: its index on the server and its scale. */
export interface LoraScale {
  id: number;
  scale: number;
}

/** What every body carries besides the request itself. */
export interface BodyOptions {
  /** llama.cpp's `cache_prompt` (prefix reuse across calls); opbench sends false by default. */
  cachePrompt: boolean;
  /** Per-request adapters, already resolved to ids; undefined sends no `lora` field. */
  lora?: LoraScale[];
  /** Merged last, as is: it can override anything above. */
  extraBody?: Record<string, unknown>;
}

/** Body of `POST /v1/chat/completions`: the shared Chat Completions body plus llama.cpp's fields. */
export function chatBody(request: GenerationRequest, options: BodyOptions): Record<string, unknown> {
  const body = openaiChatBody(request, { maxTokensField: "max_tokens", topK: true });
  if (request.structured?.type === "grammar") body.grammar = request.structured.grammar;
  return finish(body, options);
}

/** Body of the native `POST /completion`; `prompt` is the already formatted prompt text. */
export function completionBody(
  prompt: string,
  request: GenerationRequest,
  options: BodyOptions,
): Record<string, unknown> {
  const body: Record<string, unknown> = { prompt, n_predict: request.maxTokens, stream: request.stream };
  addSampling(body, request);
  const structured = request.structured;
  if (structured?.type === "json_schema") body.json_schema = structured.schema;
  else if (structured?.type === "grammar") body.grammar = structured.grammar;
  return finish(body, options);
}

function addSampling(body: Record<string, unknown>, request: GenerationRequest): void {
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.topK !== undefined) body.top_k = request.topK;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.stop !== undefined && request.stop.length > 0) body.stop = request.stop;
}

function finish(body: Record<string, unknown>, options: BodyOptions): Record<string, unknown> {
  if (options.lora !== undefined) body.lora = options.lora;
  body.cache_prompt = options.cachePrompt;
  return options.extraBody ? Object.assign(body, options.extraBody) : body;
}

/**
 * Resolves a model's per-request adapters to the server's ids. `adapterPaths` lists the
 * server's adapters in id order (spawn.lora, or GET /lora-adapters when attached). A ref names
 * its adapter by `id`, or by `path` (compared as given, then as an absolute path). Every
 * adapter the model does not list is sent with scale 0, so each request says exactly what it
 * runs; with no refs, `explicitWhenEmpty` decides between all-zero scales and no `lora` field.
 * Throws when a ref names no loaded adapter.
 */
export function resolveLora(
  refs: readonly LoraRef[] | undefined,
  adapterPaths: readonly string[],
  explicitWhenEmpty: boolean,
): LoraScale[] | undefined {
  if ((refs === undefined || refs.length === 0) && !(explicitWhenEmpty && adapterPaths.length > 0)) {
    return undefined;
  }
  const scales = new Map<number, number>();
  for (const ref of refs ?? []) {
    const id = ref.id ?? (ref.path !== undefined ? adapterIndex(ref.path, adapterPaths) : undefined);
    if (id === undefined) throw new Error("a lora entry needs `path` or `id`");
    if (id < 0 || id >= adapterPaths.length) {
      const loaded = adapterPaths.length ? adapterPaths.map((p, i) => `${i}: ${p}`).join(", ") : "none";
      throw new Error(
        `LoRA adapter ${ref.path ?? `id ${id}`} is not loaded by the server (loaded: ${loaded})`,
      );
    }
    scales.set(id, ref.scale ?? 1);
  }
  return adapterPaths.map((_, id) => ({ id, scale: scales.get(id) ?? 0 }));
}

function adapterIndex(path: string, adapterPaths: readonly string[]): number {
  const exact = adapterPaths.indexOf(path);
  if (exact >= 0) return exact;
  const wanted = resolve(path);
  return adapterPaths.findIndex((p) => resolve(p) === wanted);
}
