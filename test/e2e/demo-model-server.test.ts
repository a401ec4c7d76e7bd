/**
 * The demo model and generated LoRA adapters against the real llama-server
 * (OPBENCH_TEST_LLAMA_SERVER, built by test/setup/global.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import getPort from "get-port";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDemoModel } from "../../src/demo-model/demo-model.ts";
import { writeLoraAdapter } from "../../src/demo-model/lora.ts";
import { readGgufHeader } from "../../src/gguf/gguf-reader.ts";

import { TINY_MODEL } from "../helpers/shared-models.ts";

const LABELS = ["positive", "negative", "neutral"];

interface Server {
  url: string;
  stop: () => Promise<void>;
}

/** Starts llama-server with `args` on a free port and waits until /health answers 200. */
async function startServer(args: string[]): Promise<Server> {
  const binary = process.env.OPBENCH_TEST_LLAMA_SERVER;
  if (!binary) throw new Error("OPBENCH_TEST_LLAMA_SERVER is not set (see test/setup/global.ts)");
  const port = await getPort();
  const child: ChildProcess = spawn(
    binary,
    [...args, "--host", "127.0.0.1", "--port", String(port), "-t", "1", "-np", "2"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let log = "";
  child.stdout?.on("data", (d: Buffer) => {
    log += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    log += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null)
      throw new Error(`llama-server exited (${child.exitCode}):\n${log.slice(-3000)}`);
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`llama-server did not become healthy:\n${log.slice(-3000)}`);
}

async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "opbench-demo-server-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("demo model in llama-server", () => {
  let server: Server;
  beforeAll(async () => {
    const model = join(dir, "demo.gguf");
    await writeDemoModel(model);
    server = await startServer(["-m", model]);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("tokenizes words as single pieces", async () => {
    const res = await post(`${server.url}/tokenize`, { content: "the house", with_pieces: true });
    expect((res.tokens as { piece: string }[]).map((t) => t.piece)).toEqual([" the", " house"]);
  });

  it("completes on /completion, deterministically at temperature 0", async () => {
    const body = { prompt: "The house of the", n_predict: 16, temperature: 0, seed: 7 };
    const first = await post(`${server.url}/completion`, body);
    expect(String(first.content).trim().length).toBeGreaterThan(0);
    expect(first.tokens_predicted).toBe(16);
    const again = await post(`${server.url}/completion`, body);
    expect(again.content).toBe(first.content);
  });

  it("chats on /v1/chat/completions through its chat template", async () => {
    const res = await post(`${server.url}/v1/chat/completions`, {
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Is this a good day?" },
      ],
      max_tokens: 16,
    });
    const choice = (res.choices as { message: { content: string } }[])[0];
    expect(choice?.message.content.trim().length).toBeGreaterThan(0);
    // System and user text plus the ChatML markers were all tokenized into the prompt.
    expect((res.usage as { prompt_tokens: number }).prompt_tokens).toBeGreaterThan(10);
  });

  it("follows a GBNF grammar: the output is one of the labels", async () => {
    for (const seed of [1, 2, 3]) {
      const res = await post(`${server.url}/completion`, {
        prompt: "Review: I love it. Sentiment:",
        n_predict: 8,
        seed,
        temperature: 1,
        grammar: `root ::= ${LABELS.map((l) => `"${l}"`).join(" | ")}`,
      });
      expect(LABELS).toContain(res.content);
    }
  });

  it("loads a LoRA adapter written for it", async () => {
    const lora = join(dir, "demo-lora.gguf");
    await writeLoraAdapter(lora, {
      baseModelPath: join(dir, "demo.gguf"),
      targets: ["attn_q", "ffn_up", "output"],
    });
    const withLora = await startServer([
      "-m",
      join(dir, "demo.gguf"),
      "--lora",
      lora,
      "--lora-init-without-apply",
    ]);
    try {
      const body = { prompt: "The house of the", n_predict: 16, temperature: 0, seed: 7 };
      const off = await post(`${withLora.url}/completion`, { ...body, lora: [{ id: 0, scale: 0 }] });
      const on = await post(`${withLora.url}/completion`, { ...body, lora: [{ id: 0, scale: 1 }] });
      expect(on.content).not.toBe(off.content);
    } finally {
      await withLora.stop();
    }
  });
});

describe("LoRA adapter for the shared tiny model", () => {
  let server: Server;
  let lora: string;
  beforeAll(async () => {
    lora = join(dir, "tiny-lora.gguf");
    await writeLoraAdapter(lora, { baseModelPath: TINY_MODEL, rank: 4, seed: 3 });
    server = await startServer(["-m", TINY_MODEL, "--lora", lora, "--lora-init-without-apply"]);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("has the shapes llama.cpp expects", async () => {
    const header = await readGgufHeader(lora);
    const meta = Object.fromEntries(
      [...header.metadata].map(([k, v]) => [k, v.type === "array" ? v.values : v.value]),
    );
    expect(meta).toMatchObject({
      "general.type": "adapter",
      "adapter.type": "lora",
      "general.architecture": "llama",
    });
    const shapes = Object.fromEntries(header.tensors.map((t) => [t.name, t.dims]));
    // W [n_in, n_out] -> lora_a [n_in, r], lora_b [r, n_out]; the tiny model has n_embd 8, n_ff 32.
    expect(shapes["blk.0.attn_q.weight.lora_a"]).toEqual([8, 4]);
    expect(shapes["blk.0.attn_q.weight.lora_b"]).toEqual([4, 8]);
    expect(shapes["blk.0.ffn_down.weight.lora_a"]).toEqual([32, 4]);
    expect(shapes["blk.0.ffn_down.weight.lora_b"]).toEqual([4, 8]);
    expect(header.tensors).toHaveLength(14);
  });

  it("is listed by GET /lora-adapters", async () => {
    const adapters = (await (await fetch(`${server.url}/lora-adapters`)).json()) as {
      id: number;
      path: string;
    }[];
    expect(adapters).toHaveLength(1);
    expect(adapters[0]?.id).toBe(0);
    expect(adapters[0]?.path).toContain("tiny-lora.gguf");
  });

  it("changes the greedy output when applied per request, and only then", async () => {
    const body = { prompt: "Once upon a time", n_predict: 16, temperature: 0, seed: 42 };
    const off = await post(`${server.url}/completion`, { ...body, lora: [{ id: 0, scale: 0 }] });
    const on = await post(`${server.url}/completion`, { ...body, lora: [{ id: 0, scale: 1 }] });
    const offAgain = await post(`${server.url}/completion`, { ...body, lora: [{ id: 0, scale: 0 }] });
    expect(String(off.content).length).toBeGreaterThan(0);
    expect(on.content).not.toBe(off.content);
    expect(offAgain.content).toBe(off.content);
  });

  it("comes out byte-identical from explicit base shapes as from the base model file", async () => {
    const explicit = join(dir, "tiny-lora-explicit.gguf");
    const base = (await readGgufHeader(TINY_MODEL)).tensors.map((t) => ({ name: t.name, dims: t.dims }));
    await writeLoraAdapter(explicit, { baseTensors: base, architecture: "llama", rank: 4, seed: 3 });
    expect(await readFile(explicit)).toEqual(await readFile(lora));
  });

  it("rejects writing an adapter for a target the base model lacks", async () => {
    await expect(
      writeLoraAdapter(join(dir, "bad.gguf"), { baseModelPath: TINY_MODEL, targets: ["attn_qkv"] }),
    ).rejects.toThrow(/matches no base tensor/);
  });
});
