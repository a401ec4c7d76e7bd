import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallRecord, LogEvent } from "../../src/core/records.ts";
import { runCli } from "../helpers/cli.ts";
import {
  type FaultServer,
  type ReceivedRequest,
  type Reply,
  sseEvent,
  startFaultServer,
} from "../helpers/fault-server.ts";
import { llamaServerBinary, startLlamaServer, type TestServer, TINY_MODEL } from "../helpers/llama-server.ts";

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
let openLlama: TestServer;
let proxy: FaultServer;
beforeAll(async () => {
  [llama, openLlama, proxy] = await Promise.all([
    startLlamaServer({ slots: 1, args: ["--api-key", KEYS.OPENAI_API_KEY] }),
    startLlamaServer({ slots: 1 }),
    startFaultServer(route),
  ]);
});
afterAll(async () => {
  await Promise.all([llama?.stop(), openLlama?.stop(), proxy?.close()]);
});

/** `base` (http://host:port) with user info put in. */
function withUserInfo(base: string, userInfo: string): string {
  return base.replace("://", `://${userInfo}@`);
}

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

/** Credentials a suite puts in URLs and headers: none may reach a file, the terminal or a log. */
const URL_SECRETS = {
  password: "pw-opbench-SECRET-userinfo-77",
  user: "user-opbench-SECRET-88",
  apiVersion: "2099-01-01-opbench-SECRET-version",
  sig: "sig-opbench-SECRET-query-99",
  token: "tok-opbench-SECRET-llama-11",
  headerToken: "hdr-opbench-SECRET-token-22",
  headerKey: "hdr-opbench-SECRET-key-33",
  tenant: "hdr-opbench-SECRET-tenant-44",
};

describe("credentials in URLs and headers", () => {
  it("are sent, work against real servers, and appear in no output", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-url-secrets-"));
    writeFileSync(join(dir, "data.jsonl"), ['{"q":"one"}', '{"q":"two"}'].join("\n"));
    const s = URL_SECRETS;
    const userInfo = `${s.user}:${s.password}`;
    const query = `api-version=${s.apiVersion}&sig=${s.sig}`;
    const headers =
      `{Authorization: "Bearer ${s.headerToken}", X-Api-Key: "${s.headerKey}", X-Org-Id: org-public-1, ` +
      `X-Tenant: {value: "${s.tenant}", public: false}}`;
    writeFileSync(
      join(dir, "suite.yaml"),
      [
        "name: url-secrets",
        "retry: {attempts: 1}",
        "defaults: {max_tokens: 4}",
        "models:",
        // A real llama-server behind credentials in the URL: the path goes before the query.
        `  - {id: keyed-compat, runner: openai-compatible, model: tiny, api_key_env: OPENAI_API_KEY, base_url: "${withUserInfo(llama.url, userInfo)}/v1?${query}"}`,
        `  - {id: llama-attach, runner: llamacpp, url: "${withUserInfo(openLlama.url, userInfo)}/?token=${s.token}"}`,
        `  - {id: llama-spawn, runner: llamacpp, spawn: {model: "${TINY_MODEL}", binary: "${llamaServerBinary()}", parallel: 1}}`,
        // A proxy that echoes every request header back as the model's answer.
        `  - {id: echo, runner: openai-compatible, model: m, headers: ${headers}, base_url: "${withUserInfo(proxy.url, userInfo)}/echo-stream/creds/v1?${query}"}`,
        `  - {id: basic-echo, runner: openai-compatible, model: m, base_url: "${withUserInfo(proxy.url, userInfo)}/echo-stream/basic/v1"}`,
        // A proxy that refuses with the headers in its error body.
        `  - {id: refused, runner: openai-compatible, model: m, headers: ${headers}, base_url: "${proxy.url}/v1?${query}"}`,
        "tasks:",
        "  - {id: t, prompt: 'Say {{q}}', dataset: data.jsonl}",
      ].join("\n"),
    );
    const out = join(dir, "run");
    const result = await runCli(["run", join(dir, "suite.yaml"), "--out", out], KEYS);
    expect(result.code, result.stderr).toBe(0);

    const records = readFileSync(join(out, "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as LogEvent)
      .filter((e): e is CallRecord => e.type === "call");
    for (const id of ["keyed-compat", "llama-attach", "llama-spawn", "echo", "basic-echo"]) {
      const calls = records.filter((r) => r.model === id);
      expect(calls, `${id}: ${result.stderr}`).toHaveLength(2);
      for (const r of calls) expect(r.ok, `${id}: ${JSON.stringify(r.error)}`).toBe(true);
    }
    expect(records.filter((r) => r.model === "refused").every((r) => r.error?.class === "http_4xx")).toBe(
      true,
    );

    // What was sent: the query after the API path, user info as Basic auth, the headers as given.
    const echoed = proxy.requests.filter((r) => r.url.startsWith("/echo-stream/creds/"));
    expect(echoed.length).toBeGreaterThan(0);
    expect(echoed[0]!.url).toBe(`/echo-stream/creds/v1/chat/completions?${query}`);
    expect(echoed[0]!.headers["x-tenant"]).toBe(s.tenant);
    // User info goes as Basic auth, unless the suite gives an authorization header of its own.
    const basic = `Basic ${Buffer.from(userInfo).toString("base64")}`;
    const basicEchoed = proxy.requests.filter((r) => r.url.startsWith("/echo-stream/basic/"));
    expect(basicEchoed.map((r) => r.headers.authorization)).toEqual([basic, basic]);
    expect(echoed.map((r) => r.headers.authorization)).toEqual([
      `Bearer ${s.headerToken}`,
      `Bearer ${s.headerToken}`,
    ]);
    // The answers echoed every secret header; the log holds them masked.
    for (const r of records.filter((r) => r.model === "echo")) {
      expect(r.output).toContain('"x-api-key":"[REDACTED]"');
      expect(r.output).toContain('"x-org-id":"org-public-1"');
    }

    const files = filesUnder(out);
    expect(files.some((f) => f.path.endsWith(".log"))).toBe(true); // the spawned llama-server's log
    const places = [
      ...files,
      { path: "stdout", text: result.stdout },
      { path: "stderr", text: result.stderr },
    ];
    for (const { path, text } of places) {
      for (const [name, secret] of [...Object.entries(s), ["basic auth", basic.slice(6)]]) {
        expect(text.includes(secret!), `${name} found in ${path}`).toBe(false);
      }
    }
    // What the records say instead.
    const text = readFileSync(join(out, "events.jsonl"), "utf8");
    expect(text).toContain("/v1?api-version=***&sig=***");
    expect(text).toContain('"url":"http://***@');
  });
});
