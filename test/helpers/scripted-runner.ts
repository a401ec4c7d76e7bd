/**
 * A runner whose behaviour per call is scripted by the test: for unit tests of the engine's own
 * policy (retries, backoff, resume bookkeeping) where the backend's behaviour must be exact.
 * Backend behaviour itself is tested against the real llama-server elsewhere.
 */
import type { CallError } from "../../src/core/errors.ts";
import type { GenerationRequest, Runner, RunnerEvent } from "../../src/core/runner.ts";
import type { Scorer } from "../../src/core/scorer.ts";
import type { Case, ResolvedSuite, ResolvedTask } from "../../src/suite/resolved.ts";

export type Step =
  | { kind: "ok"; text: string; chunks?: number; outputTokens?: number }
  | { kind: "fail"; error: CallError }
  | { kind: "hang" };

export class ScriptedRunner implements Runner {
  readonly requests: GenerationRequest[] = [];
  started = 0;
  stopped = 0;
  private readonly script: (request: GenerationRequest, callNumber: number) => Step;

  constructor(script: (request: GenerationRequest, callNumber: number) => Step) {
    this.script = script;
  }

  async startup() {
    this.started++;
    return { device: "scripted" };
  }

  async shutdown() {
    this.stopped++;
  }

  async *generate(request: GenerationRequest): AsyncIterable<RunnerEvent> {
    this.requests.push(request);
    const step = this.script(request, this.requests.length);
    yield { type: "sent", t: performance.now() };
    await Promise.resolve();
    if (step.kind === "fail") throw step.error;
    if (step.kind === "hang") {
      await new Promise((_, reject) => {
        request.signal.addEventListener("abort", () => reject(request.signal.reason), { once: true });
      });
      return;
    }
    const chunks = step.chunks ?? 1;
    const size = Math.ceil(step.text.length / chunks);
    for (let i = 0; i < step.text.length; i += size) {
      await new Promise((r) => setTimeout(r, 1));
      yield { type: "delta", channel: "content", text: step.text.slice(i, i + size), t: performance.now() };
    }
    yield { type: "usage", usage: { inputTokens: 5, outputTokens: step.outputTokens ?? chunks } };
    yield { type: "end", t: performance.now() };
  }
}

export const exactScorer: Scorer = {
  name: "exact",
  score: ({ output, expected }) =>
    expected === undefined
      ? { score: null, reason: "no expected answer" }
      : { score: output === expected ? 1 : 0, reason: output === expected ? "match" : "mismatch" },
};

/** A resolved suite with one task of `cases` and the given models (ids), built without the loader. */
export function tinySuite(options: {
  cases: Case[];
  models?: string[];
  repeats?: number;
  warmup?: number;
  concurrency?: number;
  attempts?: number;
  timeoutMs?: number;
  maxOutputBytes?: number;
}): ResolvedSuite {
  const task: ResolvedTask = {
    id: "t",
    cases: options.cases,
    scorers: [exactScorer],
    scorerConfigs: [{ type: "exact" }],
    params: { maxTokens: 16, stream: true, timeoutMs: options.timeoutMs ?? 5000 },
  };
  return {
    name: "tiny",
    sourcePath: "<test>",
    baseDir: process.cwd(),
    hash: "0".repeat(64),
    models: (options.models ?? ["m"]).map((id) => ({
      id,
      label: id,
      runner: "llamacpp",
      config: { id, runner: "llamacpp", url: "http://127.0.0.1:1" },
      concurrency: options.concurrency ?? 1,
    })),
    tasks: [task],
    repeats: options.repeats ?? 1,
    warmup: options.warmup ?? 0,
    parallelModels: false,
    gates: [],
    gateAlpha: 0.05,
    maxErrorRate: null,
    maxOutputBytes: options.maxOutputBytes ?? 1 << 20,
    retry: { attempts: options.attempts ?? 3, backoffMs: 5, maxBackoffMs: 20 },
    modelParams: {},
    savings: [],
  };
}
