/**
 * Point 1, hot paths: tinybench over the code every call goes through, in this process (no
 * network): SSE parsing, template rendering, each scorer, the log append, the summary fold,
 * the per-call timeline, and a whole engine attempt against an in-memory runner.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Bench } from "tinybench";
import { DEFAULT_SCRIPT, streamFrames } from "../../fixtures/scripted-server/script.ts";
import { chatStreamEvents } from "../../runners/llamacpp-events.ts";
import { readSse } from "../../runners/sse.ts";
import type { CallRecord, LogEvent } from "../../src/core/records.ts";
import { RunLog } from "../../src/core/run-log.ts";
import type { Runner, RunnerEvent } from "../../src/core/runner.ts";
import { compileTemplate } from "../../src/core/template.ts";
import { runAttempt } from "../../src/engine/attempt.ts";
import { planModel } from "../../src/engine/plan.ts";
import { CallTimeline } from "../../src/metrics/call-timeline.ts";
import { loadSummaryPlugins, SummaryBuilder } from "../../src/metrics/summary.ts";
import { createScorer, loadAllScorers } from "../../src/scoring/index.ts";
import { INLINE_SOURCE, loadSuiteText } from "../../src/suite/load.ts";
import type { ScorerConfig } from "../../src/suite/schema.ts";
import type { BenchContext } from "./lib/context.ts";

export interface HotPath {
  name: string;
  /** What one operation is. */
  unit: string;
  /** Median throughput, operations per second. */
  opsPerSec: number;
  /** Median latency of one operation, µs. */
  medianUs: number;
  /** 99th percentile latency, µs. */
  p99Us: number;
  samples: number;
}

const LABELS = fileURLToPath(new URL("../../suites/data/banking77-labels.json", import.meta.url));

/** The body of one streamed response, split into the chunks a client reads. */
function recordedBody(chunks: number): Uint8Array[] {
  const script = { ...DEFAULT_SCRIPT, chunks };
  const frames = streamFrames(script, "chatcmpl-scripted-1", 21);
  const encoder = new TextEncoder();
  return Array.from({ length: chunks }, (_, i) =>
    encoder.encode(frames.content(i) + (i === chunks - 1 ? frames.tail : "")),
  );
}

async function* replay(parts: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part;
}

/** Runner events of a ~5 ms streamed call, replayed with no I/O. */
function scriptedEvents(): RunnerEvent[] {
  const events: RunnerEvent[] = [{ type: "sent", t: 0 }];
  for (let i = 0; i < 5; i++) events.push({ type: "delta", channel: "content", text: "tok ", t: 1 + i });
  events.push({ type: "usage", usage: { inputTokens: 21, outputTokens: 5 } });
  events.push({ type: "response", id: "chatcmpl-scripted-1", model: "scripted", finishReason: "stop" });
  events.push({ type: "end", t: 5 });
  return events;
}

const SUITE = `
version: 1
name: hot-paths
models: [{ id: memory, runner: llamacpp, url: "http://127.0.0.1:9" }]
tasks:
  - id: classify
    prompt: "case={{id}} Classify this short customer message: {{text}}"
    dataset: [{ id: c0, text: "my card payment was declined twice", expected: "tok tok tok tok tok " }]
    expected: "{{expected}}"
    scorers: [exact, contains]
`;

