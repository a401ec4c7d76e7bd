/**
 * opbench's built-in demo model, cached on disk: what a suite runs when its embedded model has
 * no `model:` path. Also re-exports the GGUF writer/reader and the LoRA adapter writer.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { opbenchCacheDir } from "../host/cache-dir.ts";
import { writeDemoModel } from "./demo-model.ts";

export { type GgufMetadataValue, gguf } from "../gguf/gguf-format.ts";
export { type GgufInfo, readGgufInfo } from "../gguf/gguf-info.ts";
export {
  type GgufHeader,
  type GgufTensorInfo,
  readGgufHeader,
  readGgufTensorValues,
} from "../gguf/gguf-reader.ts";
export { type GgufFileSpec, type GgufTensorSource, writeGguf } from "../gguf/gguf-writer.ts";
export { opbenchCacheDir } from "../host/cache-dir.ts";
export { DEMO_MODEL_DEFAULTS, DEMO_MODEL_NAME, type DemoModelOptions, writeDemoModel } from "./demo-model.ts";
export { DEFAULT_LORA_TARGETS, type LoraAdapterOptions, writeLoraAdapter } from "./lora.ts";

/** File name of the cached demo model; bump the version when its bytes change on purpose. */
export const DEMO_MODEL_FILE = "opbench-demo-v1.gguf";
/** sha256 of `writeDemoModel()` with default options (a test keeps this in step with the writer). */
export const DEMO_MODEL_SHA256 = "195549198365399bf066e87eb940b232b066928769b0a3b2a4b62a15e72f2942";

/** What to tell the user whenever the demo model runs. */
export const DEMO_MODEL_NOTE =
  "Using opbench's built-in DEMO model (random weights): its accuracy means nothing. " +
  "Point the suite at your own GGUF (models[].model) or a running llama-server " +
  "(runner: llamacpp, url: ...), or pass --model <file.gguf|url>.";

/**
 * Path of the demo model, written once into `<cache>/models/` (atomically: temp file, then
 * rename) and reused while its sha256 matches. Returns the path and the note for the user.
 */
export async function ensureDemoModel(): Promise<{ path: string; note: string }> {
  const dir = join(opbenchCacheDir(), "models");
  const path = join(dir, DEMO_MODEL_FILE);
  if ((await sha256OfFile(path)) !== DEMO_MODEL_SHA256) {
    await mkdir(dir, { recursive: true });
    const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      await writeDemoModel(temp);
      await rename(temp, path);
    } finally {
      await rm(temp, { force: true });
    }
  }
  return { path, note: DEMO_MODEL_NOTE };
}

/** sha256 (hex) of a file's bytes, or undefined when it cannot be read. */
export async function sha256OfFile(path: string): Promise<string | undefined> {
  const hash = createHash("sha256");
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch {
    return undefined;
  }
  return hash.digest("hex");
}
