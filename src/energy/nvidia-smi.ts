/**
 * GPU energy by sampling board power with one long-lived
 * `nvidia-smi --query-gpu=timestamp,index,power.draw.instant --format=csv,noheader,nounits --loop-ms=100`
 * and integrating each GPU's samples with the trapezoid rule, then summing the GPUs.
 *
 * - `power.draw.instant` (newer drivers) is the sensor's latest value; where the driver lacks it,
 *   `power.draw` is used, which on recent drivers is a ~1 s average (smoother, lagging).
 * - nvidia-smi has no total-energy query field (`--query-gpu=total_energy_consumption` is "not a
 *   valid field" on the drivers we found reports from); the counter is read through NVML instead
 *   (`nvml-python.ts`) or a DCGM exporter (`dcgm.ts`), which are preferred to sampling.
 * - Times: each sample's nvidia-smi `timestamp` (local time, ms), unless it disagrees with the
 *   arrival time by more than 5 s (clock or time-zone trouble), then the arrival time. Output is
 *   line-buffered through `stdbuf -oL` when available so samples are not held back in a pipe.
 */
import { PowerIntegrator } from "./integrate.ts";
import { findExecutable, LineProcess, runOnce } from "./line-process.ts";
import { type EnergyReading, type EnergySource, EnergySourceError, nowMs } from "./types.ts";

export type PowerField = "power.draw.instant" | "power.draw";

export interface NvidiaSmiOptions {
  /** nvidia-smi executable (default "nvidia-smi" on PATH). */
  command?: string;
  /** GPU indices to measure (default: all). */
  gpus?: readonly number[];
  /** Sampling period in ms (default 100). */
  intervalMs?: number;
  /** Power field (default: probed, instant preferred). */
  field?: PowerField;
  /** How long `read()` waits for a sample at or after the read time, ms (default 3 × interval + 500). */
  waitMs?: number;
}

/** One parsed sample line. */
export interface NvidiaSmiSample {
  gpu: string;
  /** epoch ms */
  t: number;
  /** null when nvidia-smi printed [N/A] / [Not Supported] */
  watts: number | null;
}

const TIMESTAMP = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;
/** Beyond this, a sample's own timestamp is distrusted in favour of its arrival time. */
const MAX_CLOCK_SKEW_MS = 5000;

/** nvidia-smi's `timestamp` ("2025/01/30 16:14:43.123", local time) → epoch ms, or null. */
export function parseNvidiaSmiTimestamp(text: string): number | null {
  const m = TIMESTAMP.exec(text.trim());
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, frac = "0"] = m;
  const ms = Number(`0.${frac}`) * 1000;
  const t = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms).getTime();
  return Number.isNaN(t) ? null : t;
}

/**
 * Parses a `timestamp, index, power` CSV line (noheader, nounits). Returns null for lines that
 * are not samples (a header, an error message).
 * @param arrivalMs when the line was read (epoch ms): the fallback time
 */
export function parsePowerLine(line: string, arrivalMs: number): NvidiaSmiSample | null {
  const parts = line.split(",").map((p) => p.trim());
  if (parts.length !== 3) return null;
  const [stamp, gpu, power] = parts as [string, string, string];
  if (!/^\d+$/.test(gpu)) return null;
  const stamped = parseNvidiaSmiTimestamp(stamp);
  if (stamped === null && stamp !== "") return null;
  const t = stamped !== null && Math.abs(stamped - arrivalMs) <= MAX_CLOCK_SKEW_MS ? stamped : arrivalMs;
  const watts = /^\d+(\.\d+)?$/.test(power) ? Number(power) : null;
  return { gpu, t, watts };
}

/**
 * Which power field this host's nvidia-smi can read: "power.draw.instant" if it returns numbers,
 * else "power.draw", else null (no nvidia-smi, no GPU, or no power sensor).
 */
export async function probePowerField(command = "nvidia-smi"): Promise<PowerField | null> {
  for (const field of ["power.draw.instant", "power.draw"] as const) {
    const { code, stdout } = await runOnce(
      command,
      [`--query-gpu=${field}`, "--format=csv,noheader,nounits"],
      {
        timeoutMs: 10_000,
      },
    );
    const lines = stdout.trim().split("\n").filter(Boolean);
    if (code === 0 && lines.length > 0 && lines.every((l) => /^\d+(\.\d+)?$/.test(l.trim()))) return field;
  }
  return null;
}

