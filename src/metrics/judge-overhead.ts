/**
 * Evaluation overhead: what the LLM judges cost, folded from `judge_start` and `judge_call`
 * events. Kept apart from the models under test: never in their cost, latency or energy.
 */
import type { JudgeEvent } from "../core/judge.ts";
import { MODEL_SKIPPED } from "../core/records.ts";

/** One judge's overhead over the run (every attempt of every judge call counted). */
export interface JudgeOverhead {
  judge: string;
  runner: string | null;
  /** Why it did not start (a skip begins "skipped: "); null when it started. */
  error: string | null;
  skipped: boolean;
  calls: number;
  failed_calls: number;
  input_tokens: number;
  output_tokens: number;
  /** USD of the priced calls; null when none was priced (a local judge, an unknown price). */
  cost_usd: number | null;
  /** Calls whose cost is unknown (not in cost_usd). */
  unpriced_calls: number;
  /** Sum of the calls' end-to-end times, ms (calls in parallel each count). */
  time_ms: number;
}

export class JudgeOverheadCollector {
  private readonly judges = new Map<string, JudgeOverhead>();

  private entry(judge: string): JudgeOverhead {
    let entry = this.judges.get(judge);
    if (!entry) {
      entry = {
        judge,
        runner: null,
        error: null,
        skipped: false,
        calls: 0,
        failed_calls: 0,
        input_tokens: 0,
        output_tokens: 0,
        cost_usd: null,
        unpriced_calls: 0,
        time_ms: 0,
      };
      this.judges.set(judge, entry);
    }
    return entry;
  }

  add(event: JudgeEvent): void {
    const entry = this.entry(event.judge);
    if (event.type === "judge_start") {
      entry.runner = event.runner;
      // The latest segment's start says whether the judge is available now.
      entry.error = event.error ?? null;
      entry.skipped = event.error?.startsWith(MODEL_SKIPPED) ?? false;
      return;
    }
    entry.calls++;
    if (!event.ok) entry.failed_calls++;
    entry.input_tokens += event.input_tokens ?? 0;
    entry.output_tokens += event.output_tokens ?? 0;
    if (event.cost_usd === null) entry.unpriced_calls++;
    else entry.cost_usd = (entry.cost_usd ?? 0) + event.cost_usd;
    entry.time_ms += event.e2e_ms ?? 0;
  }

  /** Every judge seen, in the order first seen; empty when the run had none. */
  result(): JudgeOverhead[] {
    return [...this.judges.values()];
  }
}
