/**
 * The child processes that run `sql_execution`'s queries (sql-worker.ts). SQLite runs a query
 * synchronously and Node cannot interrupt it (a worker thread cannot be terminated inside
 * SQLite), so a query that runs past its time limit is stopped by killing its process; the next
 * case starts a fresh one. Node's SQLite does not enforce a heap limit, so the resident memory of
 * a process running a case is watched too (through /proc, where there is one), and a process
 * past the case's limit is killed the same way. Processes are reused between cases (their built
 * databases with them) and do not keep the parent alive while idle.
 */
import { type ChildProcess, fork } from "node:child_process";
import { availableParallelism } from "node:os";
import type { ScoreResult } from "../core/scorer.ts";
import { processUsage } from "../sandbox/isolation.ts";
import type { SqlJob, SqlWorkerMessage } from "./sql-worker.ts";

/** How long building a case's databases may take before its process is killed. */
const BUILD_TIMEOUT_MS = 30_000;
/** How often a busy process's memory is read. */
const MEMORY_WATCH_MS = 100;

/** Resident memory a process may use while it runs a case, unless the scorer says otherwise. */
export const DEFAULT_MEMORY_MB = 512;

const WORKER_FILE = new URL(`./sql-worker.${import.meta.url.endsWith(".ts") ? "ts" : "js"}`, import.meta.url);

interface Pending {
  job: SqlJob;
  timeoutMs: number;
  /** Resident memory the process may use while it runs this case (MiB). */
  memoryMb: number;
  resolve: (result: ScoreResult) => void;
}

interface Worker {
  child: ChildProcess;
  current?: Pending;
  step?: Extract<SqlWorkerMessage, { step: string }>;
  timer?: NodeJS.Timeout;
}

export class SqlPool {
  private readonly size: number;
  private readonly workers = new Set<Worker>();
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private memoryWatch: NodeJS.Timeout | undefined;
  /** Processes started so far (a killed one is replaced by a new one). */
  started = 0;

  constructor(size = Math.max(1, Math.min(4, availableParallelism() - 1))) {
    this.size = size;
    // Stops children stuck in a query at once on a normal exit (a killed parent: see sql-worker.ts).
    process.once("exit", () => this.close());
  }

  /** Scores one case; never rejects (a timeout or a crash is a score with its reason). */
  run(job: Omit<SqlJob, "id">, timeoutMs: number, memoryMb = DEFAULT_MEMORY_MB): Promise<ScoreResult> {
    return new Promise((resolve) => {
      this.queue.push({ job: { ...job, id: this.nextId++ }, timeoutMs, memoryMb, resolve });
      this.dispatch();
    });
  }

  /** Process ids of the running workers (diagnostics, tests). */
  pids(): number[] {
    return [...this.workers].flatMap((worker) => (worker.child.pid === undefined ? [] : [worker.child.pid]));
  }

