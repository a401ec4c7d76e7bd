/**
 * `opbench init --from`: a log → a sample of its calls → (redacted) → one dataset per task shape,
 * the recorded answers file, and the suite text. Streams the log; holds only the sample.
 */

import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { recordedRequestKey } from "../../runners/recorded-key.ts";
import { caseParamsOf } from "../suite/case-params.ts";
import type { LogFormat } from "./detect.ts";
import type { LoggedCall } from "./logged-call.ts";
import { logFiles, newStats, type ReadStats, readLog } from "./read-log.ts";
import { Redactor } from "./redact.ts";
import { type ReplayJudge, type ReplayTask, renderReplaySuite } from "./replay-yaml.ts";
import { type SampledCall, StratifiedSampler } from "./sample.ts";
import { sampleInThreads, type ThreadedSampleOptions } from "./sample-threads.ts";
import { expectedOf, shapesOf, type TaskShape } from "./task-shape.ts";

export interface ReplayOptions {
  files: readonly string[];
  format: LogFormat | undefined;
  sample: number;
  seed: number;
  /** Folder the suite and its files are written to (exists). */
  outDir: string;
  name: string;
  /** The schema file as the suite's comment names it. */
  schema: string;
  redact: boolean;
  redactPatterns: readonly string[];
  /** The LLM judge of free-text tasks, if any. */
  judge?: ReplayJudge;
}

export interface ReplayResult {
  stats: ReadStats;
  strata: Map<string, number>;
  sampled: SampledCall[];
  tasks: ReplayTask[];
  suitePath: string;
  redactions?: ReturnType<Redactor["report"]>;
  notes: string[];
}

const SHAPES: TaskShape[] = ["labels", "json", "tool-use", "text"];

/** Below this size a log is sampled in this thread: starting threads would cost more than they save. */
const THREADED_FROM_BYTES = 32 << 20;

/**
 * Sampling threads by default: one. Parsing scales with threads, but each holds its own sample
 * and heap (~65 MB), and two already take a 1 GB log's peak RSS past the 200 MB target.
 */
export const DEFAULT_SAMPLE_THREADS = 1;

/**
 * Samples a log (flat memory; a batch log's results index grows with its results). A log of 32
 * MB or more is parsed in `threads` sampling threads (sample-threads.ts; 0: in this thread), with
 * the same result.
 */
export async function sampleLog(
  files: readonly string[],
  format: LogFormat | undefined,
  size: number,
  seed: number,
  threads: ThreadedSampleOptions & { minBytes?: number } = { threads: DEFAULT_SAMPLE_THREADS },
): Promise<{ stats: ReadStats; sampler: StratifiedSampler }> {
  const log = await logFiles(files, format);
  const bytes = statSync(log.main).size + (log.results ? statSync(log.results).size : 0);
  if (threads.threads > 0 && bytes >= (threads.minBytes ?? THREADED_FROM_BYTES)) {
    return sampleInThreads(log.main, log.format, size, seed, threads, log.results);
  }
  const stats = newStats();
  const sampler = new StratifiedSampler(size, seed);
  for await (const call of readLog(files, format, stats)) sampler.add(call);
  return { stats, sampler };
}

function mostCommon(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? "unknown";
}

