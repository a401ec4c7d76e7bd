/**
 * The runner contract. A runner turns one generation request into a stream of timestamped
 * events; the engine owns retries, rate limits, concurrency, timeouts and metrics. Timestamps
 * are `performance.now()` milliseconds taken inside the transport, as bytes are written/read.
 */
import type { z } from "zod";
import type { ModelConfigBase } from "./model-config.ts";

/** Output constrained to a JSON Schema or a GBNF grammar. */
export type StructuredOutput =
  | { type: "json_schema"; schema: Record<string, unknown> }
  | { type: "grammar"; grammar: string };

/** A function the model may call, in the OpenAI "function" tool form every runner translates from. */
export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters?: Record<string, unknown>;
}

/** A tool call the model made: the function's name and its arguments as the JSON text it sent. */
export interface ToolCall {
  id?: string;
  name: string;
  arguments: string;
}

/** One chat message of a conversation sent verbatim (a replayed request), in place of system + prompt. */
export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  /** An assistant turn's tool calls. */
  toolCalls?: ToolCall[];
  /** A tool turn: the call it answers. */
  toolCallId?: string;
}

/** Which tools the model may or must call: OpenAI's `tool_choice`. */
export type ToolChoice = "auto" | "none" | "required" | { name: string };

/** Everything a runner needs for one call. Parameters left undefined use the backend's default. */
export interface GenerationRequest {
  system?: string;
  prompt: string;
  /** A whole conversation: when present the runner sends these instead of `system` and `prompt`. */
  messages?: ChatMessage[];
  /** Functions offered to the model, each runner in its own API's form. */
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  maxTokens: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  stop?: string[];
  structured?: StructuredOutput;
  /** Stream the response; TTFT and chunk gaps exist only for streamed calls. */
  stream: boolean;
  /** Aborted on timeout or Ctrl-C; the runner must stop reading and throw. */
  signal: AbortSignal;
}

/** Token counts as the server reported them; absent fields were not reported. */
export interface TokenUsage {
  inputTokens?: number;
  cachedInputTokens?: number;
  cacheWriteInputTokens?: number;
  outputTokens?: number;
  reasoningTokens?: number;
}

export type RunnerEvent =
  /** Just before the request is written to the transport. Exactly once, first. */
  | { type: "sent"; t: number }
  /** Output text as it arrived; `t` is when its bytes were read. Empty text is never emitted. */
  | { type: "delta"; channel: "content" | "reasoning"; text: string; t: number }
  | { type: "usage"; usage: TokenUsage }
  /** A complete tool call (streamed argument fragments already joined); `t` when its last byte was read. */
  | { type: "tool_call"; call: ToolCall; t: number }
  /** Server-side timings verbatim (llama.cpp `timings`). */
  | { type: "server_timings"; timings: Record<string, unknown> }
  /** Response identity: id, the model snapshot the server says it ran, why it stopped. */
  | { type: "response"; id?: string; model?: string; finishReason?: string }
  /** The last byte was read. Exactly once, last, on success. */
  | { type: "end"; t: number };

/** Takes one call's events as they are decoded; what it throws cancels the call with that error. */
export type RunnerEventSink = (event: RunnerEvent) => void;

/** What a runner reports about the backend once started: goes into the reproducibility record. */
export interface BackendInfo {
  /** e.g. "cpu", "cuda", "vulkan", "metal", "remote". */
  device?: string;
  [key: string]: unknown;
}

/** Services the engine gives a runner when it starts. */
export interface RunnerContext {
  /** Directory of the run: runners may keep logs there (e.g. a spawned server's log). */
  runDir: string;
  /** Directory of the suite file, for relative paths. */
  baseDir: string;
  /** Calls the engine will have in flight at once for this model. */
  concurrency: number;
  /** Progress and warnings for the user (stderr). */
  log: (message: string) => void;
  /** Aborted when the run is interrupted. */
  signal: AbortSignal;
}

