/**
 * `.env` files for `run` and `load`: API keys kept in a file beside the suite or in the working
 * directory instead of exported in the shell. A variable already set in the environment is never
 * replaced, and the first file to name a variable wins (the suite's before the working
 * directory's). Only file paths and variable names are printed, never a value.
 */
import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseEnv } from "node:util";

export const ENV_FILE = ".env";

/** What one `.env` file did. */
export interface EnvFileLoad {
  /** Absolute path of the file. */
  path: string;
  /** Variables it set. */
  set: string[];
  /** Variables it names that were set already (in the environment or by an earlier file). */
  kept: string[];
}

/**
 * Reads `<dir>/.env` for each directory in order (each once; a missing file is skipped) into
 * `env`, and says on `say` which file set which variable names. `process.loadEnvFile()` reads
 * the same format; the file is parsed here (`util.parseEnv`) so that the names set and kept can
 * be reported and an existing variable is kept on every supported Node version.
 */
export function loadEnvFiles(
  dirs: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  say: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): EnvFileLoad[] {
  const loads: EnvFileLoad[] = [];
  for (const path of new Set(dirs.map((dir) => join(resolve(dir), ENV_FILE)))) {
    if (!statSync(path, { throwIfNoEntry: false })?.isFile()) continue;
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      say(`opbench: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? "error"}; skipped`);
      continue;
    }
    const load: EnvFileLoad = { path, set: [], kept: [] };
    for (const [name, value] of Object.entries(parseEnv(text))) {
      if (env[name] !== undefined) load.kept.push(name);
      else {
        env[name] = value;
        load.set.push(name);
      }
    }
    const kept = load.kept.length > 0 ? `; already set, kept: ${load.kept.join(", ")}` : "";
    say(
      `opbench: read ${path}: ${load.set.length > 0 ? `set ${load.set.join(", ")}` : "set nothing"}${kept}`,
    );
    loads.push(load);
  }
  return loads;
}
