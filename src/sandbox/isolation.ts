/**
 * What the host offers beyond Node's permission model: a network namespace (`unshare -n`, or
 * `unshare -rn` for a user without root, where user namespaces are allowed) and `/proc` to read a
 * process's CPU time and resident memory. Probed once per process.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

let unsharePrefix: string[] | null | undefined;

/** The command prefix that starts a process without a network, or null where none works. */
export function networkNamespacePrefix(): string[] | null {
  if (unsharePrefix !== undefined) return unsharePrefix;
  unsharePrefix = null;
  if (process.platform !== "linux") return null;
  // An absolute path: the sandboxed process gets an empty environment, so no PATH lookup.
  const unshare = ["/usr/bin/unshare", "/bin/unshare"].find((path) => existsSync(path));
  if (unshare === undefined) return null;
  const root = process.getuid?.() === 0;
  const prefix = root ? [unshare, "-n", "--"] : [unshare, "-rn", "--"];
  const probe = spawnSync(prefix[0]!, [...prefix.slice(1), "true"], { stdio: "ignore", timeout: 5000 });
  if (probe.status === 0) unsharePrefix = prefix;
  return unsharePrefix;
}

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on every Linux port that matters). */
const TICKS_PER_SECOND = 100;

/** A process's CPU time (user + system, ms) and resident memory (MiB) from /proc, or null. */
export function processUsage(pid: number): { cpuMs: number; rssMb: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    return { cpuMs: (ticks * 1000) / TICKS_PER_SECOND, rssMb: rssKb / 1024 };
  } catch {
    return null;
  }
}
