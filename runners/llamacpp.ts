/**
 * The llama.cpp runner: llama-server attached by `url`, or spawned and managed (`spawn`).
 * Endpoint `chat` (default) is the OpenAI-compatible /v1/chat/completions; `completion` is the
 * native /completion, whose prompt opbench formats with the model's chat template through
 * POST /apply-template (before `sent`, so untimed) — both endpoints see the same prompt text.
 */
import { stat } from "node:fs/promises";
import { CallError } from "../src/core/errors.ts";
import type {
  BackendInfo,
  GenerationRequest,
  Runner,
  RunnerContext,
  RunnerDefinition,
  RunnerEvent,
  RunnerEventSink,
} from "../src/core/runner.ts";
import { joinUrl, maskUrl } from "../src/core/url.ts";
import { isLoopback, linuxHostHasNoGpu, listeningPid } from "../src/host/listening-process.ts";
import { type PostOptions, readJsonBody, sendJson } from "./http.ts";
import { chatBody, chatMessages, completionBody, type LoraScale, resolveLora } from "./llamacpp-body.ts";
import { absoluteLlamaCppPaths, LlamaCppModel, llamaCppFromModelFlag } from "./llamacpp-config.ts";
import {
  ChatStreamDecoder,
  CompletionStreamDecoder,
  chatResponseEvents,
  chatStreamEvents,
  completionResponseEvents,
  completionStreamEvents,
} from "./llamacpp-events.ts";
import {
  checkApplyTemplate,
  describeServer,
  type ServerDescription,
  waitForHealth,
} from "./llamacpp-probe.ts";
import { acquireServer, DEFAULT_STARTUP_TIMEOUT_MS, type ManagedServer } from "./llamacpp-spawn.ts";
import { readSse } from "./sse.ts";
import { decodeInto } from "./stream-decoder.ts";

/**
 * Requests go on kept-alive connections (a benchmark should not time a TCP connect per call when
 * the server keeps connections). This llama.cpp build (cpp-httplib) closes the connection after
 * every streamed response without announcing it, so a request can race that close: `sendJson`
 * then sends it again on a new connection, timed from the second send.
 */
const transport = (signal: AbortSignal): PostOptions => ({ signal });

/** Time allowed for a /tokenize call made by countTokens, in milliseconds. */
const TOKENIZE_TIMEOUT_MS = 30_000;

