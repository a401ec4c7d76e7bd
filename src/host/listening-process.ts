/**
 * The process on this host that listens on a TCP port (Linux: the socket's inode in
 * /proc/net/tcp{,6}, then the /proc/<pid>/fd link that points at it), and whether this host has
 * a GPU at all. Lets an attached llama-server on localhost have its CPU time read like a spawned
 * one. Processes of other users are not readable without root: then nothing is found.
 */
import { existsSync } from "node:fs";
import { readdir, readFile, readlink } from "node:fs/promises";
import { platform } from "node:os";

/** Inodes of the sockets listening (state 0A) on `port` in a /proc/net/tcp or tcp6 text. */
export function listeningInodes(text: string, port: number): string[] {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  const inodes: string[] = [];
  for (const line of text.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    if (!local || fields[3] !== "0A") continue;
    if (local.slice(local.lastIndexOf(":") + 1).toUpperCase() === hex && fields[9]) inodes.push(fields[9]);
  }
  return inodes;
}

/** The pid listening on `port` on this host; undefined when none is found (or readable). */
export async function listeningPid(port: number, procRoot = "/proc"): Promise<number | undefined> {
  const inodes = new Set<string>();
  for (const file of ["tcp", "tcp6"]) {
    const text = await readFile(`${procRoot}/net/${file}`, "utf8").catch(() => "");
    for (const inode of listeningInodes(text, port)) inodes.add(`socket:[${inode}]`);
  }
  if (inodes.size === 0) return undefined;
  const pids = (await readdir(procRoot).catch(() => [])).filter((name) => /^\d+$/.test(name));
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    const fds = await readdir(`${procRoot}/${pid}/fd`).catch(() => []);
    for (const fd of fds) {
      const target = await readlink(`${procRoot}/${pid}/fd/${fd}`).catch(() => "");
      if (inodes.has(target)) return Number(pid);
    }
  }
  return undefined;
}

/** Whether a URL's host is this machine's loopback. */
export function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
    return host === "localhost" || host === "::1" || /^127\./.test(host);
  } catch {
    return false;
  }
}

/**
 * Whether this Linux host has no GPU device node (NVIDIA, DRM render node, AMD KFD): then a
 * server on it runs on the CPU. Null elsewhere (unknown: macOS always has a GPU to offload to).
 */
export function linuxHostHasNoGpu(devRoot = "/dev"): boolean | null {
  if (platform() !== "linux") return null;
  const nodes = ["nvidia0", "nvidiactl", "kfd", "dri/renderD128"];
  return !nodes.some((node) => existsSync(`${devRoot}/${node}`));
}
