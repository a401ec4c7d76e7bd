/** Helpers for runner tests: run a call to completion and check the event stream's shape. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import type { GenerationRequest, Runner, RunnerContext, RunnerEvent } from "../../src/core/runner.ts";

/** A request with test defaults: 8 tokens, streamed, never aborted. */
export function request(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    prompt: "Say something.",
    maxTokens: 8,
    stream: true,
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** A RunnerContext over a fresh temporary run directory; log lines are collected in `logs`. */
export function runnerContext(
  concurrency = 1,
  signal = new AbortController().signal,
): RunnerContext & { logs: string[] } {
  const logs: string[] = [];
  const runDir = mkdtempSync(join(tmpdir(), "opbench-runner-"));
  return { runDir, baseDir: runDir, concurrency, log: (message) => logs.push(message), signal, logs };
}

/**
 * All events of one call, read as the engine reads them: pushed through `generateInto` when the
 * runner has it (`OPBENCH_TEST_ITERATE=1`: always through `generate`, the other path).
 */
export async function collect(runner: Runner, req: GenerationRequest): Promise<RunnerEvent[]> {
  const events: RunnerEvent[] = [];
  if (runner.generateInto && process.env.OPBENCH_TEST_ITERATE !== "1") {
    await runner.generateInto(req, (event) => events.push(event));
    return events;
  }
  for await (const event of runner.generate(req)) events.push(event);
  return events;
}

/** The call's error (it must throw). */
export async function failure(runner: Runner, req: GenerationRequest): Promise<unknown> {
  try {
    await collect(runner, req);
  } catch (error) {
    return error;
  }
  throw new Error("the call succeeded but was expected to fail");
}

/** Concatenated output text of one channel. */
export function textOf(events: RunnerEvent[], channel: "content" | "reasoning" = "content"): string {
  return events
    .filter((e): e is Extract<RunnerEvent, { type: "delta" }> => e.type === "delta" && e.channel === channel)
    .map((e) => e.text)
    .join("");
}

/** The single event of a type (fails if absent or repeated). */
export function only<T extends RunnerEvent["type"]>(
  events: RunnerEvent[],
  type: T,
): Extract<RunnerEvent, { type: T }> {
  const found = events.filter((e) => e.type === type);
  expect(found, `exactly one ${type} event`).toHaveLength(1);
  return found[0] as Extract<RunnerEvent, { type: T }>;
}

/** Sent first, end last, exactly one of each, no empty deltas, timestamps never going back. */
export function expectWellFormed(events: RunnerEvent[]): void {
  expect(events[0]?.type).toBe("sent");
  expect(events.at(-1)?.type).toBe("end");
  expect(events.filter((e) => e.type === "sent")).toHaveLength(1);
  expect(events.filter((e) => e.type === "end")).toHaveLength(1);
  let last = Number.NEGATIVE_INFINITY;
  for (const event of events) {
    if (event.type === "delta") expect(event.text).not.toBe("");
    if (event.type === "sent" || event.type === "delta" || event.type === "end") {
      expect(event.t).toBeGreaterThanOrEqual(last);
      last = event.t;
    }
  }
}
