/**
 * The embedded runner: llama.cpp in-process through node-llama-cpp, no server. One context with
 * one sequence per concurrent call; each call starts from an empty sequence (no prefix reuse
 * between calls) and uses the model's chat template (LlamaChat's "auto" wrapper) for the
 * system and user turns. Token counts are the engine's own (exact).
 */
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import type {
  ChatHistoryItem,
  Llama,
  LlamaChat,
  LlamaContext,
  LlamaContextSequence,
  LlamaGrammar,
  LlamaModel,
} from "node-llama-cpp";
import { CallError } from "../src/core/errors.ts";
import type {
  BackendInfo,
  GenerationRequest,
  Runner,
  RunnerContext,
  RunnerDefinition,
  RunnerEvent,
} from "../src/core/runner.ts";
import { absoluteEmbeddedPaths, EmbeddedModel, embeddedFromModelFlag } from "./embedded-config.ts";
import { acquireLlama, defaultThreads } from "./embedded-llama.ts";
import { EventQueue } from "./event-queue.ts";

/** Default context per sequence, in tokens (capped by the model's training context). */
export const DEFAULT_EMBEDDED_CTX = 4096;

interface Slot {
  sequence: LlamaContextSequence;
  chat: LlamaChat;
}

interface Loaded {
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  free: Slot[];
  waiters: ((slot: Slot) => void)[];
  grammars: Map<string, Promise<LlamaGrammar>>;
  LlamaGrammar: typeof LlamaGrammar;
  modelName: string;
  releaseLlama: () => Promise<void>;
}

const FINISH_REASONS: Record<string, string> = {
  eogToken: "stop",
  stopGenerationTrigger: "stop",
  customStopTrigger: "stop",
  maxTokens: "length",
  abort: "abort",
};

/** Builds the runner for one `runner: embedded` model entry. */
export function createEmbeddedRunner(config: EmbeddedModel): Runner {
  let loaded: Loaded | undefined;

  async function startup(ctx: RunnerContext): Promise<BackendInfo> {
    let modelPath = config.model;
    let demo = false;
    if (modelPath === undefined) {
      const { ensureDemoModel } = await import("../src/demo-model/index.ts");
      const demoModel = await ensureDemoModel();
      modelPath = demoModel.path;
      demo = true;
      ctx.log(demoModel.note);
    }
    const { llama, release } = await acquireLlama(config.gpu, ctx.log);
    try {
      const { LlamaChat, LlamaGrammar } = await import("node-llama-cpp");
      const threads = config.threads ?? defaultThreads(llama.cpuMathCores);
      const gpuLayers = config.gpu_layers === "all" ? "max" : config.gpu_layers;
      const model = await llama.loadModel({ modelPath, ...(gpuLayers !== undefined && { gpuLayers }) });
      const contextSize = config.ctx_size ?? Math.min(model.trainContextSize, DEFAULT_EMBEDDED_CTX);
      const context = await model.createContext({
        sequences: ctx.concurrency,
        contextSize,
        threads,
        ...(config.lora?.length && {
          lora: { adapters: config.lora.map((a) => ({ filePath: a.path, scale: a.scale ?? 1 })) },
        }),
      });
      const free: Slot[] = [];
      for (let i = 0; i < ctx.concurrency; i++) {
        const sequence = context.getSequence();
        free.push({ sequence, chat: new LlamaChat({ contextSequence: sequence }) });
      }
      const modelName = basename(modelPath);
      loaded = {
        llama,
        model,
        context,
        free,
        waiters: [],
        grammars: new Map(),
        LlamaGrammar,
        modelName,
        releaseLlama: release,
      };
      return {
        device: model.gpuLayers > 0 && llama.gpu !== false ? llama.gpu : "cpu",
        gpu: llama.gpu,
        gpu_layers: model.gpuLayers,
        gpu_devices: await llama.getGpuDeviceNames().catch(() => []),
        threads,
        cpu_math_cores: llama.cpuMathCores,
        model_path: modelPath,
        model_file_bytes: (await stat(modelPath)).size,
        model_tensor_bytes: model.size,
        demo_model: demo,
        train_ctx: model.trainContextSize,
        ctx_per_sequence: context.contextSize,
        sequences: ctx.concurrency,
        chat_wrapper: free[0]?.chat.chatWrapper.wrapperName,
        lora: config.lora ?? [],
        llama_cpp_release: llama.llamaCppRelease,
        build_type: llama.buildType,
      };
    } catch (error) {
      await release();
      throw error;
    }
  }

  async function* generate(request: GenerationRequest): AsyncGenerator<RunnerEvent> {
    const state = loaded;
    if (state === undefined)
      throw new Error(`embedded model ${config.id}: startup() must run before generate()`);
    if (request.tools?.length) throw new CallError("http_4xx", "the embedded runner cannot offer tools");
    const grammar = request.structured ? await grammarFor(state, request.structured) : undefined;
    const slot = await acquireSlot(state, request.signal);
    // Stops the generation if the consumer leaves early, before the sequence is reused.
    const local = new AbortController();
    const signal = AbortSignal.any([request.signal, local.signal]);
    const queue = new EventQueue<RunnerEvent>();
    let generation: Promise<unknown> | undefined;
    try {
      await slot.sequence.clearHistory();
      const meter = slot.sequence.tokenMeter.getState();
      const history = chatHistory(request);
      let reasoningTokens = 0;
      let buffered = "";
      const tSent = performance.now();
      generation = slot.chat
        .generateResponse(history, {
          maxTokens: request.maxTokens,
          ...(request.temperature !== undefined && { temperature: request.temperature }),
          ...(request.topK !== undefined && { topK: request.topK }),
          ...(request.topP !== undefined && { topP: request.topP }),
          ...(request.seed !== undefined && { seed: request.seed }),
          ...(request.stop?.length && { customStopTriggers: request.stop }),
          ...(grammar !== undefined && { grammar }),
          signal,
          onResponseChunk: (chunk) => {
            const reasoning = chunk.type === "segment";
            if (reasoning) reasoningTokens += chunk.tokens.length;
            if (!chunk.text) return;
            const t = performance.now();
            if (!request.stream && !reasoning) buffered += chunk.text;
            else
              queue.push({
                type: "delta",
                channel: reasoning ? "reasoning" : "content",
                text: chunk.text,
                t,
              });
          },
        })
        .then(
          (response) => {
            const tEnd = performance.now();
            if (buffered) queue.push({ type: "delta", channel: "content", text: buffered, t: tEnd });
            const used = slot.sequence.tokenMeter.diff(meter);
            queue.push({
              type: "usage",
              usage: {
                inputTokens: used.usedInputTokens,
                outputTokens: used.usedOutputTokens,
                ...(reasoningTokens > 0 && { reasoningTokens }),
              },
            });
            const stopReason = response.metadata.stopReason;
            queue.push({
              type: "response",
              model: state.modelName,
              finishReason: FINISH_REASONS[stopReason] ?? stopReason,
            });
            queue.push({ type: "end", t: tEnd });
            queue.close();
          },
          (error: unknown) => queue.fail(abortReason(request.signal) ?? error),
        );
      yield { type: "sent", t: tSent };
      yield* queue.drain();
    } finally {
      local.abort(new CallError("aborted", "the consumer stopped reading"));
      await generation;
      releaseSlot(state, slot);
    }
  }

  async function shutdown(): Promise<void> {
    const state = loaded;
    loaded = undefined;
    if (state === undefined) return;
    await state.context.dispose();
    await state.model.dispose();
    await state.releaseLlama();
  }

  // The model runs in this process: its CPU time is opbench's own (process.cpuUsage()).
  const servingProcess = () => (loaded ? ("self" as const) : undefined);
  return { startup, generate, shutdown, servingProcess };
}

