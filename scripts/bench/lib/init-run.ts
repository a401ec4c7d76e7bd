/** `opbench init --from` timed as a whole process, by this checkout or another (replay benches). */
import { loadavg } from "node:os";
import { join } from "node:path";
import { assertExitedOk, runNodeMeasured } from "./child.ts";
import { OPBENCH_NODE_FLAGS, REPO_ROOT } from "./tools.ts";

/** The checkouts a replay bench times: another (`base`) first when given, then this one. */
export function checkoutsToTime(base: string | undefined): (readonly [string, string])[] {
  return base ? [["base", base] as const, ["this", REPO_ROOT] as const] : [["this", REPO_ROOT] as const];
}

/**
 * `opbench init --from` of `logs` (a sample of 500) into `out` by the checkout at `root`: the
 * table cells wall s, CPU s, peak RSS MB, calls/s and the 1-minute load average before it.
 */
export async function timeInit(
  root: string,
  logs: readonly string[],
  out: string,
  calls: number,
): Promise<string> {
  const load = loadavg()[0]!.toFixed(1);
  const args = [
    "init",
    ...logs.flatMap((log) => ["--from", log]),
    "--sample",
    "500",
    "--out",
    out,
    "--force",
  ];
  const run = await runNodeMeasured(
    join(root, "bin", "opbench.js"),
    args,
    { timeoutMs: 600_000 },
    OPBENCH_NODE_FLAGS,
  );
  assertExitedOk(run, "opbench init --from");
  const cpu = run.cpuMs === null ? "?" : (run.cpuMs / 1000).toFixed(1);
  const rate = Math.round(calls / (run.wallMs / 1000));
  return `${(run.wallMs / 1000).toFixed(1)} | ${cpu} | ${run.peakRssMb?.toFixed(0) ?? "?"} | ${rate} | ${load}`;
}
