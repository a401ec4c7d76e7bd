/**
 * The one call-record builder (src/engine/call-record.ts) that a run's attempt and a load call
 * both use: token counts (the server's, else the runner's estimate for a successful call), the
 * place's defaults for a load call, and the fields JSON leaves out or keeps.
 */
import { describe, expect, it } from "vitest";
import { CallError } from "../../src/core/errors.ts";
import type { GenerationRequest, Runner, RunnerEvent } from "../../src/core/runner.ts";
import { callRecord, callTokens, type RecordPlace } from "../../src/engine/call-record.ts";
import { CallTimeline } from "../../src/metrics/call-timeline.ts";

const request: GenerationRequest = {
  system: "sys",
  prompt: "hello",
  maxTokens: 8,
  stream: true,
  signal: new AbortController().signal,
};

function timelineOf(events: RunnerEvent[]): CallTimeline {
  const timeline = new CallTimeline();
  for (const event of events) timeline.apply(event);
  return timeline;
}

const answered: RunnerEvent[] = [
  { type: "sent", t: 10 },
  { type: "delta", channel: "reasoning", text: "hm", t: 12 },
  { type: "delta", channel: "content", text: "ab", t: 20 },
  { type: "tool_call", call: { id: "c1", name: "f", arguments: '{"x":1}' }, t: 25 },
  { type: "delta", channel: "content", text: "c", t: 30 },
  { type: "end", t: 40 },
];

const counting = (counted: string[]): Runner => ({
  async *generate() {},
  countTokens: async (text: string) => {
    counted.push(text);
    return text.length;
  },
});

const place: RecordPlace = {
  key: "m|t|0|c1",
  model: "m",
  task: "t",
  case: { id: "c1", prompt: "hello", expected: "abc" },
  caseIndex: 3,
  warmup: false,
};

describe("callTokens", () => {
  it("takes the server's counts as they are, without a promise", () => {
    const counted: string[] = [];
    const timeline = timelineOf([...answered, { type: "usage", usage: { inputTokens: 7, outputTokens: 2 } }]);
    expect(callTokens(counting(counted), request, timeline, true)).toEqual({
      input: 7,
      output: 2,
      source: "server",
    });
    expect(counted).toEqual([]);
  });

  it("counts the output (reasoning, content, tool calls) and the input with the runner when the server gave none", async () => {
    const counted: string[] = [];
    const tokens = callTokens(counting(counted), request, timelineOf(answered), true);
    expect(tokens).toBeInstanceOf(Promise);
    expect(await tokens).toEqual({
      input: "syshello".length,
      output: 'hmabcf{"x":1}'.length,
      source: "estimated",
    });
    expect(counted).toEqual(['hmabcf{"x":1}', "syshello"]);
  });

  it("keeps the server's input count when only the output is estimated", async () => {
    const counted: string[] = [];
    const timeline = timelineOf([...answered, { type: "usage", usage: { inputTokens: 9 } }]);
    expect(await callTokens(counting(counted), request, timeline, true)).toEqual({
      input: 9,
      output: 13,
      source: "estimated",
    });
    expect(counted).toHaveLength(1);
  });

  it("estimates nothing for a failed call, nor without a runner that counts", () => {
    const counted: string[] = [];
    expect(callTokens(counting(counted), request, timelineOf(answered), false)).toEqual({
      input: undefined,
      output: undefined,
      source: null,
    });
    expect(callTokens({ async *generate() {} }, request, timelineOf(answered), true)).toMatchObject({
      source: null,
    });
    expect(counted).toEqual([]);
  });
});

describe("callRecord", () => {
  const tokens = { input: 7, output: 3, source: "server" as const };

  it("gives a load call's place attempt 1, repeat 0 and no backoff, and a run's its own", () => {
    const load = callRecord(
      place,
      true,
      timelineOf(answered),
      undefined,
      "2026-01-01T00:00:00.000Z",
      tokens,
      [],
    );
    expect(load).toMatchObject({ item: "m|t|0|c1", attempt: 1, repeat: 0, backoff_ms: null, case_index: 3 });
    const run = callRecord(
      { ...place, attempt: 3, repeat: 2, backoffMs: 250 },
      true,
      timelineOf(answered),
      undefined,
      "2026-01-01T00:00:00.000Z",
      tokens,
      [{ scorer: "exact", score: 1, reason: "exact match" }],
    );
    expect(run).toMatchObject({ attempt: 3, repeat: 2, backoff_ms: 250 });
    expect(Object.keys(run)).toEqual(Object.keys(load));
    expect(run.scores).toHaveLength(1);
  });

  it("takes metrics from the timeline: TTFT only when streamed, TPOT from the output count", () => {
    const streamed = callRecord(place, true, timelineOf(answered), undefined, "t", tokens, []);
    expect(streamed).toMatchObject({
      ttft_ms: 10,
      ttft_reasoning_ms: 2,
      e2e_ms: 30,
      tpot_ms: 14,
      chunk_gaps_ms: [10],
    });
    expect(streamed.tool_calls).toEqual([{ id: "c1", name: "f", arguments: '{"x":1}' }]);
    const whole = callRecord(place, false, timelineOf(answered), undefined, "t", tokens, []);
    expect(whole).toMatchObject({ ttft_ms: null, tpot_ms: null, e2e_ms: 30 });
  });

  it("leaves case_weight out of the line unless the case has one", () => {
    const line = JSON.stringify(callRecord(place, true, timelineOf(answered), undefined, "t", tokens, []));
    expect(line).not.toContain("case_weight");
    const weighted = { ...place, case: { ...place.case, weight: 4, cluster: "k" } };
    const record = callRecord(weighted, true, timelineOf(answered), undefined, "t", tokens, []);
    expect(JSON.stringify(record)).toContain('"cluster":"k","case_weight":4,"repeat":0');
  });

  it("keeps a failure's partial output and error, and null output when nothing came", () => {
    const error = new CallError("timeout", "no complete response within 5 ms");
    const partial = callRecord(place, true, timelineOf(answered.slice(0, 3)), error, "t", tokens, []);
    expect(partial).toMatchObject({ ok: false, output: "ab", tool_calls: null });
    expect(partial.error).toEqual({
      class: "timeout",
      message: "no complete response within 5 ms",
      status: null,
    });
    const none = callRecord(place, true, timelineOf([{ type: "sent", t: 1 }]), error, "t", tokens, []);
    expect(none).toMatchObject({ ok: false, output: null, reasoning: null, e2e_ms: null });
  });
});
