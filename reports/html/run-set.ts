/**
 * Several runs in one report: each run gets a short label, and its models are named
 * "label · model" in one combined summary, so every chart, table and card of the single-run page
 * shows the runs side by side (each run × model its own colour) without a chart of its own.
 */
import { basename, resolve } from "node:path";
import type { Summary } from "../../src/metrics/summary.ts";

/** One run of a comparison: its label, directory and summary. */
export interface LabelledRun {
  label: string;
  runDir: string;
  summary: Summary;
}

/** The separator between a run's label and a model id in the combined summary. */
export const RUN_MODEL_SEPARATOR = " · ";

/** The name run `label`'s model takes in a comparison. */
export function runModelName(label: string, model: string): string {
  return `${label}${RUN_MODEL_SEPARATOR}${model}`;
}

/**
 * Labels for run directories: the ones given (in order), else each directory's name, else (two
 * directories of the same name) the path as given. Labels must be distinct.
 * @throws Error naming the clash when two runs would share a label, or when more labels than
 *   directories are given
 */
export function runLabels(dirs: readonly string[], given: readonly string[] = []): string[] {
  if (given.length > dirs.length) {
    throw new Error(
      `${given.length} labels for ${dirs.length} run directories: give at most one per directory`,
    );
  }
  const names = dirs.map((dir) => basename(resolve(dir)));
  const labels = dirs.map((dir, i) => {
    const label = given[i]?.trim();
    if (label) return label;
    const name = names[i] as string;
    return names.filter((n) => n === name).length > 1 ? dir : name;
  });
  const seen = new Map<string, number>();
  labels.forEach((label, i) => {
    const first = seen.get(label);
    if (first !== undefined) {
      throw new Error(
        `runs ${dirs[first]} and ${dirs[i]} would both be labelled "${label}": give --label for each`,
      );
    }
    seen.set(label, i);
  });
  return labels;
}

/**
 * One summary holding every run's models, each named {@link runModelName}; run facts (id, suite,
 * host, prices) are the first run's, and the page shows each run's own in its header and
 * reproducibility record.
 */
export function combineSummaries(runs: readonly LabelledRun[]): Summary {
  const first = runs[0];
  if (!first) throw new Error("no run to combine");
  const rename = (label: string) => (model: string) => runModelName(label, model);
  return {
    ...first.summary,
    models: runs.flatMap(({ label, summary }) =>
      summary.models.map((m) => ({ ...m, model: rename(label)(m.model) })),
    ),
    results: runs.flatMap(({ label, summary }) =>
      summary.results.map((g) => ({ ...g, model: rename(label)(g.model) })),
    ),
    by_model: runs.flatMap(({ label, summary }) =>
      summary.by_model.map((g) => ({ ...g, model: rename(label)(g.model) })),
    ),
    savings: runs.flatMap(({ label, summary }) =>
      summary.savings.map((s) => ({
        ...s,
        candidate: rename(label)(s.candidate),
        baseline: s.baseline_kind === "projected" ? s.baseline : rename(label)(s.baseline),
      })),
    ),
    warmup_calls: runs.reduce((sum, r) => sum + r.summary.warmup_calls, 0),
  };
}
