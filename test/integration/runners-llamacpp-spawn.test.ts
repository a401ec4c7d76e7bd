/**
 * The llama.cpp runner's managed mode against the real llama-server: spawning, logging,
 * sharing one process between identical spawn configs, per-request LoRA, clean stops; plus
 * failures: a server killed mid-stream, one that never loads, one that dies at startup.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLlamaCppRunner } from "../../runners/llamacpp.ts";
import type { LlamaCppModel, SpawnConfig } from "../../runners/llamacpp-config.ts";
import { waitForHealth } from "../../runners/llamacpp-probe.ts";
import { CallError } from "../../src/core/errors.ts";
import type { Runner } from "../../src/core/runner.ts";
import { writeLoraAdapter } from "../../src/demo-model/index.ts";
import { llamaServerBinary, startLlamaServer, TINY_MODEL } from "../helpers/llama-server.ts";
import { collect, expectWellFormed, request, runnerContext, textOf } from "../helpers/runner-events.ts";

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function managed(id: string, spawn: Partial<SpawnConfig> = {}, extra: Partial<LlamaCppModel> = {}): Runner {
  const runner = createLlamaCppRunner({
    id,
    runner: "llamacpp",
    spawn: { binary: llamaServerBinary(), model: TINY_MODEL, threads: 1, ...spawn },
    ...extra,
  } as LlamaCppModel);
  cleanup.push(() => runner.shutdown?.() ?? Promise.resolve());
  return runner;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("llama.cpp runner, managed mode", () => {
  it("starts one shared server for identical spawn configs, logs to the run dir, stops on the last shutdown", async () => {
    const ctx = runnerContext(2);
    const first = managed("org/tiny:a");
    const second = managed("org/tiny:b");
    const [infoA, infoB] = await Promise.all([first.startup?.(ctx), second.startup?.(ctx)]);
    const spawnA = infoA?.spawn as { pid: number; log: string; args: string[]; shared: boolean };
    const spawnB = infoB?.spawn as { pid: number; shared: boolean };
    expect(spawnA.pid).toBe(spawnB.pid);
    expect(infoA?.url).toBe(infoB?.url);
    expect([spawnA.shared, spawnB.shared].sort()).toEqual([false, true]);
    expect(infoA).toMatchObject({ mode: "spawn", device: "cpu", total_slots: 2, n_ctx: 2048 });
    expect(spawnA.args).toEqual(expect.arrayContaining(["-np", "2", "-c", "4096", "-t", "1", "--metrics"]));
    expect(spawnA.log).toBe(join(ctx.runDir, "llama-server-org_tiny_a.log"));
    expect(readFileSync(spawnA.log, "utf8")).toMatch(/listening on http:\/\/127\.0\.0\.1/);

    const events = await collect(second, request({ maxTokens: 4 }));
    expectWellFormed(events);
    await first.shutdown?.();
    await first.shutdown?.(); // twice is fine, and the other model still holds the server
    expect(alive(spawnA.pid)).toBe(true);
    expectWellFormed(await collect(second, request({ maxTokens: 4 })));
    await second.shutdown?.();
    expect(alive(spawnA.pid)).toBe(false);
  });

  it("starts separate servers for different spawn configs", async () => {
    const ctx = runnerContext(1);
    const a = managed("a");
    const b = managed("b", { ctx_size: 1536 });
    const [infoA, infoB] = await Promise.all([a.startup?.(ctx), b.startup?.(ctx)]);
    const pidOf = (info: unknown) => (info as { spawn: { pid: number } }).spawn.pid;
    expect(pidOf(infoA)).not.toBe(pidOf(infoB));
    expect(infoB?.n_ctx).toBe(1536);
  });

  it("selects a LoRA adapter per request on a shared server", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-lora-"));
    const adapter = join(dir, "adapter.gguf");
    await writeLoraAdapter(adapter, { baseModelPath: TINY_MODEL, magnitude: 2 });
    const spawn = { lora: [adapter] };
    const ctx = runnerContext(1);
    const base = managed("base", spawn);
    const tuned = managed("tuned", spawn, { lora: [{ path: adapter, scale: 1 }] });
    const [baseInfo, tunedInfo] = await Promise.all([base.startup?.(ctx), tuned.startup?.(ctx)]);
    expect(baseInfo?.lora_request).toEqual([{ id: 0, scale: 0 }]);
    expect(tunedInfo?.lora_request).toEqual([{ id: 0, scale: 1 }]);
    expect(baseInfo?.lora_adapters).toMatchObject([{ id: 0, path: adapter }]);
    // A server without adapters: what "scale 0" must reproduce.
    const plain = managed("plain");
    await plain.startup?.(ctx);
    const greedy = request({ prompt: "Once upon a time", maxTokens: 24, temperature: 0 });
    const [baseText, tunedText, baseAgain, plainText] = [
      textOf(await collect(base, greedy)),
      textOf(await collect(tuned, greedy)),
      textOf(await collect(base, greedy)),
      textOf(await collect(plain, greedy)),
    ];
    expect(baseText).toBe(plainText);
    expect(baseAgain).toBe(baseText);
    expect(tunedText).not.toBe(baseText);
  });

  it("rejects a per-request adapter the server did not load", async () => {
    const runner = managed("x", {}, { lora: [{ path: "/nowhere/adapter.gguf", scale: 1 }] });
    await expect(runner.startup?.(runnerContext(1))).rejects.toThrow(/not loaded by the server/);
  });

  it("reports a server that dies at startup with the last lines of its log", async () => {
    const runner = managed("broken", { model: "/nonexistent/model.gguf" });
    const error = await runner.startup?.(runnerContext(1)).catch((e: unknown) => e);
    expect(String(error)).toMatch(/exited during startup/);
    expect(String(error)).toMatch(/nonexistent\/model\.gguf/);
  });

  it("names every way to find llama-server when it is missing", async () => {
    const runner = managed("x", { binary: "/nonexistent/llama-server" });
    await expect(runner.startup?.(runnerContext(1))).rejects.toThrow(/spawn\.binary.*LLAMA_SERVER.*PATH/s);
  });
});

describe("llama.cpp runner failures", () => {
  it("turns a server killed mid-stream into network or stream_aborted", async () => {
    const server = await startLlamaServer();
    cleanup.push(() => server.stop("SIGKILL"));
    const runner = createLlamaCppRunner({
      id: "victim",
      runner: "llamacpp",
      url: server.url,
      extra_body: { ignore_eos: true },
    } as LlamaCppModel);
    let deltas = 0;
    let caught: unknown;
    try {
      for await (const event of runner.generate(request({ maxTokens: 1000 }))) {
        if (event.type === "delta" && ++deltas === 1) await server.stop("SIGKILL");
      }
    } catch (error) {
      caught = error;
    }
    expect(deltas).toBeGreaterThan(0);
    expect(caught).toBeInstanceOf(CallError);
    expect(["network", "stream_aborted"]).toContain((caught as CallError).errorClass);
  });

  it("waits out 503 Loading model at startup", async () => {
    let healthCalls = 0;
    const fake = await listen((path, reply) => {
      if (path === "/health") {
        healthCalls++;
        if (healthCalls <= 3) {
          reply(503, { error: { code: 503, message: "Loading model", type: "unavailable_error" } });
        } else reply(200, { status: "ok" });
      } else if (path === "/props") {
        reply(200, {
          total_slots: 1,
          model_path: "m.gguf",
          build_info: "b1-x",
          chat_template: "",
          default_generation_settings: { n_ctx: 512 },
        });
      } else reply(404, { error: { code: 404, message: "not found" } });
    });
    cleanup.push(() => new Promise((resolve) => fake.close(resolve)));
    const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    const runner = createLlamaCppRunner({ id: "slow", runner: "llamacpp", url } as LlamaCppModel);
    const info = await runner.startup?.(runnerContext(1));
    expect(healthCalls).toBe(4);
    expect(info).toMatchObject({ total_slots: 1, n_ctx: 512, build_info: "b1-x", has_chat_template: false });
  });

  /**
   * A fake llama-server that answers the probes and streams "hi"; `dropChat` decides, from how many
   * requests its socket has carried, whether a chat request is dropped (socket destroyed).
   * Returns an attached runner and the server's connection count.
   */
  async function keepAliveFake(dropChat: (requestsOnSocket: number) => boolean) {
    const requestsOnSocket = new Map<unknown, number>();
    const counts = { connections: 0, dropped: 0 };
    const fake = createServer((req, res) => {
      const seen = (requestsOnSocket.get(req.socket) ?? 0) + 1;
      requestsOnSocket.set(req.socket, seen);
      if (req.url === "/v1/chat/completions" && dropChat(seen)) {
        counts.dropped++;
        req.socket.destroy();
      } else if (req.url === "/v1/chat/completions") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.end('data: {"choices":[{"delta":{"content":"hi"}}]}\n\ndata: [DONE]\n\n');
      } else {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          req.url === "/props" ? '{"total_slots":1}' : req.url === "/health" ? '{"status":"ok"}' : "[]",
        );
      }
    });
    fake.on("connection", () => counts.connections++);
    await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
    cleanup.push(() => new Promise((resolve) => fake.close(resolve)));
    const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    const runner = createLlamaCppRunner({ id: "fake", runner: "llamacpp", url } as LlamaCppModel);
    await runner.startup?.(runnerContext(1));
    return { runner, counts };
  }

  it("keeps connections alive, and re-sends once when the server closed a kept connection unannounced", async () => {
    // Like llama-server after a stream: the connection looks reusable but the server drops it.
    // Here a second request on the same socket is never answered; the socket is destroyed.
    const { runner, counts } = await keepAliveFake((seen) => seen > 1);
    const before = counts.connections;
    for (let i = 0; i < 5; i++) expectWellFormed(await collect(runner, request()));
    expect(counts.dropped).toBeGreaterThan(0); // the race really happened, and every call still succeeded
    expect(counts.connections - before).toBeLessThanOrEqual(5 + counts.dropped);
  });

  it("reuses one kept-alive connection for sequential calls when the server keeps it", async () => {
    const { runner, counts } = await keepAliveFake(() => false);
    const before = counts.connections;
    for (let i = 0; i < 10; i++) expectWellFormed(await collect(runner, request()));
    expect(counts.connections - before).toBeLessThanOrEqual(2); // not one per call
  });

  it("gives up on a server that stays loading, naming its last answer", async () => {
    const fake = await listen((_path, reply) =>
      reply(503, { error: { code: 503, message: "Loading model", type: "unavailable_error" } }),
    );
    cleanup.push(() => new Promise((resolve) => fake.close(resolve)));
    const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    await expect(
      waitForHealth(url, { timeoutMs: 200, signal: new AbortController().signal, pollMs: 20 }),
    ).rejects.toThrow(/not ready.*HTTP 503 Loading model/);
  });

  it("stops waiting when the run is aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("interrupted"));
    await expect(
      waitForHealth("http://127.0.0.1:9", { timeoutMs: 10_000, signal: controller.signal }),
    ).rejects.toThrow("interrupted");
  });
});

/** A tiny JSON HTTP server standing in for llama-server's loading phase. */
function listen(
  handler: (path: string, reply: (status: number, body: unknown) => void) => void,
): Promise<Server> {
  const server = createServer((req, res) => {
    handler(req.url ?? "/", (status, body) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}
