/**
 * The Node the tests run on. `npm test` runs the pinned Node 24; `npm run test:node22` runs the
 * whole suite again on the oldest Node that package.json's `engines` allows (with
 * OPBENCH_TEST_NODE_FLOOR set), and this proves it did: the test workers, and every child they
 * spawn with process.execPath (the CLI, servers, benchmark scripts), are that Node.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  engines: { node: string };
  scripts: Record<string, string>;
};

/** `engines.node`'s floor, e.g. [22, 19] for ">=22.19". */
function enginesFloor(): [number, number] {
  const match = /^>=\s*(\d+)\.(\d+)$/.exec(pkg.engines.node);
  if (!match) throw new Error(`engines.node is not ">=major.minor": ${pkg.engines.node}`);
  return [Number(match[1]), Number(match[2])];
}

describe("the Node running the tests", () => {
  it("is one that package.json's engines allow", () => {
    const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
    const [floorMajor, floorMinor] = enginesFloor();
    expect(major > floorMajor || (major === floorMajor && minor >= floorMinor), process.version).toBe(true);
  });

  it("test:node22 asks npx for the engines floor", () => {
    expect(pkg.scripts["test:node22"]).toContain(`node@${enginesFloor().join(".")} `);
  });

  it.runIf(process.env.OPBENCH_TEST_NODE_FLOOR)(
    "is the engines floor under test:node22, in the workers and in the children they spawn",
    () => {
      const floor = `${enginesFloor().join(".")}.`;
      expect(process.versions.node.startsWith(floor), process.version).toBe(true);
      const child = spawnSync(process.execPath, ["-p", "process.versions.node"], { encoding: "utf8" });
      expect(child.stdout.startsWith(floor), child.stdout).toBe(true);
    },
  );
});
