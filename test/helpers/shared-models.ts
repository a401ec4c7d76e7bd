/**
 * Where the workplace's shared test models are. The repository sits beside `shared/`
 * (`../shared/models/`); a clone elsewhere (a temp dir for a clean CI run) can point at it with
 * OPBENCH_SHARED_DIR. Tests only: product code never looks there.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

function sharedDir(): string {
  const candidates = [
    process.env.OPBENCH_SHARED_DIR,
    resolve(REPO_ROOT, "..", "shared"),
    "/work/shared", // the workplace's fixed location, for clones made elsewhere
  ].filter((dir): dir is string => Boolean(dir));
  const found = candidates.find((dir) => existsSync(join(dir, "models", "llama-2-tiny-random.gguf")));
  if (!found) {
    throw new Error(
      `the shared test model is missing: looked for models/llama-2-tiny-random.gguf in ${candidates.join(", ")}; ` +
        "set OPBENCH_SHARED_DIR to the folder holding models/",
    );
  }
  return found;
}

/** The tiny random-weight test model (see ../shared/models/README.md), as an absolute path. */
export const TINY_MODEL = join(sharedDir(), "models", "llama-2-tiny-random.gguf");
