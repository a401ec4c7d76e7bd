import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, truncate } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEMO_MODEL_NAME, writeDemoModel } from "../../src/demo-model/demo-model.ts";
import {
  DEMO_MODEL_FILE,
  DEMO_MODEL_SHA256,
  ensureDemoModel,
  opbenchCacheDir,
  readGgufInfo,
} from "../../src/demo-model/index.ts";
import { readGgufHeader } from "../../src/gguf/gguf-reader.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "opbench-demo-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = async (path: string) =>
  createHash("sha256")
    .update(await readFile(path))
    .digest("hex");

describe("writeDemoModel", () => {
  it("writes the same bytes every time, matching DEMO_MODEL_SHA256", async () => {
    const a = join(dir, "a.gguf");
    const b = join(dir, "b.gguf");
    await writeDemoModel(a);
    await writeDemoModel(b);
    expect(await sha256(a)).toBe(await sha256(b));
    // If the writer changes on purpose, update DEMO_MODEL_SHA256 and bump DEMO_MODEL_FILE.
    expect(await sha256(a)).toBe(DEMO_MODEL_SHA256);
    expect((await stat(a)).size).toBeLessThan(2 * 1024 * 1024);
  });

  it("draws different weights for another seed", async () => {
    const c = join(dir, "c.gguf");
    await writeDemoModel(c, { seed: 2 });
    expect(await sha256(c)).not.toBe(DEMO_MODEL_SHA256);
  });

  it("describes itself as a random-weight llama model with a real SPM vocabulary", async () => {
    const path = join(dir, "a.gguf");
    const info = await readGgufInfo(path);
    expect(info).toMatchObject({
      architecture: "llama",
      name: DEMO_MODEL_NAME,
      type: "model",
      quantization: "F16",
      context_length: 2048,
    });
    expect(String(info.kv["general.description"])).toMatch(/random weights/i);
    expect(info.kv["llama.embedding_length"]).toBe(64);
    expect(info.kv["llama.block_count"]).toBe(2);
    expect(info.kv["tokenizer.ggml.model"]).toBe("llama");

    const header = await readGgufHeader(path);
    const tokens = header.metadata.get("tokenizer.ggml.tokens");
    const types = header.metadata.get("tokenizer.ggml.token_type");
    if (tokens?.type !== "array" || types?.type !== "array") throw new Error("vocabulary missing");
    expect(tokens.values.slice(0, 4)).toEqual(["<unk>", "<s>", "</s>", "<0x00>"]);
    expect(tokens.values[258]).toBe("<0xFF>");
    expect(types.values.slice(3, 259).every((t) => t === 6)).toBe(true); // byte tokens
    expect(tokens.values).toContain("▁the");
    expect(tokens.values).toContain("<|im_end|>");
    expect(new Set(tokens.values).size).toBe(tokens.values.length);
    expect(info.vocab_size).toBe(tokens.values.length);
    const template = header.metadata.get("tokenizer.chat_template");
    expect(template?.type === "string" && String(template.value)).toContain("<|im_start|>");
  });
});

describe("opbenchCacheDir", () => {
  it("prefers OPBENCH_CACHE_DIR, then XDG_CACHE_HOME/opbench, then ~/.cache/opbench", () => {
    expect(opbenchCacheDir({ OPBENCH_CACHE_DIR: "/c", XDG_CACHE_HOME: "/x" })).toBe("/c");
    expect(opbenchCacheDir({ XDG_CACHE_HOME: "/x" })).toBe(join("/x", "opbench"));
    expect(opbenchCacheDir({})).toBe(join(homedir(), ".cache", "opbench"));
  });
});

describe("ensureDemoModel", () => {
  const saved = process.env.OPBENCH_CACHE_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.OPBENCH_CACHE_DIR;
    else process.env.OPBENCH_CACHE_DIR = saved;
  });

  it("writes the model once into <cache>/models, reuses it, and repairs a damaged copy", async () => {
    const cache = join(dir, "cache");
    process.env.OPBENCH_CACHE_DIR = cache;
    const first = await ensureDemoModel();
    expect(first.path).toBe(join(cache, "models", DEMO_MODEL_FILE));
    expect(first.note).toMatch(/DEMO model \(random weights\): its accuracy means nothing/);
    expect(first.note).toContain("--model <file.gguf|url>");
    expect(await sha256(first.path)).toBe(DEMO_MODEL_SHA256);
    const before = await stat(first.path);

    const second = await ensureDemoModel();
    expect(second.path).toBe(first.path);
    const after = await stat(second.path);
    // Reused, not rewritten: a rewrite renames a new file (new inode) into place.
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);

    await truncate(first.path, 1000);
    const third = await ensureDemoModel();
    expect(await sha256(third.path)).toBe(DEMO_MODEL_SHA256);
    expect(await readdir(join(cache, "models"))).toEqual([DEMO_MODEL_FILE]); // no temp files left
  });

  it("gives concurrent callers the same complete file", async () => {
    process.env.OPBENCH_CACHE_DIR = join(dir, "cache-concurrent");
    const results = await Promise.all([ensureDemoModel(), ensureDemoModel(), ensureDemoModel()]);
    expect(new Set(results.map((r) => r.path)).size).toBe(1);
    expect(await sha256(results[0]?.path ?? "")).toBe(DEMO_MODEL_SHA256);
  });
});
