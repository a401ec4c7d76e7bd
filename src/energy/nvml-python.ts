/**
 * GPU energy from NVML's total-energy counter, `nvmlDeviceGetTotalEnergyConsumption` (millijoules
 * since the driver loaded; Volta and newer), read through Python's `pynvml` (the `nvidia-ml-py`
 * package) because Node has no NVML binding. The counter is exact: a window's energy is the
 * difference of two reads, with no sampling assumption.
 *
 * One python3 process lives for the whole measurement; each `read()` writes a line to its stdin
 * and gets back `<epoch seconds> <mJ of GPU a> <mJ of GPU b> …`, so a read costs milliseconds,
 * not an interpreter start. Unavailable (no python3, no pynvml, a pre-Volta GPU): `start()`
 * throws an {@link EnergySourceError} and the monitor falls back to sampling power.
 */
import { UnwrappedCounter } from "./integrate.ts";
import { findExecutable, LineProcess } from "./line-process.ts";
import { type EnergyReading, type EnergySource, EnergySourceError } from "./types.ts";

/** The reader run by python3: prints "OK <indices>" once, then one line per line it reads. */
export const NVML_READER_SCRIPT = `
import sys, time
try:
    import pynvml
except Exception as e:
    print("ERR cannot import pynvml (pip install nvidia-ml-py): " + str(e), flush=True); sys.exit(3)
try:
    pynvml.nvmlInit()
    wanted = sys.argv[1] if len(sys.argv) > 1 else ""
    indices = [int(i) for i in wanted.split(",")] if wanted else list(range(pynvml.nvmlDeviceGetCount()))
    handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in indices]
    for h in handles:
        pynvml.nvmlDeviceGetTotalEnergyConsumption(h)
except Exception as e:
    print("ERR " + type(e).__name__ + ": " + str(e), flush=True); sys.exit(4)
print("OK " + ",".join(str(i) for i in indices), flush=True)
for _ in sys.stdin:
    try:
        values = [str(pynvml.nvmlDeviceGetTotalEnergyConsumption(h)) for h in handles]
        print(repr(time.time()) + " " + " ".join(values), flush=True)
    except Exception as e:
        print("ERR " + type(e).__name__ + ": " + str(e), flush=True)
`;

export interface NvmlPythonOptions {
  /** Python interpreter (default "python3" on PATH). */
  python?: string;
  /** GPU indices to sum (default: all). */
  gpus?: readonly number[];
  /** Environment for the interpreter (tests point PYTHONPATH at a fake pynvml). */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for an answer, ms (default 5000). */
  timeoutMs?: number;
}

/** NVML total-energy counter via python3 + pynvml; an {@link EnergySource}. */
export class NvmlPythonSource implements EnergySource {
  readonly method = "nvml-counter" as const;
  private readonly options: NvmlPythonOptions;
  private process: LineProcess | undefined;
  private pending: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  private indices: string[] = [];
  private counters: UnwrappedCounter[] = [];

  constructor(options: NvmlPythonOptions = {}) {
    this.options = options;
  }

  get description(): string {
    const gpus = this.indices.length > 0 ? `GPU ${this.indices.join("+")}` : "GPUs";
    return `${gpus} NVML total-energy counter (python3 + pynvml)`;
  }

  /** Counter resets seen (driver reloaded mid-run); their energy is lost, so the total is a lower bound. */
  get resets(): number {
    return this.counters.reduce((sum, c) => sum + c.resets, 0);
  }

  private onLine(line: string): void {
    this.pending.shift()?.resolve(line);
  }

  /** The reader's next line (answers come in the order asked). */
  private next(): Promise<string> {
    const timeoutMs = this.options.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (line: string) => {
          clearTimeout(timer);
          resolve(line);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.pending = this.pending.filter((w) => w !== waiter);
        reject(new EnergySourceError(`no answer from the NVML reader in ${timeoutMs} ms${this.stderr()}`));
      }, timeoutMs);
      this.pending.push(waiter);
    });
  }

  private stderr(): string {
    const text = this.process?.stderr ?? "";
    return text ? `: ${text.split("\n").slice(-3).join(" | ")}` : "";
  }

  /** @throws EnergySourceError when python3 or pynvml is missing or the GPU has no energy counter */
  async start(): Promise<void> {
    const python = await findExecutable(this.options.python ?? "python3");
    if (python === null)
      throw new EnergySourceError("python3 not found: the NVML energy counter is read through pynvml");
    const args = ["-c", NVML_READER_SCRIPT, (this.options.gpus ?? []).join(",")];
    const process = new LineProcess(python, args, (line) => this.onLine(line), {
      ...(this.options.env ? { env: this.options.env } : {}),
    });
    this.process = process;
    void process.exited.then(() => {
      const waiting = this.pending;
      this.pending = [];
      for (const waiter of waiting)
        waiter.reject(new EnergySourceError(`the NVML reader exited${this.stderr()}`));
    });
    const hello = await this.next().catch((error: Error) => `ERR ${error.message}`);
    if (!hello.startsWith("OK ")) {
      await this.stop();
      throw new EnergySourceError(
        `NVML energy counter unavailable: ${hello.replace(/^ERR /, "")}`,
        "install it with `pip install nvidia-ml-py` (needs a Volta or newer GPU), or let opbench sample power with nvidia-smi",
      );
    }
    this.indices = hello.slice(3).split(",").filter(Boolean);
    this.counters = this.indices.map(() => new UnwrappedCounter(null));
    await this.read();
  }

  async read(): Promise<EnergyReading> {
    if (this.process === undefined || this.counters.length === 0) {
      throw new EnergySourceError("NvmlPythonSource.read() before start()");
    }
    const answer = this.next();
    this.process.send("r");
    const line = await answer;
    if (line.startsWith("ERR ")) throw new EnergySourceError(`NVML read failed: ${line.slice(4)}`);
    const [seconds, ...values] = line.trim().split(/\s+/).map(Number);
    if (
      seconds === undefined ||
      !Number.isFinite(seconds) ||
      values.length !== this.counters.length ||
      values.some((v) => !Number.isFinite(v))
    ) {
      throw new EnergySourceError(`unreadable NVML reader line: ${JSON.stringify(line)}`);
    }
    let millijoules = 0;
    values.forEach((mj, i) => {
      millijoules += this.counters[i]!.update(mj);
    });
    return { joules: millijoules / 1000, t: seconds * 1000 };
  }

  async stop(): Promise<void> {
    await this.process?.stop();
  }
}