  /** Kills every process (tests; the processes also exit with their parent). */
  close(): void {
    for (const worker of this.workers) worker.child.kill("SIGKILL");
    this.workers.clear();
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let worker = [...this.workers].find((w) => w.current === undefined);
      if (worker === undefined && this.workers.size < this.size) worker = this.spawn();
      if (worker === undefined) return;
      const pending = this.queue.shift()!;
      worker.current = pending;
      worker.step = undefined;
      this.hold(worker, true);
      this.arm(worker, BUILD_TIMEOUT_MS);
      worker.child.send(pending.job);
      this.watchMemory();
    }
  }

  /** Reads each busy process's memory until none is busy; one past its case's limit is replaced. */
  private watchMemory(): void {
    if (this.memoryWatch !== undefined || process.platform !== "linux") return;
    this.memoryWatch = setInterval(() => {
      let busy = false;
      for (const worker of this.workers) {
        const pending = worker.current;
        if (pending === undefined || worker.child.pid === undefined) continue;
        busy = true;
        const usage = processUsage(worker.child.pid);
        if (usage === null || usage.rssMb <= pending.memoryMb) continue;
        // Decided after this turn's poll phase: the step message the child sent before it grew
        // (read from its pipe there, after the timers) says which step to blame.
        setImmediate(() => {
          if (worker.current === pending && this.workers.has(worker))
            this.replace(
              worker,
              `used more than ${pending.memoryMb} MiB of memory (its worker was replaced)`,
            );
        });
      }
      if (!busy) {
        clearInterval(this.memoryWatch);
        this.memoryWatch = undefined;
      }
    }, MEMORY_WATCH_MS);
    this.memoryWatch.unref();
  }

  /** Kills a worker's process and scores its case with `why`; the next case gets a new process. */
  private replace(worker: Worker, why: string): void {
    this.workers.delete(worker);
    worker.child.kill("SIGKILL");
    this.finish(worker, why);
  }

  private spawn(): Worker {
    const child = fork(WORKER_FILE, [], {
      // node:sqlite and type stripping warn on Node 22; the child's stderr is not the user's.
      execArgv: ["--disable-warning=ExperimentalWarning", "--max-old-space-size=256"],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    this.started++;
    const worker: Worker = { child };
    let stderr = "";
    // Read for a crash's last words only; never what keeps the parent alive.
    (child.stderr as (NodeJS.ReadableStream & { unref?(): void }) | null)?.unref?.();
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-400);
    });
    child.on("message", (message: SqlWorkerMessage) => this.onMessage(worker, message));
    child.on("exit", (code, signal) => {
      if (!this.workers.delete(worker)) return;
      const last = stderr.trim().split("\n").pop() ?? "";
      this.finish(worker, `its process exited (${signal ?? `code ${code}`})${last ? `: ${last}` : ""}`);
    });
    child.on("error", () => child.kill("SIGKILL"));
    this.workers.add(worker);
    return worker;
  }

  private onMessage(worker: Worker, message: SqlWorkerMessage): void {
    const pending = worker.current;
    if (pending === undefined || message.id !== pending.job.id) return;
    if ("step" in message) {
      worker.step = message;
      this.arm(worker, message.step === "build" ? BUILD_TIMEOUT_MS : pending.timeoutMs);
      return;
    }
    clearTimeout(worker.timer);
    worker.current = undefined;
    this.hold(worker, false);
    pending.resolve({ score: message.score, reason: message.reason });
    this.dispatch();
  }

  /** Stops the case a worker runs: its process is killed, the case scored from the step it was at. */
  private finish(worker: Worker, why: string): void {
    clearTimeout(worker.timer);
    const pending = worker.current;
    worker.current = undefined;
    if (pending !== undefined) {
      const step = worker.step;
      const on =
        step && step.step !== "build" && pending.job.source.kind === "schema"
          ? ` on filling ${step.database + 1}`
          : "";
      if (step?.step === "generated") pending.resolve({ score: 0, reason: `the query ${why}${on}` });
      else {
        const what = step?.step === "gold" ? "the gold query" : "building the databases";
        pending.resolve({ score: null, reason: `${what} ${why}${on}` });
      }
    }
    this.dispatch();
  }

  private arm(worker: Worker, ms: number): void {
    clearTimeout(worker.timer);
    worker.timer = setTimeout(() => {
      const limit = ms === BUILD_TIMEOUT_MS ? ms : worker.current?.timeoutMs;
      this.replace(worker, `timed out after ${limit} ms (its worker was replaced)`);
    }, ms);
  }

  /** An idle process must not keep the parent's event loop alive. */
  private hold(worker: Worker, busy: boolean): void {
    const handle = worker.child as ChildProcess & { channel?: { ref(): void; unref(): void } | null };
    if (busy) {
      worker.child.ref();
      handle.channel?.ref();
    } else {
      worker.child.unref();
      handle.channel?.unref();
    }
  }
}

let shared: SqlPool | undefined;

/** The process's pool, started on first use. */
export function sqlPool(): SqlPool {
  shared ??= new SqlPool();
  return shared;
}
