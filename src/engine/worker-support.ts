/**
 * Whether a model's calls can be made in caller threads (`workers`), apart from the threads
 * themselves (worker-callers.ts): a run without `workers` checks nothing here and loads no
 * `node:worker_threads`.
 */
import type { ModelConfigBase } from "../core/model-config.ts";

/** Why a model cannot have its calls made in caller threads, or undefined when it can. */
export function workersUnsupported(config: ModelConfigBase & Record<string, unknown>): string | undefined {
  if (config.runner === "embedded") return "the embedded runner runs the model in this process";
  if (config.spawn !== undefined)
    return "a spawned llama-server is known only to the main thread (attach it by `url`)";
  if (Array.isArray(config.lora) && config.lora.length > 0) return "LoRA adapters are resolved at start-up";
  return undefined;
}
