/**
 * The published package: `npm pack` compiles dist/ and bundles the CLI into dist/cli/ (prepack),
 * and the installed copy runs from it — Node does not strip types under node_modules, so a
 * missing or broken dist would only show after publishing. The tarball is unpacked inside
 * node_modules, where its dependencies resolve.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const INSTALL = join(ROOT, "node_modules", ".opbench-pack-test");

/** A custom scorer written as the README shows, importing its types from "opbench". */
const CONSUMER = `
import type { CustomScorerFunction, ScoreInput, ScoreResult } from "opbench";

export const keywords: CustomScorerFunction<{ words: string[] }> = ({ output }, { words }) => {
  const missing = words.filter((word) => !output.toLowerCase().includes(word));
  return { score: 1 - missing.length / words.length, reason: missing.join(", ") };
};
export const tools = (input: ScoreInput): ScoreResult => ({
  score: input.toolCalls?.[0]?.name === "add" ? 1 : 0,
  reason: String(input.row?.q),
});
// The types are real, not any: each line below must be a type error.
// @ts-expect-error score must be a number or null
export const wrongScore: CustomScorerFunction = () => ({ score: "high", reason: "" });
// @ts-expect-error options are typed
export const wrongOption: CustomScorerFunction<{ n: number }> = (_input, { words }) => ({ score: words, reason: "" });
// @ts-expect-error only the public types are exported
import type { Scorer } from "opbench";
`;

/** Type-checks CONSUMER in a project where "opbench" is the unpacked package, resolved through its "exports". */
function typeCheckConsumer(packageDir: string): void {
  const project = mkdtempSync(join(tmpdir(), "opbench-consumer-"));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(packageDir, join(project, "node_modules", "opbench"), "dir");
  writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(join(project, "scorer.ts"), CONSUMER);
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { module: "NodeNext", strict: true, noEmit: true, skipLibCheck: true, types: [] },
      files: ["scorer.ts"],
    }),
  );
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const checked = spawnSync(process.execPath, [tsc, "-p", project, "--traceResolution"], {
    encoding: "utf8",
  });
  const errors = checked.stdout.split("\n").filter((line) => line.includes("error TS"));
  expect(errors).toEqual([]);
  expect(checked.status).toBe(0);
  // Resolved through the package's "exports" to its declarations.
  expect(checked.stdout).toMatch(
    /Module name 'opbench' was successfully resolved to '.*\/dist\/src\/index\.d\.ts'/,
  );
  rmSync(project, { recursive: true, force: true });
}

describe("the npm package", () => {
  afterAll(() => rmSync(INSTALL, { recursive: true, force: true }));

  it("packs compiled JavaScript that runs installed, without the TypeScript sources", () => {
    const out = mkdtempSync(join(tmpdir(), "opbench-pack-"));
    const packed = JSON.parse(
      execFileSync("npm", ["pack", "--json", "--pack-destination", out], {
        cwd: ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }),
    ) as { filename: string; version: string; files: { path: string }[] }[];
    const files = packed[0]!.files.map((f) => f.path);
    expect(files).toContain("dist/cli/main.js");
    expect(files).toContain("dist/src/engine/caller-worker.js");
    expect(files).toContain("dist/runners/index.js");
    expect(files).toContain("dist/reports/index.js");
    expect(files).toContain("suites/quickstart.yaml");
    expect(files).toEqual(
      expect.arrayContaining([
        "data/energy/ccf-cpu-coefficients.json",
        "data/energy/LICENSE.cloud-carbon-footprint",
      ]),
    );
    expect(files).toEqual(expect.arrayContaining(["dist/src/index.js", "dist/src/index.d.ts"]));
    expect(files.some((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toBe(false);
    rmSync(join(ROOT, "dist"), { recursive: true, force: true }); // the checkout keeps running from src/

    mkdirSync(INSTALL, { recursive: true });
    execFileSync("tar", ["-xzf", join(out, packed[0]!.filename), "-C", INSTALL]);
    const bin = join(INSTALL, "package", "bin", "opbench.js");
    const run = (args: string[]) =>
      spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env: { ...process.env, CI: "1" } });
    // The installed CLI runs the bundle (dist/cli/), not the compiled modules one by one.
    rmSync(join(INSTALL, "package", "dist", "src", "cli"), { recursive: true });
    const validate = run(["validate", join(INSTALL, "package", "suites", "quickstart.yaml")]);
    expect(validate.stderr).toBe("");
    expect(validate.stdout).toContain("valid. 1 model(s), 1 task(s), 48 case(s)");
    const schema = run(["schema"]);
    expect(JSON.parse(schema.stdout).title).toBe("opbench suite");
    // `summary` loads the output registry (dist/reports) before it looks at the directory.
    expect(run(["summary", INSTALL]).stderr).toContain("has no events.jsonl");
    expect(run(["--version"]).stdout).toBe(`${packed[0]!.version}\n`);
    // The installed package finds its shipped energy data (the modelled CPU estimate reads it).
    const table = join(INSTALL, "package", "dist", "src", "energy", "cpu-power-table.js");
    const data = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const m = await import(${JSON.stringify(table)}); console.log(m.ccfCoefficients().per_vcpu_watts["AMD EPYC 3rd Gen"].max_w);`,
      ],
      { encoding: "utf8" },
    );
    expect(data.stdout.trim(), data.stderr).toBe("2.02");
    typeCheckConsumer(join(INSTALL, "package"));
  }, 180_000);
});
