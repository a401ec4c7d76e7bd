/** What an earlier, unfinished run already did: read back from its log for `--resume`. */
import type { RunStartEvent } from "../core/records.ts";
import { readRunLog } from "../core/run-log.ts";

export interface ResumeState {
  /** The first segment's start event: which suite, which hash. */
  firstStart: RunStartEvent;
  /** Items with a successful (ok) measured or warm-up record: skipped on resume. */
  done: Set<string>;
  /** Attempts already made for items that have no successful record yet. */
  attemptsMade: Map<string, number>;
  /** Whether the last segment ended with `run_end: completed`. */
  completed: boolean;
  /** API spending already recorded, USD (so `--max-cost` holds across resumed segments). */
  spentUsd: number;
  /** `--max-cost` of the latest segment that recorded one, USD (null: none, or not recorded). */
  maxCostUsd: number | null;
}

/** Reads a run directory's log. Throws when it holds no run_start (not a run directory). */
export async function readResumeState(runDir: string): Promise<ResumeState> {
  let firstStart: RunStartEvent | undefined;
  const done = new Set<string>();
  const attemptsMade = new Map<string, number>();
  let completed = false;
  let spentUsd = 0;
  let maxCostUsd: number | null = null;
  for await (const event of readRunLog(runDir)) {
    if (event.type === "run_start") {
      firstStart ??= event;
      completed = false;
      if (event.max_cost_usd !== undefined) maxCostUsd = event.max_cost_usd;
    } else if (event.type === "run_end") {
      completed = event.status === "completed";
    } else if (event.type === "call") {
      spentUsd += event.cost_usd ?? 0;
      if (event.ok) {
        done.add(event.item);
        attemptsMade.delete(event.item);
      } else if (!done.has(event.item)) {
        attemptsMade.set(event.item, Math.max(attemptsMade.get(event.item) ?? 0, event.attempt));
      }
    }
  }
  if (!firstStart) throw new Error(`${runDir} holds no opbench run (no run_start event in events.jsonl)`);
  return { firstStart, done, attemptsMade, completed, spentUsd, maxCostUsd };
}
