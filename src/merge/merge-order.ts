/**
 * The order of a merged run's log: the order an unsharded run with one call in flight and
 * models one after another writes. Per model (in the suite's order): its `model_start` events,
 * its warm-up calls, its measured calls by repeat, task (in the suite's order), case and attempt,
 * then its energy events. Events of the same place keep their shard's and line's order, so a
 * shard's `model_energy` stays followed by its `model_energy_calls`.
 */
import type { LogEvent } from "../core/records.ts";
import type { SuiteDescription } from "../suite/describe.ts";

/** Keys sort as strings: every part a 10-digit number. */
const pad = (n: number): string => String(n).padStart(10, "0");

/** Ranks of models and tasks: the suite's order, then any others in the order first met. */
export class MergeOrder {
  private readonly models = new Map<string, number>();
  private readonly tasks = new Map<string, number>();

  constructor(description: SuiteDescription | null) {
    for (const model of description?.models ?? []) this.models.set(model.id, this.models.size);
    for (const task of description?.tasks ?? []) this.tasks.set(task.id, this.tasks.size);
  }

  private rank(map: Map<string, number>, id: string): number {
    let rank = map.get(id);
    if (rank === undefined) {
      rank = map.size;
      map.set(id, rank);
    }
    return rank;
  }

  /**
   * The sort key of `event`, line `line` of shard `shard`'s log. Unique per shard and line;
   * events that belong to no model (of types this opbench does not know) go last.
   */
  key(event: LogEvent, shard: number, line: number): string {
    const at = `${pad(shard)}${pad(line)}`;
    switch (event.type) {
      case "model_start":
        return `${pad(this.rank(this.models, event.model))}0${at}`;
      case "model_energy":
      case "model_energy_calls":
        return `${pad(this.rank(this.models, event.model))}3${at}`;
      case "call": {
        const model = pad(this.rank(this.models, event.model));
        if (event.warmup) return `${model}1${at}`;
        const task = pad(this.rank(this.tasks, event.task));
        return `${model}2${pad(event.repeat)}${task}${pad(event.case_index)}${pad(event.attempt)}${at}`;
      }
      default:
        return `${"9".repeat(10)}9${at}`;
    }
  }
}
