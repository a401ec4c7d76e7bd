import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallRecord, LogEvent } from "../src/core/records.ts";
import { runCli } from "./helpers/cli.ts";
import {
  type FaultServer,
  type ReceivedRequest,
  type Reply,
  sseEvent,
  startFaultServer,
} from "./helpers/fault-server.ts";
import { startLlamaServer, type TestServer } from "./helpers/llama-server.ts";

const KEYS = {
  OPENAI_API_KEY: "sk-opbench-SECRET-openai-a1b2c3d4e5",
  ANTHROPIC_API_KEY: "sk-ant-opbench-SECRET-f6a7b8c9d0",
  GEMINI_API_KEY: "AIzaSy-opbench-SECRET-gemini-1e2f3a",
  OPBENCH_ROUTER_KEY: "sk-or-opbench-SECRET-router-4b5c6d",
};

/** The proxy: `/echo-stream/…` answers 200 with the headers as the model's text; all else 401 with them. */
function route(request: ReceivedRequest): Reply {
  if (!request.url.startsWith("/echo-stream/")) return { kind: "echo-headers", status: 401 };
  const headers = JSON.stringify(request.headers);
  if ((JSON.parse(request.body) as { stream?: boolean }).stream !== true) {
    const message = { role: "assistant", content: headers };
    return {
      kind: "json",
      body: { id: "c1", model: "echo", choices: [{ index: 0, message, finish_reason: "stop" }] },
    };
  }
  return {
    kind: "sse",
    text:
      sseEvent({ id: "c1", model: "echo", choices: [{ index: 0, delta: { content: headers } }] }) +
      sseEvent({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }) +
      "data: [DONE]\n\n",
  };
}

/** Every file under `dir`, recursively, with its text. */
function filesUnder(dir: string): { path: string; text: string }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return { path, text: readFileSync(path, "latin1") };
    });
}

let llama: TestServer;
let proxy: FaultServer;
beforeAll(async () => {
  [llama, proxy] = await Promise.all([
    startLlamaServer({ slots: 1, args: ["--api-key", KEYS.OPENAI_API_KEY] }),
    startFaultServer(route),
  ]);
});
afterAll(async () => {
  await Promise.all([llama?.stop(), proxy?.close()]);
});

describe("API keys in a run", () => {
  it("appear in no file of the run directory, nor on stdout or stderr", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-secrets-"));
    writeFileSync(join(dir, "data.jsonl"), ['{"q":"one"}', '{"q":"two"}'].join("\n"));
    writeFileSync(
      join(dir, "suite.yaml"),
      [
        "name: secrets",
        "retry: {attempts: 1}",
        "defaults: {max_tokens: 4}",
        "models:",
        `  - {id: gpt-real, runner: openai, model: tiny, base_url: "${llama.url}/v1"}`,
        `  - {id: gpt-echo-body, runner: openai, model: gpt, api: responses, base_url: "${proxy.url}/v1"}`,
        `  - {id: gpt-echo-stream, runner: openai, model: gpt, base_url: "${proxy.url}/echo-stream/v1"}`,
        `  - {id: claude-echo, runner: anthropic, model: claude, base_url: "${proxy.url}"}`,
        `  - {id: gemini-echo, runner: gemini, model: gemini-2.5-flash, base_url: "${proxy.url}/v1beta"}`,
        `  - {id: router-echo, runner: openai-compatible, model: m, api_key_env: OPBENCH_ROUTER_KEY, base_url: "${proxy.url}/router/v1"}`,
        "tasks:",
        "  - {id: t, prompt: 'Say {{q}}', dataset: data.jsonl}",
        "  - {id: whole, prompt: 'Say {{q}}', dataset: data.jsonl, stream: false}",
      ].join("\n"),
    );
    const out = join(dir, "run");
    const result = await runCli(["run", join(dir, "suite.yaml"), "--out", out], KEYS);
    expect(result.code, result.stderr).toBe(0);

    // The keys were really sent: the real server accepted its key, the proxy received every one.
    const records = readFileSync(join(out, "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as LogEvent)
      .filter((e): e is CallRecord => e.type === "call");
    const real = records.filter((r) => r.model === "gpt-real");
    expect(real).toHaveLength(4);
    for (const r of real) expect(r.ok, JSON.stringify(r.error)).toBe(true);
    const received = JSON.stringify(proxy.requests.map((r) => r.headers));
    for (const key of [
      KEYS.OPENAI_API_KEY,
      KEYS.ANTHROPIC_API_KEY,
      KEYS.GEMINI_API_KEY,
      KEYS.OPBENCH_ROUTER_KEY,
    ]) {
      expect(received).toContain(key);
    }
    // …and the proxy put them in what came back: error bodies, and one streamed answer.
    const echoed = records.filter((r) => r.model !== "gpt-real");
    expect(echoed.filter((r) => !r.ok).every((r) => r.error?.class === "http_4xx")).toBe(true);
    expect(echoed.some((r) => r.error?.message.includes("[REDACTED]"))).toBe(true);
    const streamedEcho = records.filter((r) => r.model === "gpt-echo-stream");
    expect(streamedEcho.map((r) => r.ok)).toEqual([true, true, true, true]);
    for (const r of streamedEcho) expect(r.output).toContain('"authorization":"Bearer [REDACTED]"');

    const places = [
      ...filesUnder(out),
      { path: "stdout", text: result.stdout },
      { path: "stderr", text: result.stderr },
    ];
    expect(places.length).toBeGreaterThan(3);
    for (const { path, text } of places) {
      for (const [name, key] of Object.entries(KEYS)) {
        expect(text.includes(key), `${name} found in ${path}`).toBe(false);
      }
    }
  });
});
