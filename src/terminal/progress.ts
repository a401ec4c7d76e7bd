/**
 * Run progress on the terminal: a live bar per model on a TTY, plain periodic lines elsewhere
 * (CI logs stay readable). Implements the engine's RunObserver; writes to stderr only.
 */
import type cliProgressModule from "cli-progress";
import pc from "picocolors";
import { type CallRecord, isBudgetStopped, MODEL_SKIPPED } from "../core/records.ts";
import type { RunObserver } from "../engine/run.ts";

interface ModelCounts {
  total: number;
  done: number;
  errors: number;
  retries: number;
}

export interface ProgressOptions {
  /** Live bars (default: stderr is a TTY and CI is not set). */
  live?: boolean;
  /** Plain mode: print a line at most this often per model (default 10 s), and at 100%. */
  intervalMs?: number;
  write?: (line: string) => void;
}

export class TerminalProgress implements RunObserver {
  private readonly counts = new Map<string, ModelCounts>();
  private readonly live: boolean;
  private readonly intervalMs: number;
  private readonly write: (line: string) => void;
  private bars: cliProgressModule.MultiBar | undefined;
  private readonly bar = new Map<string, cliProgressModule.SingleBar>();
  /** The bar library, loaded only for live output (plain lines need none of it). */
  private barsLib: typeof cliProgressModule | undefined;
  private readonly lastLine = new Map<string, number>();

  /** A progress display; loads the bar library when the output is live. */
  static async create(options: ProgressOptions = {}): Promise<TerminalProgress> {
    const progress = new TerminalProgress(options);
    if (progress.live) progress.barsLib = (await import("cli-progress")).default;
    return progress;
  }

  constructor(options: ProgressOptions = {}) {
    this.live = options.live ?? (Boolean(process.stderr.isTTY) && !process.env.CI);
    this.intervalMs = options.intervalMs ?? 10_000;
    this.write = options.write ?? ((line) => process.stderr.write(`${line}\n`));
  }

  planned(remaining: Map<string, number>): void {
    for (const [model, total] of remaining) this.counts.set(model, { total, done: 0, errors: 0, retries: 0 });
    const lib = this.barsLib;
    if (this.live && lib) {
      this.bars = new lib.MultiBar(
        {
          format:
            " {model} |{bar}| {value}/{total} calls · {errors} errors · {retries} retries · eta {eta_formatted}",
          hideCursor: true,
          clearOnComplete: false,
          stream: process.stderr,
        },
        lib.Presets.shades_classic,
      );
    }
  }

  modelStarted(model: { id: string }): void {
    const counts = this.counts.get(model.id);
    if (!counts) return;
    if (this.bars) {
      this.bar.set(
        model.id,
        this.bars.create(counts.total, counts.done, { model: model.id, errors: 0, retries: 0 }),
      );
    } else {
      this.write(`${model.id}: started, ${counts.total} calls to make`);
    }
  }

  modelFailed(model: { id: string }, error: Error): void {
    if (error.message.startsWith(MODEL_SKIPPED)) this.log(pc.yellow(`${model.id}: ${error.message}`));
    else this.log(pc.red(`${model.id}: could not start: ${error.message}`));
  }

  callRecorded(record: CallRecord): void {
    const counts = this.counts.get(record.model);
    if (!counts || record.warmup) return;
    if (record.will_retry) counts.retries++;
    else if (!isBudgetStopped(record)) {
      counts.done++;
      if (!record.ok) counts.errors++;
    }
    const bar = this.bar.get(record.model);
    if (bar) {
      bar.update(counts.done, { errors: counts.errors, retries: counts.retries });
      return;
    }
    const now = performance.now();
    const last = this.lastLine.get(record.model) ?? 0;
    if (counts.done === counts.total || now - last >= this.intervalMs) {
      this.lastLine.set(record.model, now);
      this.write(
        `${record.model}: ${counts.done}/${counts.total} calls, ${counts.errors} errors, ${counts.retries} retries`,
      );
    }
  }

  log(message: string): void {
    if (this.bars) this.bars.log(`${message}\n`);
    else this.write(message);
  }

  stop(): void {
    this.bars?.stop();
    this.bars = undefined;
  }
}
