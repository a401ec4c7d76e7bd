/**
 * The checkout's CLI runs a bundle of its sources (scripts/cli-bundle.ts), which must never be
 * stale: a copy of the checkout (its own bundle cache) has a source edited, and the next start
 * runs the edit, also when several processes start at once.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bundleCacheDir } from "../../scripts/cli-bundle.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const copy = mkdtempSync(join(tmpdir(), "opbench-bundle-"));
for (const part of ["bin", "src", "runners", "reports", "scripts", "data", "package.json", "tsconfig.json"]) {
  cpSync(join(ROOT, part), join(copy, part), { recursive: true });
}
symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"));
const cacheDir = bundleCacheDir(copy);

function opbench(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [join(copy, "bin", "opbench.js"), ...args], {
    env: { ...process.env, ...env, CI: "1" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (part: Buffer) => {
    stdout += part.toString();
  });
  child.stderr.on("data", (part: Buffer) => {
    stderr += part.toString();
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once("close", (code) => resolve({ code, stdout, stderr })),
  );
}

const currentBuild = () =>
  (JSON.parse(readFileSync(join(cacheDir, "current.json"), "utf8")) as { build: string }).build;

/** Replaces the `plan` command's description in the copy's src/cli/main.ts. */
function editPlanDescription(text: string): void {
  const main = join(copy, "src", "cli", "main.ts");
  const source = readFileSync(main, "utf8");
  const next = source.replace(/("plan",\n\s*)"[^"]*"/, `$1${JSON.stringify(text)}`);
  expect(next).not.toBe(source);
  writeFileSync(main, next);
}

describe("the checkout's CLI bundle", () => {
  afterAll(() => {
    // The cache first: it is reached through the copy's node_modules link.
    rmSync(cacheDir, { recursive: true, force: true });
    rmSync(copy, { recursive: true, force: true });
  });

  it("is built on first use, reused while the sources are unchanged, rebuilt after an edit", async () => {
    const first = await opbench(["--help"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("How many cases are needed");
    const built = currentBuild();
    expect(readFileSync(join(cacheDir, built, "main.js"), "utf8")).toContain("How many cases are needed");

    const published = statSync(join(cacheDir, "current.json")).mtimeMs;
    const again = await opbench(["--help"]);
    expect(again.stdout).toBe(first.stdout);
    expect(statSync(join(cacheDir, "current.json")).mtimeMs, "not built again").toBe(published);

    editPlanDescription("Edited plan description one");
    const edited = await opbench(["--help"]);
    expect(edited.code, edited.stderr).toBe(0);
    expect(edited.stdout).toContain("Edited plan description one");
    expect(currentBuild()).not.toBe(built);
  }, 120_000);

  it("prints `--help` from the text stored beside the bundle, per terminal width and locale", async () => {
    editPlanDescription("Edited plan description for help");
    const first = await opbench(["--help"], { LANG: "en_GB.UTF-8" });
    expect(first.code, first.stderr).toBe(0);
    const stored = join(cacheDir, currentBuild(), "help-0-en_GB.txt");
    expect(readFileSync(stored, "utf8")).toBe(first.stdout);
    // What is stored is what is printed: a changed file shows, for that locale only.
    writeFileSync(stored, `${first.stdout}stored text\n`);
    const again = await opbench(["-h"], { LANG: "en_GB.UTF-8" });
    expect(again.stdout).toBe(`${first.stdout}stored text\n`);
    const other = await opbench(["--help"], { LANG: "fr_FR.UTF-8" });
    expect(other.code, other.stderr).toBe(0);
    expect(other.stdout).not.toContain("stored text");
    expect(other.stdout).toContain("Edited plan description for help");
  }, 120_000);

  it("gives every one of several processes started at once the edited sources", async () => {
    editPlanDescription("Edited plan description two");
    const runs = await Promise.all([1, 2, 3, 4].map(() => opbench(["--help"])));
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain("Edited plan description two");
    }
    expect(readFileSync(join(cacheDir, currentBuild(), "main.js"), "utf8")).toContain(
      "Edited plan description two",
    );
  }, 120_000);

  it("runs the sources themselves with OPBENCH_FROM_SOURCES=1, and when they do not bundle", async () => {
    editPlanDescription("Edited plan description three");
    const build = currentBuild();
    const fromSources = await opbench(["--help"], { OPBENCH_FROM_SOURCES: "1" });
    expect(fromSources.stdout).toContain("Edited plan description three");
    expect(currentBuild()).toBe(build);

    // An import esbuild cannot resolve: the start falls back to the sources, whose error Node reports.
    const runCommand = join(copy, "src", "cli", "run-command.ts");
    writeFileSync(runCommand, `import "./no-such-module.ts";\n${readFileSync(runCommand, "utf8")}`);
    const broken = await opbench(["--help"]);
    expect(broken.code).toBe(0);
    expect(broken.stdout).toContain("Edited plan description three");
    const run = await opbench(["run", join(copy, "no-suite.yaml")]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("no-such-module");
  }, 120_000);
});