/** Sampled, integrated GPU power from nvidia-smi; an {@link EnergySource}. */
export class NvidiaSmiPowerSource implements EnergySource {
  readonly method = "nvidia-smi-power" as const;
  private readonly options: NvidiaSmiOptions;
  private readonly integrators = new Map<string, PowerIntegrator>();
  private process: LineProcess | undefined;
  private field: PowerField | undefined;
  private waiters: (() => void)[] = [];
  /** Sample lines with no power value ([N/A]). */
  missingSamples = 0;

  constructor(options: NvidiaSmiOptions = {}) {
    this.options = options;
    this.field = options.field;
  }

  get description(): string {
    const gpus = this.options.gpus ? `GPU ${this.options.gpus.join("+")}` : "all GPUs";
    return `${gpus} ${this.field ?? "power"} sampled every ${this.intervalMs} ms by nvidia-smi`;
  }

  private get intervalMs(): number {
    return this.options.intervalMs ?? 100;
  }

  /** GPU indices seen in the samples. */
  get gpus(): string[] {
    return [...this.integrators.keys()];
  }

  private onLine(line: string): void {
    const sample = parsePowerLine(line, nowMs());
    if (sample === null) return;
    if (sample.watts === null) {
      this.missingSamples++;
      return;
    }
    let integrator = this.integrators.get(sample.gpu);
    if (integrator === undefined) {
      integrator = new PowerIntegrator();
      this.integrators.set(sample.gpu, integrator);
    }
    integrator.add({ t: sample.t, watts: sample.watts });
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Waits until `ready()` or `timeoutMs` passes or the process exits. */
  private async waitFor(ready: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = nowMs() + timeoutMs;
    while (!ready() && this.process?.running && nowMs() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - nowMs()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** @throws EnergySourceError when nvidia-smi is missing, cannot read power, or prints no samples */
  async start(): Promise<void> {
    const command = this.options.command ?? "nvidia-smi";
    const executable = await findExecutable(command);
    if (executable === null)
      throw new EnergySourceError(`${command} not found`, "install the NVIDIA driver utilities");
    this.field ??= (await probePowerField(executable)) ?? undefined;
    if (this.field === undefined) throw new EnergySourceError(`${command} reports no GPU power reading`);
    const args = [
      `--query-gpu=timestamp,index,${this.field}`,
      "--format=csv,noheader,nounits",
      `--loop-ms=${this.intervalMs}`,
      ...(this.options.gpus ? [`--id=${this.options.gpus.join(",")}`] : []),
    ];
    const stdbuf = await findExecutable("stdbuf");
    this.process = stdbuf
      ? new LineProcess(stdbuf, ["-oL", executable, ...args], (line) => this.onLine(line))
      : new LineProcess(executable, args, (line) => this.onLine(line));
    const expected = this.options.gpus?.length ?? 1;
    await this.waitFor(() => this.integrators.size >= expected, 5000 + 5 * this.intervalMs);
    if (this.integrators.size === 0) {
      const why = this.process.stderr;
      await this.stop();
      throw new EnergySourceError(`nvidia-smi printed no power samples${why ? `: ${why}` : ""}`);
    }
  }

  /** Cumulative joules of all GPUs up to now (waiting up to `waitMs` for samples to catch up). */
  async read(): Promise<EnergyReading> {
    if (this.process === undefined) throw new EnergySourceError("NvidiaSmiPowerSource.read() before start()");
    const target = nowMs();
    const lastTimes = () =>
      [...this.integrators.values()].map((i) => i.span?.last ?? Number.NEGATIVE_INFINITY);
    await this.waitFor(
      () => Math.min(...lastTimes()) >= target,
      this.options.waitMs ?? 3 * this.intervalMs + 500,
    );
    if (!this.process.running && Math.min(...lastTimes()) < target) {
      throw new EnergySourceError(
        `nvidia-smi stopped sampling${this.process.stderr ? `: ${this.process.stderr}` : ""}`,
      );
    }
    // Never read past the slowest GPU's last sample: its energy there is not known yet.
    const t = Math.min(target, ...lastTimes());
    let joules = 0;
    for (const integrator of this.integrators.values()) joules += integrator.readingAt(t)?.joules ?? 0;
    return { joules, t };
  }

  async stop(): Promise<void> {
    await this.process?.stop();
  }
}
