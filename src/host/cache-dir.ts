/** Where opbench caches files between runs (the demo model, model files' digests). */
import { homedir } from "node:os";
import { join } from "node:path";

/**
 * opbench's cache directory: $OPBENCH_CACHE_DIR, else $XDG_CACHE_HOME/opbench,
 * else ~/.cache/opbench.
 */
export function opbenchCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OPBENCH_CACHE_DIR) return env.OPBENCH_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, "opbench");
  return join(homedir(), ".cache", "opbench");
}
