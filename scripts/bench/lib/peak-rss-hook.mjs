/**
 * Preloaded into a measured Node process (`node --import <this file> …`): at exit it writes the
 * process's peak RSS and CPU time to the file named by $OPBENCH_BENCH_USAGE_FILE (one JSON
 * line), so the benchmark reads the peak, not a sample of it. Inert without that variable.
 *
 * Peak RSS is VmHWM from /proc/self/status where there is one (Linux): getrusage's ru_maxrss
 * survives exec, so a child spawned by a large parent would report the parent's size. The peak
 * reached in the first EARLY_MS is reported too (when the process lives that long), so a long
 * run shows whether its memory grew after start-up. With $OPBENCH_BENCH_CPU_TRACE_MS set, the
 * line also holds the process's CPU time every that many ms (`cpuTrace`: [epoch ms, CPU ms]
 * pairs), so a benchmark can tell the CPU spent after a moment it reads elsewhere.
 */
import { appendFileSync, readFileSync } from "node:fs";

const EARLY_MS = 3000;

const file = process.env.OPBENCH_BENCH_USAGE_FILE;
if (file) {
  // Children this process spawns would inherit the hook through NODE_OPTIONS; only this one reports.
  delete process.env.OPBENCH_BENCH_USAGE_FILE;
  const traceMs = Number(process.env.OPBENCH_BENCH_CPU_TRACE_MS ?? 0);
  delete process.env.OPBENCH_BENCH_CPU_TRACE_MS;
  const cpuTrace = [];
  const cpuNow = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  if (traceMs > 0) setInterval(() => cpuTrace.push([Date.now(), cpuNow()]), traceMs).unref();
  let earlyMaxRssKb = null;
  setTimeout(() => {
    earlyMaxRssKb = highWaterKb() ?? process.resourceUsage().maxRSS;
  }, EARLY_MS).unref();
  process.on("exit", () => {
    const usage = process.resourceUsage();
    const line = {
      pid: process.pid,
      maxRssKb: highWaterKb() ?? usage.maxRSS,
      earlyMaxRssKb,
      userCpuMs: usage.userCPUTime / 1000,
      systemCpuMs: usage.systemCPUTime / 1000,
      ...(traceMs > 0 && { cpuTrace: [...cpuTrace, [Date.now(), cpuNow()]] }),
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  });
}

/** VmHWM (peak resident set of this process image) in kB, or undefined off Linux. */
function highWaterKb() {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
