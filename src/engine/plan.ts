/** Expands a resolved suite into work items: model × (warm-up, then repeat × task × case). */
import type { Case, ResolvedModel, ResolvedSuite, ResolvedTask } from "../suite/resolved.ts";

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
 * Work items of one model, in execution order. Repeats are the outer loop so that the second
 * pass over a case does not immediately follow the first (prompt caches see realistic traffic).
 * Warm-up items cycle through the first cases of the first task and carry `warmup: true`.
 */
export function planModel(suite: ResolvedSuite, model: ResolvedModel): WorkItem[] {
  const items: WorkItem[] = [];
  const firstTask = suite.tasks[0];
  if (firstTask && firstTask.cases.length > 0) {
    for (let n = 0; n < suite.warmup; n++) {
      const caseIndex = n % firstTask.cases.length;
      items.push({
        key: `${model.id}|warmup|${n}`,
        model,
        task: firstTask,
        case: firstTask.cases[caseIndex]!,
        caseIndex,
        repeat: 0,
        warmup: true,
      });
    }
  }
  for (let repeat = 0; repeat < suite.repeats; repeat++) {
    for (const task of suite.tasks) {
      task.cases.forEach((c, caseIndex) => {
        items.push({
          key: itemKey(model.id, task.id, repeat, c.id),
          model,
          task,
          case: c,
          caseIndex,
          repeat,
          warmup: false,
        });
      });
    }
  }
  return items;
}

/** Number of measured calls the suite plans (warm-up excluded). */
export function measuredCallCount(suite: ResolvedSuite): number {
  const perModel = suite.tasks.reduce((sum, task) => sum + task.cases.length, 0) * suite.repeats;
  return perModel * suite.models.length;
}