export async function benchHotPaths(ctx: BenchContext): Promise<HotPath[]> {
  const bench = new Bench({ time: ctx.smoke ? 20 : 500, warmupTime: ctx.smoke ? 10 : 100 });
  const units = new Map<string, string>();
  const add = (name: string, unit: string, fn: () => unknown) => {
    units.set(name, unit);
    bench.add(name, fn);
  };

  // SSE parsing: the bytes of a whole response through readSse and the chat event mapper.
  const signal = new AbortController().signal;
  for (const chunks of [5, 100]) {
    const body = recordedBody(chunks);
    add(`SSE parse: ${chunks}-chunk response`, "response", async () => {
      for await (const _ of chatStreamEvents(readSse(replay(body), signal))) {
        // consume
      }
    });
  }

  // Template rendering.
  const template = compileTemplate("case={{id}} Classify this short customer message: {{text}}");
  const row = { id: "c42", text: "my card payment was declined twice" };
  add("template render (2 variables)", "render", () => template.render(row));
  const nested = compileTemplate("{{a.b}} and {{c}} then {{a.d}}: {{e}}");
  const nestedRow = { a: { b: "x", d: [1, 2] }, c: "y", e: null };
  add("template render (dotted paths, JSON)", "render", () => nested.render(nestedRow));

  // Every scorer on a typical output.
  const baseDir = join(fileURLToPath(new URL("../../suites/", import.meta.url)));
  const scorerConfigs: [ScorerConfig, string, string][] = [
    [{ type: "exact" }, "card_arrival", "card_arrival"],
    [{ type: "normalized_exact" }, "  Card Arrival. ", "card arrival"],
    [{ type: "contains" }, "The answer is card_arrival.", "card_arrival"],
    [{ type: "regex", pattern: "^card_[a-z_]+$" }, "card_arrival", "card_arrival"],
    [{ type: "one_of", labels_file: LABELS }, "card_arrival", "card_arrival"],
    [{ type: "json_valid" }, '{"intent":"card_arrival","confidence":0.9}', ""],
    [
      {
        type: "json_schema",
        schema: {
          type: "object",
          properties: { intent: { type: "string" }, confidence: { type: "number" } },
          required: ["intent"],
        },
      },
      '{"intent":"card_arrival","confidence":0.9}',
      "",
    ],
  ];
  await loadAllScorers();
  for (const [config, output, expected] of scorerConfigs) {
    const scorer = createScorer(config, { baseDir });
    add(`scorer ${config.type}`, "score", () => scorer.score({ output, expected }));
  }

  // One whole attempt through the engine against an in-memory runner: timeline, record, scores.
  const suite = await loadSuiteText(SUITE, INLINE_SOURCE);
  const item = planModel(suite, suite.models[0]!).next().value!;
  const events = scriptedEvents();
  const runner: Runner = {
    async *generate() {
      for (const event of events) yield event;
    },
  };
  let lastRecord: CallRecord | undefined;
  add("engine attempt (in-memory runner)", "call", async () => {
    lastRecord = (await runAttempt(runner, item, item.task.params, 1, null, signal)).record;
  });
  await runAttempt(runner, item, item.task.params, 1, null, signal).then((o) => {
    lastRecord = o.record;
  });
  const record = lastRecord!;

  add("call timeline (apply + metrics)", "call", () => {
    const timeline = new CallTimeline();
    for (const event of events) timeline.apply(event);
    return timeline.metrics(5, true);
  });

  // Writing records: one synchronous append per record, as the engine does.
  const logDir = mkdtempSync(join(tmpdir(), "opbench-bench-log-"));
  const log = new RunLog(logDir, ["not-a-real-secret-key"]);
  add("RunLog.append (one call record)", "record", () => log.append(record));

  // The summary fold, per record: parsed, and from its JSON line.
  await loadSummaryPlugins();
  const builder = new SummaryBuilder();
  builder.add(startEvent(record));
  const line = JSON.stringify(record);
  add("SummaryBuilder.add (parsed record)", "record", () => builder.add(record));
  add("JSON.parse + SummaryBuilder.add", "record", () => builder.add(JSON.parse(line) as LogEvent));

  try {
    await bench.run();
  } finally {
    log.close();
    rmSync(logDir, { recursive: true, force: true });
  }
  return bench.tasks.map((task): HotPath => {
    const result = task.result;
    if (result.state !== "completed") throw new Error(`hot path ${task.name}: ${result.state}`);
    return {
      name: task.name,
      unit: units.get(task.name) ?? "op",
      opsPerSec: result.throughput.p50,
      medianUs: result.latency.p50 * 1000,
      p99Us: result.latency.p99 * 1000,
      samples: result.latency.samplesCount,
    };
  });
}

function startEvent(record: CallRecord): LogEvent {
  return {
    v: record.v,
    type: "run_start",
    run_id: "hot-paths",
    started_at: record.started_at,
    resumed: false,
    opbench_version: "bench",
    metrics_version: "1",
    node_version: process.version,
    suite: { name: "hot-paths", path: "<inline>", hash: "0", resolved: null, overrides: {} },
    git: { commit: null, dirty: null },
    host: { os: "", arch: "", cpu: "", cores: 0, memory_gb: 0, gpus: [], hostname_hash: "" },
    prices: null,
    argv: [],
  };
}
