/**
 * The node-llama-cpp `Llama` instance embedded runners share. Its native addon is loaded once
 * per process and `Llama.dispose()` frees the addon's backend, so every embedded model of a run
 * borrows one instance (reference-counted per GPU setting) instead of creating its own.
 */
import type { Llama } from "node-llama-cpp";
import type { EmbeddedModel } from "./embedded-config.ts";

type GpuSetting = NonNullable<EmbeddedModel["gpu"]>;

interface SharedLlama {
  refs: number;
  llama: Promise<Llama>;
}

const shared = new Map<string, SharedLlama>();

/**
 * Borrows the shared Llama for `gpu` ("auto" by default), loading the prebuilt binaries
 * (`build: "never"`: a benchmark never compiles llama.cpp behind the user's back). Logs at
 * warning level and above go to `log`.
 */
export async function acquireLlama(
  gpu: GpuSetting | undefined,
  log: (message: string) => void,
): Promise<{ llama: Llama; release: () => Promise<void> }> {
  const key = String(gpu ?? "auto");
  let entry = shared.get(key);
  if (entry === undefined) {
    const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
    entry = shared.get(key);
    if (entry === undefined) {
      entry = {
        refs: 0,
        llama: getLlama({
          gpu: gpu ?? "auto",
          build: "never",
          progressLogs: false,
          // No thread cap: each context's `threads` is then exactly the number used.
          maxThreads: 0,
          logLevel: LlamaLogLevel.warn,
          logger: (level, message) => {
            const text = message.trim();
            if (text) log(`llama.cpp ${level}: ${text}`);
          },
        }),
      };
      shared.set(key, entry);
    }
  }
  const current = entry;
  current.refs++;
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    current.refs--;
    if (current.refs > 0) return;
    if (shared.get(key) === current) shared.delete(key);
    const llama = await current.llama.catch(() => undefined);
    await llama?.dispose();
  };
  try {
    return { llama: await current.llama, release };
  } catch (error) {
    await release();
    throw error;
  }
}

/**
 * Default CPU threads: one per physical core (`cpuMathCores`), minus one left to Node's event
 * loop, which reads the clock for every timestamp; at most 8, since token generation is bound
 * by memory bandwidth that a few threads saturate (llama.cpp's own guidance is physical cores).
 * Measured on a 2-core machine with the tiny test model: 1 thread ≈ 0.9 ms/token, 2 threads
 * ≈ 13 ms/token, node-llama-cpp's default of 4 ≈ 180 ms/token: threads that compete with the
 * event loop for a core spin-wait and collapse throughput.
 */
export function defaultThreads(cpuMathCores: number): number {
  return Math.max(1, Math.min(cpuMathCores - 1, 8));
}
