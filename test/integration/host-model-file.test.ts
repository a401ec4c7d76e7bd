import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { modelFileFacts } from "../../src/host/model-file.ts";
import { TINY_MODEL } from "../helpers/llama-server.ts";

describe("model file facts for the reproducibility record", () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.OPBENCH_CACHE_DIR;
    process.env.OPBENCH_CACHE_DIR = mkdtempSync(join(tmpdir(), "opbench-cache-"));
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.OPBENCH_CACHE_DIR;
    else process.env.OPBENCH_CACHE_DIR = saved;
  });

  it("gives the size, sha256 and GGUF facts of the shared tiny model (values from its README)", async () => {
    const facts = await modelFileFacts(TINY_MODEL);
    expect(facts).toMatchObject({
      bytes: 1_750_560,
      sha256: "81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb",
      gguf: { architecture: "llama", vocab_size: 32000, context_length: 4096 },
    });
    // The digest is cached by path, size and mtime.
    const cache = JSON.parse(readFileSync(join(process.env.OPBENCH_CACHE_DIR!, "sha256-cache.json"), "utf8"));
    expect(Object.values(cache)).toContain(facts!.sha256);
  });

  it("hashes a non-GGUF file without GGUF facts, and ignores paths that are not local files", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "opbench-file-")), "x.bin");
    writeFileSync(path, "not a gguf");
    const facts = await modelFileFacts(path);
    expect(facts?.sha256).toBe(createHash("sha256").update("not a gguf").digest("hex"));
    expect(facts?.gguf).toBeNull();
    expect(await modelFileFacts("/models/on/a/remote/server.gguf")).toBeUndefined();
  });
});
