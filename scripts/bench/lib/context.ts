/** What every benchmark gets from run.ts: its size (full or smoke), a scratch directory, a log. */
import type { StreamScript } from "../../../fixtures/scripted-server/script.ts";

/** The opbench runners the benchmarks drive against the scripted server. */
export type OpbenchRunnerKind = "llamacpp" | "openai-compatible";

export interface BenchContext {
  /** A short run that exercises everything and proves nothing about speed (CI). */
  smoke: boolean;
  /** Repetitions of each measurement (min / median / max are over these). */
  reps: number;
  /** Scratch directory for suites, run directories and logs. */
  workDir: string;
  /** opbench runners to measure; the first is the headline one. */
  runners: OpbenchRunnerKind[];
  log(message: string): void;
}

/** A scenario's server script and load. */
export interface Load {
  script: StreamScript;
  concurrency: number;
  /** Measured calls. */
  calls: number;
  /** Calls made first and left out of the measurements. */
  warmup: number;
}
