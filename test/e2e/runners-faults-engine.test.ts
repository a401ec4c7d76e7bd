import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallRecord, LogEvent } from "../../src/core/records.ts";
import { summarizeRun } from "../../src/metrics/summary-file.ts";
import { runCli } from "../helpers/cli.ts";
import {
  type FaultServer,
  type ReceivedRequest,
  type Reply,
  sseEvent,
  startFaultServer,
} from "../helpers/fault-server.ts";

const KEY = "sk-ant-opbench-engine-fault-5e5e";
const KINDS = ["ok", "limited", "limited-always", "crash", "drop", "malformed", "slow", "echo"] as const;

/** A good streamed answer "fine" in each protocol. */
const GOOD = {
  chat:
    sseEvent({ id: "c1", model: "m-snap", choices: [{ index: 0, delta: { content: "fine" } }] }) +
    sseEvent({
      choices: [{ index: 0, delta: {}, finish_reason: "stop" }],
      usage: { prompt_tokens: 5, completion_tokens: 1 },
    }) +
    "data: [DONE]\n\n",
  messages:
    sseEvent({
      type: "message_start",
      message: { id: "msg_1", model: "c-snap", usage: { input_tokens: 5, output_tokens: 1 } },
    }) +
    sseEvent({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "fine" } }) +
    sseEvent({ type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 1 } }) +
    sseEvent({ type: "message_stop" }),
};

let api: FaultServer;
const seen = new Map<string, number>();

/** Answers by the row's kind (`case:<kind>` in the prompt) and the protocol (the path). */
function route(request: ReceivedRequest): Reply {
  const kind = /case:([a-z-]+)/.exec(request.body)?.[1] ?? "";
  const protocol = request.url.endsWith("/chat/completions") ? "chat" : "messages";
  const key = `${protocol}:${kind}`;
  const n = (seen.get(key) ?? 0) + 1;
  seen.set(key, n);
  const good: Reply = { kind: "sse", text: GOOD[protocol] };
  switch (kind) {
    case "limited":
      return n === 1
        ? { kind: "json", status: 429, headers: { "retry-after-ms": "40" }, body: "rate limited" }
        : good;
    case "limited-always":
      return { kind: "json", status: 429, headers: { "retry-after": "0.04" }, body: "rate limited" };
    case "crash":
      return { kind: "json", status: 500, body: { error: { message: "boom" } } };
    case "drop":
      return { kind: "sse", text: GOOD[protocol], dropAfterBytes: 40 };
    case "malformed":
      return { kind: "sse", text: "data: {not json\n\n" };
    case "slow":
      return { kind: "trickle", event: ": still here\n\n", everyMs: 50 };
    case "echo":
      return { kind: "echo-headers", status: 401 };
    default:
      return good;
  }
}

beforeAll(async () => {
  api = await startFaultServer(route);
});
afterAll(async () => {
  await api.close();
});

describe("a run over a faulty API server", () => {
  it("records every fault with its class, retries the retryable ones, and finishes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-faults-"));
    writeFileSync(
      join(dir, "data.jsonl"),
      KINDS.map((kind) => JSON.stringify({ kind, expected: "fine" })).join("\n"),
    );
    writeFileSync(
      join(dir, "suite.yaml"),
      [
        "name: faults",
        "timeout: 500ms",
        "retry: {attempts: 2, backoff: 10ms, max_backoff: 20ms}",
        "defaults: {max_tokens: 8}",
        "models:",
        `  - {id: compat, runner: openai-compatible, model: m, base_url: "${api.url}/v1"}`,
        `  - {id: claude, runner: anthropic, model: c, base_url: "${api.url}"}`,
        "tasks:",
        "  - {id: t, prompt: 'case:{{kind}}', dataset: data.jsonl, scorers: [exact]}",
      ].join("\n"),
    );
    const out = join(dir, "run");
    const result = await runCli(["run", join(dir, "suite.yaml"), "--out", out], { ANTHROPIC_API_KEY: KEY });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(out, "summary.json"))).toBe(true);
    // The summary folded during the run (retries, failures, masked key) equals one read from the log.
    const folded = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as unknown;
    expect(folded).toEqual(JSON.parse(JSON.stringify(await summarizeRun(out))));

    const records = readFileSync(join(out, "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as LogEvent)
      .filter((e): e is CallRecord => e.type === "call");
    for (const model of ["compat", "claude"]) {
      const attempts = (kind: string) =>
        records
          .filter((r) => r.model === model && r.case_id === String(KINDS.indexOf(kind as never) + 1))
          .sort((a, b) => a.attempt - b.attempt);
      const classes = (kind: string) => attempts(kind).map((r) => r.error?.class ?? "ok");

      expect(classes("ok")).toEqual(["ok"]);
      expect(attempts("ok")[0]).toMatchObject({ output: "fine", ok: true, scores: [{ score: 1 }] });
      expect(classes("limited")).toEqual(["http_429", "ok"]);
      expect(attempts("limited")[0]!.will_retry).toBe(true);
      expect(attempts("limited")[1]!.backoff_ms).toBe(40); // the server's retry-after-ms, not the policy's 10 ms
      expect(classes("limited-always")).toEqual(["http_429", "http_429"]);
      expect(attempts("limited-always")[1]).toMatchObject({ backoff_ms: 40, will_retry: false });
      expect(classes("crash")).toEqual(["http_5xx", "http_5xx"]);
      expect(classes("drop")).toEqual(["stream_aborted", "stream_aborted"]);
      expect(classes("malformed")).toEqual(["parse"]); // not worth another attempt
      expect(classes("slow")).toEqual(["timeout"]);
      expect(classes("echo")).toEqual(["http_4xx"]);
    }
    // The echoing proxy saw the key and put it in its error body; no record carries it.
    expect(api.requests.some((r) => r.headers["x-api-key"] === KEY)).toBe(true);
    expect(readFileSync(join(out, "events.jsonl"), "utf8")).not.toContain(KEY);
    expect(result.stdout + result.stderr).not.toContain(KEY);
  });
});
