/**
 * A load call's record (src/load/load-record.ts, made without the engine's runAttempt) must read
 * as a run's call record for the same events: same keys in the same order, same metrics and
 * tokens, only unscored. Both come from the one builder (src/engine/call-record.ts); this checks
 * that each path hands it the same place, tokens and timeline. Both are fed one scripted event
 * sequence through the same timeline.
 */
import { describe, expect, it } from "vitest";
import { CallError } from "../../src/core/errors.ts";
import type { CallRecord } from "../../src/core/records.ts";
import type { GenerationRequest, Runner, RunnerEvent } from "../../src/core/runner.ts";
import { callParams, callRequest, runAttempt } from "../../src/engine/attempt.ts";
import type { WorkItem } from "../../src/engine/plan.ts";
import { loadCallRecord } from "../../src/load/load-record.ts";
import { CallTimeline } from "../../src/metrics/call-timeline.ts";
import { tinySuite } from "../helpers/scripted-runner.ts";

/** A runner replaying fixed events (times included), so both paths see identical timestamps. */
function replay(events: RunnerEvent[], countTokens?: (text: string) => number): Runner {
  return {
    async *generate() {
      for (const event of events) yield event;
    },
    ...(countTokens && { countTokens: async (text: string) => countTokens(text) }),
  };
}

const suite = tinySuite({ cases: [{ id: "1", prompt: "hello", expected: "abc" }] });
const item: WorkItem = {
  key: "m|load|0|0",
  model: suite.models[0]!,
  task: suite.tasks[0]!,
  case: suite.tasks[0]!.cases.at(0)!,
  caseIndex: 0,
  repeat: 0,
  warmup: false,
};
const params = callParams(item, undefined);
const place = { key: item.key, model: "m", task: "t", case: item.case, caseIndex: 0, warmup: false };

async function both(runner: Runner, error?: CallError): Promise<[CallRecord, CallRecord]> {
  const engine = await runAttempt(runner, item, params, 1, null, new AbortController().signal);
  const request: GenerationRequest = callRequest(item, params, new AbortController().signal);
  const timeline = new CallTimeline();
  try {
    for await (const event of runner.generate(request)) timeline.apply(event);
  } catch {
    // the error is passed in, as the caller classifies it
  }
  const load = await loadCallRecord(runner, place, request, timeline, error, engine.record.started_at);
  return [engine.record, load];
}

const streamed: RunnerEvent[] = [
  { type: "sent", t: 100 },
  { type: "response", id: "r1", model: "snap", finishReason: "stop" },
  { type: "delta", channel: "content", text: "a", t: 130.5 },
  { type: "delta", channel: "content", text: "bc", t: 141.25 },
  { type: "usage", usage: { inputTokens: 7, outputTokens: 3 } },
  { type: "end", t: 150 },
];

describe("a load call's record", () => {
  it("is the run's record of the same events, key for key, with no scores", async () => {
    const [engine, load] = await both(replay(streamed));
    expect(engine.scores.length).toBe(1);
    expect(load.scores).toEqual([]);
    expect(Object.keys(load)).toEqual(Object.keys(engine));
    expect({ ...load, scores: engine.scores }).toEqual(engine);
    expect(load).toMatchObject({ ttft_ms: 30.5, e2e_ms: 50, tpot_ms: 9.75, output_tokens: 3, output: "abc" });
    expect(JSON.stringify({ ...load, scores: engine.scores })).toBe(JSON.stringify(engine));
  });

  it("counts tokens with the runner when the server reported none, as a run does", async () => {
    const events = streamed.filter((e) => e.type !== "usage");
    const [engine, load] = await both(replay(events, (text) => text.length));
    expect(load.tokens_source).toBe("estimated");
    expect(load.output_tokens).toBe(3);
    expect(load.input_tokens).toBe("hello".length);
    expect({ ...load, scores: engine.scores }).toEqual(engine);
  });

  it("keeps a failure's class and message, and no output tokens estimated", async () => {
    const error = new CallError("http_5xx", "server said 503", { status: 503 });
    const failing: Runner = {
      async *generate() {
        yield { type: "sent", t: 1 };
        throw error;
      },
      countTokens: async () => 99,
    };
    const [engine, load] = await both(failing, error);
    expect(load.ok).toBe(false);
    expect(load.error).toEqual({ class: "http_5xx", message: "server said 503", status: 503 });
    expect(load.output_tokens).toBeNull();
    expect(load).toEqual(engine);
  });
});
