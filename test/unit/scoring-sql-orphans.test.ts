/**
 * An SQL worker ends with its parent: a parent killed with SIGKILL while its worker is inside a
 * runaway query (where the worker's IPC 'disconnect' is never seen) leaves no process behind.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { expect, it } from "vitest";

const PARENT = join(import.meta.dirname, "..", "fixtures", "sql-pool", "parent.ts");

/** Whether `pid` runs (a zombie, dead but not yet reaped, does not). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

it("a worker stuck in a query exits within seconds of its parent's SIGKILL", async () => {
  const parent = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", PARENT], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  parent.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    parent.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      if (out.includes("\n")) resolve(out.split("\n")[0]!);
    });
    parent.on("exit", (code) => reject(new Error(`the parent exited (${code}) first: ${stderr}`)));
  });
  const [worker] = (JSON.parse(line) as { pids: number[] }).pids;
  expect(worker).toBeTypeOf("number");
  try {
    expect(alive(worker!)).toBe(true);
    parent.kill("SIGKILL");
    let waitedMs = 0;
    while (alive(worker!) && waitedMs < 5000) {
      await sleep(100);
      waitedMs += 100;
    }
    expect(alive(worker!), `worker ${worker} outlived its parent by 5 s`).toBe(false);
  } finally {
    if (alive(worker!)) process.kill(worker!, "SIGKILL");
  }
}, 30_000);
