/**
 * Runs untrusted JavaScript/TypeScript in a separate Node process: Node's permission model
 * (reads only of the sandbox's own files, the job, the paths the caller names and a fresh temp
 * dir; writes only to that dir; no child processes, workers, addons or inspector), no network
 * (a network namespace where the host allows one, and the network modules disabled inside),
 * an empty environment (no secrets), and limits on wall-clock time (the process group is
 * killed), CPU time and resident memory (a /proc watchdog; `--max-old-space-size` for the heap).
 * The temp dir is removed afterwards. A leaf library: it imports nothing from opbench.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { networkNamespacePrefix, processUsage } from "./isolation.ts";

/** Limits of one sandboxed process. */
export interface SandboxLimits {
  /** Wall-clock time from start to the result, ms. */
  wallMs: number;
  /** CPU time (user + system), ms. */
  cpuMs: number;
  /** Resident memory, MiB (also the V8 old-space limit). */
  memoryMb: number;
}

export interface SandboxRequest {
  /** Absolute path of the job module: it exports `runJob(input, send, {dir})` (see child.ts). */
  job: string;
  /** The job's input, sent as JSON. */
  input: unknown;
  /** Files or folders the process may read besides the sandbox's own and the temp dir. */
  readPaths?: readonly string[];
  /** Files written into the temp dir (name → text) before the process starts. */
  files?: Readonly<Record<string, string>>;
  limits: SandboxLimits;
}

/** Why a sandboxed job gave no result. */
export type SandboxFailureKind =
  | "timeout"
  | "cpu"
  | "memory"
  | "exit"
  | "crash"
  | "permission"
  | "error"
  | "output";

export type SandboxResult =
  | { ok: true; value: unknown; progress: unknown[] }
  | { ok: false; kind: SandboxFailureKind; reason: string; progress: unknown[] };

/** Bytes of stdout read before the process is stopped (results are small; prints are noise). */
const MAX_STDOUT_BYTES = 16 * 1024 * 1024;
/** Characters of one stdout line kept: messages are shorter, longer lines are the job's prints. */
const MAX_LINE_CHARS = 4 * 1024 * 1024;
/** Polling period of the CPU and memory watchdog, ms. */
const WATCH_MS = 20;

const here = dirname(fileURLToPath(import.meta.url));
const extension = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
const childPath = join(here, `child${extension}`);

let running = 0;
const waiting: (() => void)[] = [];
/** One sandboxed process per core at a time: limits measure the job, not the queue. */
async function slot(): Promise<() => void> {
  if (running >= availableParallelism()) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  return () => {
    running--;
    waiting.shift()?.();
  };
}

/**
 * Runs one job in a fresh sandboxed process; never throws for anything the job does (only when
 * the temp dir cannot be made).
 */
export async function runInSandbox(request: SandboxRequest): Promise<SandboxResult> {
  const release = await slot();
  let dir: string | undefined;
  try {
    dir = await mkdtemp(join(tmpdir(), "opbench-sandbox-"));
    for (const [name, text] of Object.entries(request.files ?? {})) await writeFile(join(dir, name), text);
    return await runProcess(request, dir);
  } finally {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    release();
  }
}

function nodeArguments(request: SandboxRequest, dir: string): string[] {
  const reads = [here, request.job, dir, ...(request.readPaths ?? [])];
  const args = [
    "--permission",
    ...reads.map((path) => `--allow-fs-read=${path}`),
    `--allow-fs-write=${dir}`,
    `--max-old-space-size=${Math.max(8, Math.floor(request.limits.memoryMb))}`,
    "--disable-warning=ExperimentalWarning",
    "--disable-warning=SecurityWarning",
  ];
  if (!process.features.typescript && extension === ".ts") args.push("--experimental-strip-types");
  return [...args, childPath];
}

function runProcess(request: SandboxRequest, dir: string): Promise<SandboxResult> {
  const nonce = randomBytes(16).toString("hex");
  const prefix = networkNamespacePrefix() ?? [];
  const command = [...prefix, process.execPath, ...nodeArguments(request, dir)];
  const child = spawn(command[0]!, command.slice(1), {
    cwd: dir,
    env: {},
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  return new Promise((resolve) => {
    const progress: unknown[] = [];
    let result: { value: unknown } | undefined;
    let error: { message: string; code?: string } | undefined;
    let stopped: { kind: SandboxFailureKind; reason: string } | undefined;
    let pending = "";
    let stdoutBytes = 0;
    let stderr = "";
    const stop = (kind: SandboxFailureKind, reason: string) => {
      stopped ??= { kind, reason };
      kill(child);
    };
    const onLine = (line: string) => {
      if (!line.startsWith(nonce)) return;
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line.slice(nonce.length)) as Record<string, unknown>;
      } catch {
        return;
      }
      if ("progress" in message) progress.push(message.progress);
      else if ("result" in message) {
        result = { value: message.result };
        kill(child);
      } else if ("error" in message) error = message.error as typeof error;
    };
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      stdoutBytes += Buffer.byteLength(chunk);
      if (stdoutBytes > MAX_STDOUT_BYTES)
        return stop("output", `printed more than ${MAX_STDOUT_BYTES} bytes`);
      const end = chunk.lastIndexOf("\n");
      if (end === -1) {
        // A line longer than any message is output, not a message: do not keep growing it.
        pending = pending.length > MAX_LINE_CHARS ? "" : pending + chunk;
        return;
      }
      const lines = (pending + chunk.slice(0, end)).split("\n");
      pending = chunk.slice(end + 1);
      for (const line of lines) onLine(line);
    });
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.stdin!.on("error", () => {});
    child.stdin!.end(JSON.stringify({ nonce, job: request.job, input: request.input }));
    const { wallMs, cpuMs, memoryMb } = request.limits;
    const wall = setTimeout(() => stop("timeout", `wall-clock limit ${wallMs} ms reached`), wallMs);
    const watch = setInterval(() => {
      const usage = child.pid === undefined ? null : processUsage(child.pid);
      if (usage === null) return;
      if (usage.cpuMs > cpuMs) stop("cpu", `CPU-time limit ${cpuMs} ms reached`);
      else if (usage.rssMb > memoryMb) stop("memory", `memory limit ${memoryMb} MiB reached`);
    }, WATCH_MS);
    child.on("error", (spawnError) => stop("crash", `could not start: ${spawnError.message}`));
    child.on("close", (code, signal) => {
      clearTimeout(wall);
      clearInterval(watch);
      onLine(pending);
      if (result) return resolve({ ok: true, value: result.value, progress });
      const failure = stopped ?? classify(code, signal, error, stderr);
      resolve({ ok: false, ...failure, progress });
    });
  });
}

function kill(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

function classify(
  code: number | null,
  signal: NodeJS.Signals | null,
  error: { message: string; code?: string } | undefined,
  stderr: string,
): { kind: SandboxFailureKind; reason: string } {
  if (error) {
    const kind = error.code === "ERR_ACCESS_DENIED" ? "permission" : "error";
    return { kind, reason: error.message };
  }
  if (/heap out of memory|Reached heap limit|Allocation failed/.test(stderr)) {
    return { kind: "memory", reason: "the JavaScript heap limit was reached" };
  }
  if (signal !== null) return { kind: "crash", reason: `killed by ${signal}` };
  const lastLine = stderr.trim().split("\n").at(-1) ?? "";
  const detail = lastLine === "" ? "" : ` (${lastLine.slice(0, 200)})`;
  return { kind: "exit", reason: `exited with code ${code} before giving a result${detail}` };
}