/** Builds the runner for one `runner: llamacpp` model entry. */
export function createLlamaCppRunner(config: LlamaCppModel): Runner {
  const endpoint = config.endpoint ?? "chat";
  let baseUrl = config.url;
  let server: ManagedServer | undefined;
  let lora: LoraScale[] | undefined;
  let started = false;
  /** An attached server's process when it listens on this host's loopback (see listening-process.ts). */
  let attachedPid: number | undefined;

  /** The generation endpoint's URL, joined once per base URL (not per call). */
  let endpointFor: { base: string; chat: boolean; url: string } | undefined;
  function endpointUrl(base: string, chat: boolean): string {
    if (endpointFor?.base !== base || endpointFor.chat !== chat)
      endpointFor = { base, chat, url: joinUrl(base, chat ? "/v1/chat/completions" : "/completion") };
    return endpointFor.url;
  }

  function url(): string {
    if (baseUrl === undefined || (!started && (config.spawn || config.lora?.length))) {
      throw new Error(`llamacpp model ${config.id}: startup() must run before generate()`);
    }
    return baseUrl;
  }

  /** Sends the request; the endpoint it went to and the response, opened. */
  async function send(request: GenerationRequest) {
    const base = url();
    const options = {
      cachePrompt: config.cache_prompt ?? false,
      ...(lora !== undefined && { lora }),
      ...(config.extra_body !== undefined && { extraBody: config.extra_body }),
    };
    const chat = endpoint === "chat";
    if (!chat && request.tools?.length) {
      throw new CallError(
        "http_4xx",
        "llama-server's native /completion cannot offer tools: use endpoint: chat",
      );
    }
    const body = chat
      ? chatBody(request, options)
      : completionBody(await applyTemplate(base, request), request, options);
    const sent = await sendJson(endpointUrl(base, chat), body, transport(request.signal));
    return { chat, tSent: sent.tSent, response: sent.response, arrivals: sent.arrivals };
  }

  async function* generate(request: GenerationRequest): AsyncGenerator<RunnerEvent> {
    const { chat, tSent, response, arrivals } = await send(request);
    yield { type: "sent", t: tSent };
    if (request.stream) {
      const batches = readSse(response.body, request.signal, arrivals, response.headers["content-type"]);
      yield* chat ? chatStreamEvents(batches) : completionStreamEvents(batches);
    } else {
      const { value, tEnd } = await readJsonBody(response.body, request.signal, arrivals);
      yield* chat ? chatResponseEvents(value, tEnd) : completionResponseEvents(value, tEnd);
    }
  }

  async function generateInto(request: GenerationRequest, emit: RunnerEventSink): Promise<void> {
    const { chat, tSent, response, arrivals } = await send(request);
    emit({ type: "sent", t: tSent });
    if (request.stream) {
      const decoder = chat ? new ChatStreamDecoder() : new CompletionStreamDecoder();
      await decodeInto(response, request.signal, arrivals, decoder, emit);
    } else {
      const { value, tEnd } = await readJsonBody(response.body, request.signal, arrivals);
      for (const event of chat ? chatResponseEvents(value, tEnd) : completionResponseEvents(value, tEnd))
        emit(event);
    }
  }

  return {
    async startup(ctx: RunnerContext): Promise<BackendInfo> {
      if (config.spawn) {
        server = await acquireServer(config.spawn, config.id, ctx);
        baseUrl = server.url;
      } else if (baseUrl === undefined) {
        throw new Error(`llamacpp model ${config.id} needs \`url\` or \`spawn\``);
      } else {
        await waitForHealth(baseUrl, { timeoutMs: DEFAULT_STARTUP_TIMEOUT_MS, signal: ctx.signal });
      }
      try {
        // The attached server's pid is looked up (in /proc) while its description is fetched.
        const [description, pid] = await Promise.all([
          describeServer(baseUrl, ctx.signal),
          server ? undefined : localServerPid(baseUrl),
        ]);
        attachedPid = pid;
        if (endpoint === "completion") await checkApplyTemplate(baseUrl, ctx.signal, description.build_info);
        const adapterPaths = config.spawn
          ? (config.spawn.lora ?? [])
          : description.lora_adapters.map((adapter) => adapter.path);
        lora = resolveLora(config.lora, adapterPaths, config.spawn !== undefined);
        const slots = description.total_slots;
        if (slots !== undefined && slots < ctx.concurrency) {
          ctx.log(
            `warning: ${config.id}: llama-server has ${slots} slot(s) for concurrency ${ctx.concurrency}; ` +
              "extra calls queue in the server and their TTFT includes the wait",
          );
        }
        started = true;
        return await backendInfo(description);
      } catch (error) {
        await server?.release();
        server = undefined;
        throw error;
      }
    },

    generate,
    generateInto,

    async countTokens(text: string): Promise<number> {
      const signal = AbortSignal.timeout(TOKENIZE_TIMEOUT_MS);
      const { response } = await sendJson(
        joinUrl(url(), "/tokenize"),
        { content: text, add_special: false },
        transport(signal),
      );
      const { value } = await readJsonBody(response.body, signal);
      const tokens = (value as { tokens?: unknown } | null)?.tokens;
      if (!Array.isArray(tokens)) throw new CallError("parse", "/tokenize answered without `tokens`");
      return tokens.length;
    },

    servingProcess(): { pid: number } | undefined {
      const pid = server?.launch.pid ?? attachedPid;
      return pid === undefined ? undefined : { pid };
    },

    serverMetricsUrl(): string | undefined {
      return started && baseUrl !== undefined ? joinUrl(baseUrl, "/metrics") : undefined;
    },

    async shutdown(): Promise<void> {
      const current = server;
      server = undefined;
      started = false;
      await current?.release();
    },
  };

  /** The chat-templated prompt for /completion, from POST /apply-template. */
  async function applyTemplate(base: string, request: GenerationRequest): Promise<string> {
    const { response } = await sendJson(
      joinUrl(base, "/apply-template"),
      { messages: chatMessages(request) },
      transport(request.signal),
    );
    const { value } = await readJsonBody(response.body, request.signal);
    const prompt = (value as { prompt?: unknown } | null)?.prompt;
    if (typeof prompt !== "string") throw new CallError("parse", "/apply-template answered without `prompt`");
    return prompt;
  }

  async function backendInfo(description: ServerDescription): Promise<BackendInfo> {
    const modelPath = config.spawn?.model ?? description.model_path;
    const fileBytes = modelPath
      ? await stat(modelPath).then(
          (s) => s.size,
          () => undefined,
        )
      : undefined;
    return {
      ...(server ? { device: server.devices.device } : attachedDevice(attachedPid)),
      mode: server ? "spawn" : "attach",
      url: baseUrl === undefined ? undefined : maskUrl(baseUrl),
      endpoint,
      ...description,
      ...(fileBytes !== undefined && { model_file_bytes: fileBytes }),
      cache_prompt: config.cache_prompt ?? false,
      ...(lora !== undefined && { lora_request: lora }),
      ...(server && { spawn: { ...server.launch, devices: server.devices.available } }),
    };
  }
}

/** The pid of an attached server listening on this host's loopback; undefined elsewhere. */
async function localServerPid(url: string): Promise<number | undefined> {
  if (!isLoopback(url)) return undefined;
  const parsed = new URL(url);
  const port = Number(parsed.port || (parsed.protocol === "https:" ? 443 : 80));
  return listeningPid(port);
}

/**
 * An attached server's device: llama-server does not report it, but a server on this host, which
 * has no GPU, runs on the CPU (so its energy can be modelled from the CPU's power table).
 */
function attachedDevice(pid: number | undefined): BackendInfo {
  if (pid !== undefined && linuxHostHasNoGpu() === true)
    return {
      device: "cpu",
      device_note: `attached llama-server on this host (pid ${pid}), which has no GPU`,
      serving_pid: pid,
    };
  return {
    device_note: "attached server: llama-server does not report its device",
    ...(pid !== undefined && { serving_pid: pid }),
  };
}

export const llamacppRunner: RunnerDefinition<LlamaCppModel> = {
  schema: LlamaCppModel,
  create: createLlamaCppRunner,
  locality: "local",
  appliesGrammar: true,
  absolutePaths: absoluteLlamaCppPaths,
  fromModelFlag: llamaCppFromModelFlag,
};
