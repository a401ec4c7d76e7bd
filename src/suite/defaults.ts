/** Built-in defaults, in one read-only object, and generation-parameter merging. */

import { parseDuration } from "../core/duration.ts";
import type { GenerationParams } from "../core/model-config.ts";
import type { ResolvedParams, RetryPolicy } from "./resolved.ts";

export interface BuiltinDefaults {
  readonly params: Readonly<ResolvedParams>;
  readonly repeats: number;
  readonly concurrency: number;
  readonly warmup: number;
  readonly parallelModels: boolean;
  /** Bytes of a call's output (and reasoning) kept in its record. */
  readonly maxOutputBytes: number;
  readonly retry: Readonly<RetryPolicy>;
}

/** What a suite gets for everything it leaves out. */
export const BUILTIN_DEFAULTS: BuiltinDefaults = Object.freeze({
  params: Object.freeze({ maxTokens: 256, stream: true, timeoutMs: 60_000 }),
  repeats: 1,
  concurrency: 1,
  warmup: 0,
  parallelModels: false,
  maxOutputBytes: 1 << 20,
  retry: Object.freeze({ attempts: 3, backoffMs: 500, maxBackoffMs: 30_000 }),
});

/** The generation-parameter fields of a suite entry (defaults, model params, or a task). */
export function pickGenerationParams(source: GenerationParams): GenerationParams {
  const { max_tokens, temperature, top_p, top_k, seed, stop, stream, timeout } = source;
  return { max_tokens, temperature, top_p, top_k, seed, stop, stream, timeout };
}

/** Suite parameters as `ResolvedParams` fields; only the ones set (so spreading merges them). */
export function toResolvedParams(params: GenerationParams | undefined): Partial<ResolvedParams> {
  const out: Partial<ResolvedParams> = {};
  if (!params) return out;
  if (params.max_tokens !== undefined) out.maxTokens = params.max_tokens;
  if (params.temperature !== undefined) out.temperature = params.temperature;
  if (params.top_p !== undefined) out.topP = params.top_p;
  if (params.top_k !== undefined) out.topK = params.top_k;
  if (params.seed !== undefined) out.seed = params.seed;
  if (params.stop !== undefined) out.stop = [...params.stop];
  if (params.stream !== undefined) out.stream = params.stream;
  if (params.timeout !== undefined) out.timeoutMs = parseDuration(params.timeout);
  return out;
}

/** Later layers win: built-in defaults < `layers[0]` < `layers[1]` < … */
export function mergeParams(...layers: Partial<ResolvedParams>[]): ResolvedParams {
  return Object.assign({}, BUILTIN_DEFAULTS.params, ...layers) as ResolvedParams;
}