export interface Runner {
  /** Spawns or attaches, waits until ready, and describes the backend. */
  startup?(ctx: RunnerContext): Promise<BackendInfo | undefined>;
  /** One call. Throws a `CallError` (or anything else, classified as `network`) on failure. */
  generate(request: GenerationRequest): AsyncIterable<RunnerEvent>;
  /**
   * The same call as `generate`, its events pushed to `sink` as the transport delivers them
   * instead of yielded: no async iteration per event, for the engine's hot path. Resolves after
   * the `end` event; rejects as `generate` throws, or with what `sink` threw (the transfer is then
   * stopped). Optional: the engine falls back to `generate`.
   */
  generateInto?(request: GenerationRequest, sink: RunnerEventSink): Promise<void>;
  /** Counts tokens locally when the server reports none (records say `tokens_source: estimated`). */
  countTokens?(text: string): Promise<number>;
  /**
   * The process whose CPU time is the model's compute (and its modelled energy's utilisation): a
   * spawned server's pid, "self" for an in-process backend; undefined when not on this host.
   */
  servingProcess?(): { pid: number } | "self" | undefined;
  /** Releases what startup took (servers, models). Must be safe to call twice. */
  shutdown?(): Promise<void>;
  /**
   * The server's Prometheus `/metrics` URL once started (credentials included: for requests only,
   * never recorded), for load mode's server metrics; absent when the backend has none.
   */
  serverMetricsUrl?(): string | undefined;
}

/** Builds a runner from its model entry (paths already absolute). */
export type RunnerFactory<C extends ModelConfigBase = ModelConfigBase> = (config: C) => Runner;

/** What a `--model` flag value becomes when a runner accepts it (see `RunnerDefinition.fromModelFlag`). */
export interface ModelFromFlag<C extends ModelConfigBase = ModelConfigBase> {
  /** A readable name (a file's name, a server's host:port): the CLI makes the model id of it. */
  name: string;
  /** Display label in the table and records, credentials masked. */
  label: string;
  /** The model entry, all but its `id`; paths absolute (relative to the working directory). */
  config: Omit<C, "id">;
}

/**
 * One runner kind: its config, how to build it, and what the engine must know about it before any
 * call. A runner file exports one; `runners/index.ts` lists it under its kind.
 */
export interface RunnerDefinition<C extends ModelConfigBase = ModelConfigBase> {
  /**
   * The model entry's schema: `z.strictObject({...modelFields, runner: z.literal(<kind>), …})`
   * (see model-config.ts). The suite format is assembled from the registered runners' schemas.
   */
  schema: z.ZodType<C>;
  create: RunnerFactory<C>;
  /**
   * Where calls run: `local` hardware opbench can meter (energy, busy time → local cost), or a
   * remote `api` priced per token with published energy estimates.
   */
  locality: "local" | "api";
  /**
   * The runner applies a task's GBNF `grammar` (llama.cpp does; the hosted APIs have no such
   * parameter). A suite giving a grammar to a model whose runner does not is refused before any
   * call, unless the model says `ignore_grammar: true`.
   */
  appliesGrammar?: boolean;
  /**
   * The runner can offer a task's `tools` to the model (default true). A suite giving tools to a
   * model whose runner cannot is refused before any call.
   */
  offersTools?: boolean;
  /** Environment variables that must hold secrets (API keys); all are checked before the first call. */
  secretEnv?(config: C): string[];
  /** Provider id in the pricing dataset (genai-prices), for API cost. */
  pricingProvider?(config: C): string | undefined;
  /** The model name API cost and published energy estimates are looked up by (default: the model id). */
  pricingModel?(config: C): string | undefined;
  /**
   * A copy of `config` whose file paths (models, adapters, binaries) are absolute, relative to
   * `baseDir` (the suite file's directory). Absent: the entry has no paths.
   */
  absolutePaths?(config: C, baseDir: string): C;
  /**
   * The model a `--model` flag value stands for, when this runner takes such a value (a URL, a
   * model file); undefined when it does not. The first registered runner that takes it wins.
   */
  fromModelFlag?(value: string): ModelFromFlag<C> | undefined;
}

/**
 * Makes one call through `runner`, each event to `sink`: `generateInto` when it has one, whose
 * promise is returned as it is (an async wrapper cost a promise and a turn per call); a throw
 * before that promise exists rejects, as from the generator.
 */
export function runCall(runner: Runner, request: GenerationRequest, sink: RunnerEventSink): Promise<void> {
  if (!runner.generateInto) return drainEvents(runner.generate(request), sink);
  try {
    return runner.generateInto(request, sink);
  } catch (error) {
    return Promise.reject(error);
  }
}

async function drainEvents(events: AsyncIterable<RunnerEvent>, sink: RunnerEventSink): Promise<void> {
  for await (const event of events) sink(event);
}
