/**
 * `--workers N`: a model's calls made in N caller threads (caller-worker.ts), each with its own
 * runner — its own connection pool and clock — so one opbench process can drive a server harder
 * than one core can. The wrapped runner keeps everything else (startup, probes, token counting,
 * the serving process, shutdown) on the main thread, whose engine times, scores and records each
 * call as usual: the threads' event times are converted to the main thread's clock, and the one
 * run log is written here.
 */
import { Worker } from "node:worker_threads";
import { EventQueue } from "../../runners/event-queue.ts";
import type { ModelConfigBase } from "../core/model-config.ts";
import type { GenerationRequest, Runner, RunnerEvent } from "../core/runner.ts";
import { type CallerMessage, type MainMessage, revivedError, serializedError } from "./worker-protocol.ts";

export { workersUnsupported } from "./worker-support.ts";

const WORKER_URL = new URL(
  `./caller-worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`,
  import.meta.url,
);

interface Caller {
  worker: Worker;
  inFlight: number;
  /** Settles when the thread has built its runner (or failed to start). */
  ready: Promise<void>;
}

/** `runner` with its `generate` made by `count` caller threads, each call on the least busy. */
export function withWorkerCallers(runner: Runner, config: ModelConfigBase, count: number): Runner {
  let callers: Caller[] | undefined;
  let nextId = 0;
  const calls = new Map<number, { queue: EventQueue<RunnerEvent>; caller: Caller }>();

  const onMessage = (message: CallerMessage) => {
    if (message.type === "ready") return;
    const call = calls.get(message.id);
    if (!call) return;
    if (message.type === "events") for (const event of message.events) call.queue.push(event);
    else {
      calls.delete(message.id);
      if (--call.caller.inFlight === 0) call.caller.worker.unref();
      if (message.type === "done") call.queue.close();
      else call.queue.fail(revivedError(message.error));
    }
  };

  const start = (): Caller[] =>
    Array.from({ length: count }, () => {
      const worker = new Worker(WORKER_URL, {
        workerData: { config, mainTimeOrigin: performance.timeOrigin },
      });
      worker.on("message", onMessage);
      const ready = new Promise<void>((resolve, reject) => {
        worker.once("message", () => resolve());
        worker.once("error", reject);
      });
      ready.catch(() => {});
      // A thread that fails or exits takes its calls in flight with it: they fail, the run goes on.
      const failCalls = (error: Error) => {
        for (const [id, call] of calls) {
          if (call.caller.worker !== worker) continue;
          calls.delete(id);
          call.caller.inFlight--;
          call.queue.fail(error);
        }
        worker.unref();
      };
      worker.on("error", failCalls);
      worker.on("exit", (code) => failCalls(new Error(`the caller thread exited (code ${code})`)));
      // Held (keeping the process alive) while it starts or has calls in flight, never when idle.
      ready.then(
        () => caller.inFlight === 0 && worker.unref(),
        () => worker.unref(),
      );
      const caller: Caller = { worker, inFlight: 0, ready };
      return caller;
    });

  async function* generate(request: GenerationRequest): AsyncGenerator<RunnerEvent> {
    const { signal, ...rest } = request;
    if (signal.aborted) throw signal.reason;
    callers ??= start();
    const caller = callers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
    const id = nextId++;
    const queue = new EventQueue<RunnerEvent>();
    calls.set(id, { queue, caller });
    if (caller.inFlight++ === 0) caller.worker.ref();
    const onAbort = () =>
      caller.worker.postMessage({
        type: "abort",
        id,
        reason: serializedError(signal.reason),
      } satisfies MainMessage);
    signal.addEventListener("abort", onAbort, { once: true });
    caller.worker.postMessage({ type: "call", id, request: rest } satisfies MainMessage);
    try {
      yield* queue.drain();
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  const wrapped: Runner = {
    generate,
    async shutdown() {
      const running = callers ?? [];
      callers = undefined;
      await Promise.all(running.map((c) => c.worker.terminate()));
      await runner.shutdown?.();
    },
  };
  // The threads start with the model, so their start-up (loading the runners) is not a call's wait.
  wrapped.startup = async (ctx) => {
    const info = await runner.startup?.(ctx);
    callers ??= start();
    await Promise.all(callers.map((c) => c.ready));
    return info;
  };
  if (runner.countTokens) wrapped.countTokens = (text) => runner.countTokens!(text);
  if (runner.servingProcess) wrapped.servingProcess = () => runner.servingProcess!();
  if (runner.serverMetricsUrl) wrapped.serverMetricsUrl = () => runner.serverMetricsUrl!();
  return wrapped;
}
