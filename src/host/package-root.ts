/**
 * opbench's own install folder (where its package.json is), found by walking up from this module:
 * the same answer from the TypeScript sources of a checkout and from the compiled `dist/` of an
 * installed package, whose folders are one level deeper.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "package.json");
    if (
      existsSync(candidate) &&
      (JSON.parse(readFileSync(candidate, "utf8")) as { name?: string }).name === "opbench"
    ) {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error("opbench's package.json was not found above its modules");
    dir = parent;
  }
}

/** Absolute path of the folder holding opbench's package.json. */
export const PACKAGE_ROOT = findRoot();