/** The signal's reason as a CallError (the engine aborts with `timeout`), or undefined if not aborted. */
function abortReason(signal: AbortSignal): CallError | undefined {
  if (!signal.aborted) return undefined;
  const reason: unknown = signal.reason;
  return reason instanceof CallError
    ? reason
    : new CallError("aborted", "the call was aborted", { cause: reason });
}

/** Grammars are compiled once per distinct schema or GBNF text. */
function grammarFor(
  state: Loaded,
  structured: NonNullable<GenerationRequest["structured"]>,
): Promise<LlamaGrammar> {
  const key =
    structured.type === "grammar" ? `g:${structured.grammar}` : `j:${JSON.stringify(structured.schema)}`;
  let grammar = state.grammars.get(key);
  if (grammar === undefined) {
    grammar =
      structured.type === "grammar"
        ? Promise.resolve(new state.LlamaGrammar(state.llama, { grammar: structured.grammar }))
        : // node-llama-cpp accepts a subset of JSON Schema (GbnfJsonSchema); others throw here.
          (state.llama.createGrammarForJsonSchema(structured.schema as never) as Promise<LlamaGrammar>);
    grammar.catch(() => state.grammars.delete(key));
    state.grammars.set(key, grammar);
  }
  return grammar;
}

function acquireSlot(state: Loaded, signal: AbortSignal): Promise<Slot> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  const slot = state.free.pop();
  if (slot) return Promise.resolve(slot);
  return new Promise<Slot>((resolve, reject) => {
    const waiter = (granted: Slot): void => {
      signal.removeEventListener("abort", onAbort);
      resolve(granted);
    };
    const onAbort = (): void => {
      state.waiters.splice(state.waiters.indexOf(waiter), 1);
      reject(abortReason(signal));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    state.waiters.push(waiter);
  });
}

function releaseSlot(state: Loaded, slot: Slot): void {
  const next = state.waiters.shift();
  if (next) next(slot);
  else state.free.push(slot);
}

/**
 * The chat history of a request, ending with the empty model turn to fill: `messages` when given
 * (text turns only: a replayed conversation with tool calls or results is refused), else the
 * system and user turns.
 */
export function chatHistory(request: GenerationRequest): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  if (request.messages === undefined) {
    if (request.system) history.push({ type: "system", text: request.system });
    history.push({ type: "user", text: request.prompt });
  } else {
    for (const message of request.messages) {
      if (message.role === "tool" || message.toolCalls?.length) {
        throw new CallError("http_4xx", "the embedded runner cannot replay tool calls or tool results");
      }
      if (message.role === "system") history.push({ type: "system", text: message.content });
      else if (message.role === "user") history.push({ type: "user", text: message.content });
      else history.push({ type: "model", response: [message.content] });
    }
  }
  history.push({ type: "model", response: [] });
  return history;
}

export const embeddedRunner: RunnerDefinition<EmbeddedModel> = {
  schema: EmbeddedModel,
  create: createEmbeddedRunner,
  locality: "local",
  appliesGrammar: true,
  offersTools: false,
  absolutePaths: absoluteEmbeddedPaths,
  fromModelFlag: embeddedFromModelFlag,
};
