/**
 * CPU time of the process that serves a model: a spawned llama-server's `utime + stime` from
 * `/proc/<pid>/stat` (clock ticks, USER_HZ = 100 on Linux), or this process's own
 * `process.cpuUsage()` for the in-process (embedded) runner, with the resident memory of each.
 * A process that exits keeps its last reading: a window over it is partial, and says so.
 */
import { readFile } from "node:fs/promises";

/** Linux's USER_HZ: /proc reports CPU times in these ticks on every mainstream architecture. */
export const CLOCK_TICKS_PER_S = 100;
/** Page size for /proc/<pid>/statm's resident pages. */
const PAGE_BYTES = 4096;

export interface CpuReading {
  /** CPU seconds (user + system, all threads) since the process started. */
  cpu_s: number;
  /** Resident memory now, bytes; null when unknown. */
  rss_bytes: number | null;
}

/** Which process serves a model, as the runner says (see `Runner.servingProcess`). */
export type ServingProcess = { pid: number } | "self";

/**
 * CPU seconds from a /proc/<pid>/stat line: fields 14 and 15 (utime, stime) counted after the
 * command name, which is in parentheses and may hold spaces.
 * @throws Error when the line is not a stat line
 */
export function parseProcStat(text: string, ticksPerS = CLOCK_TICKS_PER_S): number {
  const close = text.lastIndexOf(")");
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // After "pid (comm)": state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (close < 0 || !Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error("not a /proc/<pid>/stat line");
  return (utime + stime) / ticksPerS;
}

/** Resident bytes from a /proc/<pid>/statm line (second field, pages). */
export function parseProcStatm(text: string, pageBytes = PAGE_BYTES): number | null {
  const pages = Number(text.trim().split(/\s+/)[1]);
  return Number.isFinite(pages) ? pages * pageBytes : null;
}

export interface ProcessCpuOptions {
  /** /proc root (tests point it at a recorded tree). */
  procRoot?: string;
  /** Reads for "self" (tests). */
  self?: () => CpuReading;
}

/** Reads a serving process's CPU time; keeps the last good reading once the process is gone. */
export class ProcessCpuMeter {
  readonly target: ServingProcess;
  /** How the CPU time is read, in words (for model_start and the notes). */
  readonly description: string;
  private readonly options: ProcessCpuOptions;
  private last: CpuReading | null = null;
  /** Set when a reading failed after a good one: the process exited (or /proc vanished). */
  exitedNote: string | null = null;

  constructor(target: ServingProcess, options: ProcessCpuOptions = {}) {
    this.target = target;
    this.options = options;
    this.description =
      target === "self"
        ? "process.cpuUsage() of opbench's own process (the in-process runner; includes opbench's own work)"
        : `/proc/${target.pid}/stat of the server process (utime + stime)`;
  }

  /** The CPU time now, or the last one read before the process exited; null when never readable. */
  async read(): Promise<CpuReading | null> {
    if (this.exitedNote !== null) return this.last;
    try {
      this.last = await this.readNow();
    } catch (error) {
      if (this.last !== null) {
        const pid = this.target === "self" ? "self" : this.target.pid;
        this.exitedNote =
          `the serving process (pid ${pid}) could not be read mid-window (${(error as Error).message}): ` +
          "its CPU time up to the last reading is used, a partial estimate";
      }
    }
    return this.last;
  }

  private async readNow(): Promise<CpuReading> {
    if (this.target === "self") {
      if (this.options.self) return this.options.self();
      const usage = process.cpuUsage();
      return { cpu_s: (usage.user + usage.system) / 1e6, rss_bytes: process.memoryUsage.rss() };
    }
    const dir = `${this.options.procRoot ?? "/proc"}/${this.target.pid}`;
    const cpu_s = parseProcStat(await readFile(`${dir}/stat`, "utf8"));
    const rss = await readFile(`${dir}/statm`, "utf8").then(parseProcStatm, () => null);
    return { cpu_s, rss_bytes: rss };
  }
}
