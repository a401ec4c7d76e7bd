/**
 * Startup probes of a llama-server: wait out the model loading (`/health` answers 503 while
 * loading), then describe the server from `/props`, `/v1/models` and `/lora-adapters` for the
 * reproducibility record, and check that the endpoints the chosen mode needs are there.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { CallError } from "../src/core/errors.ts";
import { joinUrl, maskUrl } from "../src/core/url.ts";
import { getJson, readJsonBody, sendJson } from "./http.ts";

export interface HealthWaitOptions {
  /** Give up after this long, in milliseconds. */
  timeoutMs: number;
  /** Aborting it stops the wait with its reason (Ctrl-C, or a spawned server that exited). */
  signal: AbortSignal;
  /** First poll interval in milliseconds (default 50), doubled up to 500. */
  pollMs?: number;
}

/**
 * Polls `GET /health` until it answers 200. 503 ("Loading model") and refused connections
 * (a spawned server not listening yet) are waited out; other answers too, but the last one is
 * named in the timeout error.
 */
export async function waitForHealth(baseUrl: string, options: HealthWaitOptions): Promise<void> {
  const deadline = performance.now() + options.timeoutMs;
  let interval = options.pollMs ?? 50;
  let last = "no answer yet";
  for (;;) {
    options.signal.throwIfAborted();
    const attempt = AbortSignal.any([options.signal, AbortSignal.timeout(5_000)]);
    try {
      const { status, value, text } = await getJson(joinUrl(baseUrl, "/health"), attempt);
      if (status === 200) return;
      const message = (value as { error?: { message?: string } } | undefined)?.error?.message;
      last = `HTTP ${status}${message ? ` ${message}` : text ? ` ${text.slice(0, 200)}` : ""}`;
    } catch (error) {
      options.signal.throwIfAborted();
      last = error instanceof Error ? error.message : String(error);
    }
    const left = deadline - performance.now();
    if (left <= 0) {
      throw new Error(
        `llama-server at ${maskUrl(baseUrl)} was not ready within ${Math.round(options.timeoutMs / 1000)} s (last /health: ${last})`,
      );
    }
    try {
      await sleep(Math.min(interval, left), undefined, { signal: options.signal });
    } catch {
      options.signal.throwIfAborted();
    }
    interval = Math.min(interval * 2, 500);
  }
}

/** What a llama-server says about itself; absent fields were not reported. */
export interface ServerDescription {
  build_info?: string;
  model_path?: string;
  model_alias?: string;
  /** Context size of one slot, in tokens. */
  n_ctx?: number;
  total_slots?: number;
  has_chat_template: boolean;
  chat_template_caps?: unknown;
  modalities?: unknown;
  /** `/v1/models` meta: n_params, size (bytes), n_ctx_train, ftype, vocab... */
  model_meta?: Record<string, unknown>;
  lora_adapters: { id: number; path: string; scale?: number }[];
}

/** Reads `/props`, `/v1/models` and `/lora-adapters`; throws if `/props` does not answer 200. */
export async function describeServer(baseUrl: string, signal: AbortSignal): Promise<ServerDescription> {
  const [props, models, lora] = await Promise.all([
    getJson(joinUrl(baseUrl, "/props"), signal),
    getJson(joinUrl(baseUrl, "/v1/models"), signal).catch(() => undefined),
    getJson(joinUrl(baseUrl, "/lora-adapters"), signal).catch(() => undefined),
  ]);
  if (props.status !== 200 || typeof props.value !== "object" || props.value === null) {
    throw new Error(
      `GET ${maskUrl(joinUrl(baseUrl, "/props"))} answered HTTP ${props.status}: ${props.text.slice(0, 200)}`,
    );
  }
  const p = props.value as Record<string, unknown>;
  const settings = p.default_generation_settings as { n_ctx?: unknown } | undefined;
  const meta = (models?.value as { data?: { meta?: Record<string, unknown> }[] } | undefined)?.data?.[0]
    ?.meta;
  const adapters = Array.isArray(lora?.value) ? (lora.value as ServerDescription["lora_adapters"]) : [];
  return {
    ...(typeof p.build_info === "string" && { build_info: p.build_info }),
    ...(typeof p.model_path === "string" && { model_path: p.model_path }),
    ...(typeof p.model_alias === "string" && { model_alias: p.model_alias }),
    ...(typeof settings?.n_ctx === "number" && { n_ctx: settings.n_ctx }),
    ...(typeof p.total_slots === "number" && { total_slots: p.total_slots }),
    has_chat_template: typeof p.chat_template === "string" && p.chat_template.length > 0,
    ...(p.chat_template_caps !== undefined && { chat_template_caps: p.chat_template_caps }),
    ...(p.modalities !== undefined && { modalities: p.modalities }),
    ...(meta !== undefined && { model_meta: meta }),
    lora_adapters: adapters.map(({ id, path, scale }) => ({
      id,
      path,
      ...(scale !== undefined && { scale }),
    })),
  };
}

/** Where POST /apply-template came from, for the message when a server lacks it. */
const APPLY_TEMPLATE_ORIGIN = "llama.cpp PR #11489, merged 2025-01-29 (builds from about b4600 on)";

/**
 * `endpoint: completion` formats each prompt with the model's chat template through POST
 * /apply-template: checks once at start that the server has it, so an older llama-server fails
 * the model there, saying what is missing, instead of failing every call with a bare 404.
 */
export async function checkApplyTemplate(
  baseUrl: string,
  signal: AbortSignal,
  buildInfo: string | undefined,
): Promise<void> {
  const url = joinUrl(baseUrl, "/apply-template");
  let status: number;
  try {
    const { response } = await sendJson(url, { messages: [{ role: "user", content: "ping" }] }, { signal });
    await readJsonBody(response.body, signal);
    return;
  } catch (error) {
    if (!(error instanceof CallError) || error.status === undefined) throw error;
    status = error.status;
  }
  const build = buildInfo ? `this server is build ${buildInfo}` : "this server does not report its build";
  throw new Error(
    `endpoint: completion needs POST /apply-template (to format prompts with the model's chat template), ` +
      `and ${maskUrl(url)} answered HTTP ${status}: the endpoint came with ${APPLY_TEMPLATE_ORIGIN}; ` +
      `${build}. Update llama-server, or use endpoint: chat.`,
  );
}