const jsonl = (rows: readonly unknown[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join("");

/** The JSON Schema every call asked for, when all asked for the same one. */
function sharedJsonSchema(calls: readonly LoggedCall[]): Record<string, unknown> | undefined {
  const texts = new Set<string>();
  let schema: Record<string, unknown> | undefined;
  for (const c of calls) {
    const format = c.responseFormat as {
      type?: unknown;
      json_schema?: { schema?: unknown };
      schema?: unknown;
    };
    const s = format?.json_schema?.schema ?? format?.schema;
    if (typeof s !== "object" || s === null) return undefined;
    texts.add(JSON.stringify(s));
    schema = s as Record<string, unknown>;
  }
  return texts.size === 1 ? schema : undefined;
}

export async function buildReplay(options: ReplayOptions): Promise<ReplayResult> {
  const { stats, sampler } = await sampleLog(options.files, options.format, options.sample, options.seed);
  const strata = sampler.counts().strata;
  const sampled = sampler.result();
  const redactor = options.redact ? new Redactor(options.redactPatterns) : undefined;
  const calls = sampled.map((s) => (redactor ? redactor.value(s.call) : s.call));
  const shapes = shapesOf(calls);
  const notes: string[] = [];
  const answers: string[] = [];
  const keys = new Set<string>();
  let sameRequest = 0;
  const rows = new Map<TaskShape, unknown[]>();
  const tasks: ReplayTask[] = [];
  calls.forEach((call, i) => {
    const key = recordedRequestKey(call.messages, call.tools);
    if (keys.has(key)) sameRequest++;
    else {
      keys.add(key);
      const a = call.answer;
      answers.push(
        JSON.stringify({
          key,
          output: a.output,
          tool_calls: a.toolCalls,
          finish_reason: a.finishReason ?? null,
          model: a.model ?? null,
          response_id: a.id ?? null,
          usage: a.usage,
          latency_ms: a.latencyMs ?? null,
        }),
      );
    }
    const shape = shapes[i]!;
    const list = rows.get(shape) ?? [];
    rows.set(shape, list);
    list.push({
      id: `c${String(i + 1).padStart(5, "0")}`,
      model: call.model,
      messages: call.messages,
      ...(call.tools && { tools: call.tools }),
      ...(call.responseFormat !== undefined && { response_format: call.responseFormat }),
      params: call.params,
      expected: expectedOf(call, shape),
      weight: sampled[i]!.weight,
      stratum: sampled[i]!.stratum,
    });
  });
  if (sameRequest > 0) {
    notes.push(
      `${sameRequest} sampled call(s) repeat another's conversation and tools for another model or parameters: the recorded runner replays the first one's answer for them`,
    );
  }
  for (const shape of SHAPES) {
    const list = rows.get(shape);
    if (!list) continue;
    const file = `cases-${shape}.jsonl`;
    writeFileSync(join(options.outDir, file), jsonl(list));
    const shaped = calls.filter((_, i) => shapes[i] === shape);
    const longest = Math.max(
      16,
      ...shaped.map((c) => c.answer.usage.outputTokens ?? Math.ceil(c.answer.output.length / 3)),
      ...shaped.map((c) => Math.min(caseParamsOf(c.params).maxTokens ?? 0, 4096)),
    );
    const jsonSchema = shape === "json" ? sharedJsonSchema(shaped) : undefined;
    tasks.push({
      shape,
      dataset: `./${file}`,
      cases: list.length,
      maxTokens: Math.min(4096, longest),
      ...(jsonSchema && { jsonSchema }),
    });
  }
  if (rows.get("text")) {
    notes.push(
      options.judge
        ? `free-text answers are judged by ${options.judge.model} against the recorded ones (judge_pairwise, both orders), and by rouge_l overlap`
        : "free-text answers are scored by rouge_l overlap only: no judge is configured (--judge gpt-4.1 adds an LLM judge comparing each answer with the recorded one)",
    );
  }
  writeFileSync(join(options.outDir, "answers.jsonl"), answers.length > 0 ? `${answers.join("\n")}\n` : "");
  const models = calls.map((c) => c.model);
  const model = mostCommon(models);
  const provider = calls.find((c) => c.model === model)?.provider;
  if (new Set(models).size > 1) {
    notes.push(
      `the log holds ${new Set(models).size} models; the baseline is priced by each call's logged snapshot, else as ${model}`,
    );
  }
  const suitePath = join(options.outDir, "suite.yaml");
  writeFileSync(
    suitePath,
    renderReplaySuite({
      name: options.name,
      schema: options.schema,
      source: options.files.map((f) => f.split(/[\\/]/).pop()).join(" + "),
      model,
      ...(provider && { provider }),
      answers: "./answers.jsonl",
      tasks,
      ...(options.judge && rows.get("text") && { judge: options.judge }),
      notes,
    }),
  );
  let redactions: ReplayResult["redactions"];
  if (redactor) {
    redactions = redactor.report();
    writeFileSync(join(options.outDir, "redactions.json"), `${JSON.stringify(redactions, null, 2)}\n`);
  }
  return { stats, strata, sampled, tasks, suitePath, ...(redactions && { redactions }), notes };
}
