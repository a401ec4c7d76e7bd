/**
 * Facts about a local model file for the reproducibility record: size, sha256 and what its GGUF
 * header says (architecture, quantisation, parameters). Hashing a multi-GB file takes seconds,
 * so digests are cached by path, size and modification time.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { GgufInfo } from "../gguf/gguf-info.ts";
import { opbenchCacheDir } from "./cache-dir.ts";

export interface ModelFileFacts {
  path: string;
  bytes: number;
  sha256: string;
  gguf: Omit<GgufInfo, "kv"> | null;
}

const cachePath = () => join(opbenchCacheDir(), "sha256-cache.json");

function readCache(): Record<string, string> {
  try {
    return JSON.parse(readFileSync(cachePath(), "utf8")) as Record<string, string>;
  } catch {
    return {};
  }
}

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Facts about `path`, or undefined when it is not a readable local file (e.g. a remote server's path). */
export async function modelFileFacts(path: string): Promise<ModelFileFacts | undefined> {
  if (!existsSync(path)) return undefined;
  const stat = statSync(path);
  if (!stat.isFile()) return undefined;
  const key = `${path}|${stat.size}|${stat.mtimeMs}`;
  const cache = readCache();
  let digest = cache[key];
  if (!digest) {
    digest = await sha256(path);
    cache[key] = digest;
    try {
      mkdirSync(dirname(cachePath()), { recursive: true });
      writeFileSync(cachePath(), JSON.stringify(cache));
    } catch {
      // A read-only cache only costs the next run a re-hash.
    }
  }
  let gguf: ModelFileFacts["gguf"] = null;
  try {
    // Loaded here: a run whose model is not a local file (an attached server's) never reads one.
    const { readGgufInfo } = await import("../gguf/gguf-info.ts");
    const { kv: _kv, ...info } = await readGgufInfo(path);
    gguf = info;
  } catch {
    // Not a GGUF (or an unknown version): size and digest still identify it.
  }
  return { path, bytes: stat.size, sha256: digest, gguf };
}
