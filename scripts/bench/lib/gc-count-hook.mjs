/**
 * Preloaded into a measured Node process (`node --import <this file> …`): counts its garbage
 * collections and writes them at exit to the file named by $OPBENCH_BENCH_GC_FILE (one JSON
 * line). Scavenges follow the bytes allocated (each one empties a young generation of a fixed
 * size), so their count compares two programs' allocation even on a machine too busy for CPU
 * time to. Inert without that variable.
 */
import { appendFileSync } from "node:fs";
import { constants, PerformanceObserver } from "node:perf_hooks";

const file = process.env.OPBENCH_BENCH_GC_FILE;
if (file) {
  delete process.env.OPBENCH_BENCH_GC_FILE;
  const counts = { pid: process.pid, minor: 0, major: 0, minorMs: 0, majorMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        counts.minor++;
        counts.minorMs += entry.duration;
      } else if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        counts.major++;
        counts.majorMs += entry.duration;
      }
    }
  }).observe({ entryTypes: ["gc"] });
  process.on("exit", () => appendFileSync(file, `${JSON.stringify(counts)}\n`));
}
