/**
 * The process on this host that listens on a TCP port (Linux: the socket's inode in
 * /proc/net/tcp{,6}, then the /proc/<pid>/fd link that points at it), and whether this host has
 * a GPU at all. Lets an attached llama-server on localhost have its CPU time read like a spawned
 * one. Processes of other users are not readable without root: then nothing is found.
 */
import { existsSync, readdirSync, readlinkSync } from "node:fs";
import { type FileHandle, open, readdir } from "node:fs/promises";
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

/**
 * The pid listening on `port` on this host; undefined when none is found (or readable). The
 * processes are read in pid order, each with synchronous calls (a /proc read costs microseconds,
 * a promise per file link ~50 times that), one process per turn of the event loop so that calls
 * already in flight are not held up.
 */
export async function listeningPid(port: number, procRoot = "/proc"): Promise<number | undefined> {
  const inodes = new Set<string>();
  for (const file of ["tcp", "tcp6"]) {
    const text = await listeningPart(`${procRoot}/net/${file}`);
    for (const inode of listeningInodes(text, port)) inodes.add(`socket:[${inode}]`);
  }
  if (inodes.size === 0) return undefined;
  const pids = (await readdir(procRoot).catch(() => [])).filter((name) => /^\d+$/.test(name));
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    if (holdsSocket(`${procRoot}/${pid}/fd`, inodes)) return Number(pid);
    await new Promise(setImmediate);
  }
  return undefined;
}

/**
 * The head of a /proc/net/tcp{,6} file up to its first socket that is not listening. Linux lists
 * the listening sockets first, then the others; a host with thousands of connections (or of
 * sockets in TIME_WAIT) takes ~100 ms to list them all, which the kernel does only when read.
 * "" when the file cannot be read.
 */
async function listeningPart(path: string): Promise<string> {
  let file: FileHandle;
  try {
    file = await open(path, "r");
  } catch {
    return "";
  }
  try {
    const buffer = Buffer.alloc(16_384);
    let text = "";
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length);
      if (bytesRead === 0) return text;
      text += buffer.toString("latin1", 0, bytesRead);
      // Whole data lines (the first line is the header), each with its state in the 4th field.
      const lines = text.split("\n");
      const complete = lines.slice(1, -1);
      const other = complete.findIndex((line) => line.trim().split(/\s+/)[3] !== "0A");
      if (other >= 0) return [lines[0], ...complete.slice(0, other)].join("\n");
    }
  } catch {
    return "";
  } finally {
    await file.close();
  }
}

/** Whether a process's fd folder links to one of `sockets` (false when it cannot be read). */
function holdsSocket(fdDir: string, sockets: ReadonlySet<string>): boolean {
  let fds: string[];
  try {
    fds = readdirSync(fdDir);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      if (sockets.has(readlinkSync(`${fdDir}/${fd}`))) return true;
    } catch {
      // Closed since the folder was read.
    }
  }
  return false;
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
