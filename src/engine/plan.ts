/** Expands a resolved suite into work items: model × (warm-up, then repeat × task × case). */
import type { Case, ResolvedModel, ResolvedSuite, ResolvedTask } from "../suite/resolved.ts";
import { inShard, type Shard } from "./shard.ts";

export interface WorkItem {
  /** Stable key, the same across runs of the same suite: what `--resume` matches on. */
  key: string;
  model: ResolvedModel;
  task: ResolvedTask;
  case: Case;
  caseIndex: number;
  repeat: number;
  warmup: boolean;
}

/** Key of a measured item. Model, task and case ids cannot contain `|` except case ids, which come last. */
export function itemKey(model: string, task: string, repeat: number, caseId: string): string {
  return `${model}|${task}|${repeat}|${caseId}`;
}

/**
 * Work items of one model, in execution order: warm-up, then measured. Generated as the pool
 * takes them (a case is decoded only then), so a large suite is never held as one item per call.
 * Items whose key is in `done` (an earlier segment finished them) are skipped; with `shard`, only
 * that shard's measured items are made (every shard makes the warm-up).
 */
export function* planModel(
  suite: ResolvedSuite,
  model: ResolvedModel,
  done?: ReadonlySet<string>,
  shard?: Shard,
): Generator<WorkItem> {
  yield* warmupItems(suite, model, done);
  yield* measuredItems(suite, model, done, shard);
}

/** Warm-up items: they cycle through the first cases of the first task and carry `warmup: true`. */
export function* warmupItems(
  suite: ResolvedSuite,
  model: ResolvedModel,
  done?: ReadonlySet<string>,
): Generator<WorkItem> {
  const firstTask = suite.tasks[0];
  if (!firstTask || firstTask.cases.length === 0) return;
  for (let n = 0; n < suite.warmup; n++) {
    const key = `${model.id}|warmup|${n}`;
    if (done?.has(key)) continue;
    const caseIndex = n % firstTask.cases.length;
    yield {
      key,
      model,
      task: firstTask,
      case: firstTask.cases.at(caseIndex)!,
      caseIndex,
      repeat: 0,
      warmup: true,
    };
  }
}

/**
 * Measured items (of `shard` only, when given). Repeats are the outer loop so that the second pass
 * over a case does not immediately follow the first (prompt caches see realistic traffic).
 */
export function* measuredItems(
  suite: ResolvedSuite,
  model: ResolvedModel,
  done?: ReadonlySet<string>,
  shard?: Shard,
): Generator<WorkItem> {
  for (let repeat = 0; repeat < suite.repeats; repeat++) {
    for (const task of suite.tasks) {
      let caseIndex = 0;
      for (const c of task.cases) {
        const key = itemKey(model.id, task.id, repeat, c.id);
        if (!done?.has(key) && inShard(key, shard))
          yield { key, model, task, case: c, caseIndex, repeat, warmup: false };
        caseIndex++;
      }
    }
  }
}

/** Measured items of a model still to run (all of them without `done`), of `shard` when given. */
export function measuredItemCount(
  suite: ResolvedSuite,
  model: ResolvedModel,
  done?: ReadonlySet<string>,
  shard?: Shard,
): number {
  const total = suite.tasks.reduce((sum, task) => sum + task.cases.length, 0) * suite.repeats;
  if ((!done || done.size === 0) && (!shard || shard.count === 1)) return total;
  let left = 0;
  for (const _ of measuredItems(suite, model, done, shard)) left++;
  return left;
}

/** Number of measured calls the suite plans (warm-up excluded). */
export function measuredCallCount(suite: ResolvedSuite): number {
  const perModel = suite.tasks.reduce((sum, task) => sum + task.cases.length, 0) * suite.repeats;
  return perModel * suite.models.length;
}
