/**
 * A threaded `init --from` sampling that fails leaves no log file open (a sampling thread
 * terminated after a failure elsewhere closes nothing itself).
 */
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { batchLines } from "../../scripts/bench/lib/replay-batch-log.ts";
import { sampleInThreads } from "../../src/replay/sample-threads.ts";

/** This process's descriptors open on `path` (Linux's /proc). */
function openOn(path: string): number {
  let n = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) n++;
    } catch {
      // Closed between the listing and the read.
    }
  }
  return n;
}

describe.runIf(process.platform === "linux")("sampling threads after a failure", () => {
  it("leave neither file of a batch log open when its results cannot be read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-threads-"));
    const requests = join(dir, "requests.jsonl");
    writeFileSync(requests, batchLines("openai-batch", 0, 400).requests);
    // A folder opens, and fails at its first read: the threads have been started by then.
    const results = join(dir, "results");
    mkdirSync(results);
    await expect(
      sampleInThreads(requests, "openai-batch", 10, 1, { threads: 2, chunkBytes: 4_000 }, results),
    ).rejects.toThrow(/EISDIR/);
    expect(openOn(requests)).toBe(0);
    expect(openOn(results)).toBe(0);
    await expect(
      sampleInThreads(requests, "openai-batch", 10, 1, { threads: 2 }, join(dir, "missing.jsonl")),
    ).rejects.toThrow(/ENOENT/);
    expect(openOn(requests)).toBe(0);
  });
});
