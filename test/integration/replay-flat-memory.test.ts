/**
 * `init --from` streams: sampling a 1,000,000-line synthetic log takes no more memory than a
 * 100,000-line one (peak RSS of a child process each, run with opbench's Node flags, plus a
 * margin for the allocator).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeSyntheticLog } from "../../scripts/bench/lib/replay-log.ts";

/** The Node flags `opbench` runs with (bin/opbench.js's shebang): they keep the heap from growing ahead of need. */
const BIN_FLAGS = readFileSync(join(import.meta.dirname, "..", "..", "bin", "opbench.js"), "utf8")
  .split("\n", 1)[0]!
  .split(/\s+/)
  .filter((arg) => arg.startsWith("--"));

const dir = mkdtempSync(join(tmpdir(), "opbench-replay-memory-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("init --from on a million logged calls", () => {
  it("samples with flat memory: 1,000,000 lines peak no higher than 100,000 lines, plus 60 MB", async () => {
    const small = join(dir, "small.jsonl");
    const big = join(dir, "big.jsonl");
    await writeSyntheticLog(small, 100_000);
    await writeSyntheticLog(big, 1_000_000);
    const module = join(import.meta.dirname, "..", "..", "src", "replay", "build-replay.ts");
    const peak = (file: string) => {
      const script = `const { sampleLog } = await import(${JSON.stringify(module)});
        const { stats, sampler } = await sampleLog([${JSON.stringify(file)}], undefined, 500, 1);
        const sampled = sampler.result();
        console.log(JSON.stringify({ calls: stats.calls, sampled: sampled.length, rss: process.resourceUsage().maxRSS }));`;
      const out = execFileSync(process.execPath, [...BIN_FLAGS, "--input-type=module", "-e", script], {
        encoding: "utf8",
      });
      return JSON.parse(out) as { calls: number; sampled: number; rss: number };
    };
    expect(BIN_FLAGS).toContain("--heap-growing-percent=50");
    const s = peak(small);
    const b = peak(big);
    expect(s.calls).toBe(100_000);
    expect(b.calls).toBe(1_000_000);
    expect(b.sampled).toBe(500);
    // maxRSS is in KiB.
    expect(b.rss - s.rss).toBeLessThan(60 * 1024);
  }, 600_000);
});
