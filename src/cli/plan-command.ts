/**
 * `opbench plan`: how many cases a suite needs to detect an accuracy difference of N points
 * between two models, unpaired and (when both run the same cases) paired.
 */
import { casesForPairedProportions, casesForTwoProportions } from "../stats/sample-size.ts";

export interface PlanArgs {
  accuracy: number;
  difference: number;
  discordance?: number | undefined;
  alpha: number;
  power: number;
  json?: boolean | undefined;
}

/** Accepts 0.05 or 5 (points) for fractions: a value above 1 is read as percent. */
export function asFraction(value: number): number {
  return value > 1 ? value / 100 : value;
}

export interface PlanResult {
  baseline_accuracy: number;
  difference: number;
  alpha: number;
  power: number;
  /** Cases per model when each model is scored on its own cases. */
  cases_unpaired: number;
  /** Cases when both models answer the same cases (McNemar), for the given or assumed discordance. */
  cases_paired: number;
  discordance: number;
  discordance_assumed: boolean;
}

export function planSampleSize(args: PlanArgs): PlanResult {
  const accuracy = asFraction(args.accuracy);
  const difference = asFraction(args.difference);
  const design = { alpha: args.alpha, power: args.power };
  // Without a measured disagreement rate, assume the models disagree on twice the difference
  // (plus 5 points): realistic for two models of similar quality; a pilot run gives the real value.
  const assumed = args.discordance === undefined;
  const discordance = Math.min(1, assumed ? Math.abs(difference) * 2 + 0.05 : asFraction(args.discordance!));
  return {
    baseline_accuracy: accuracy,
    difference,
    alpha: args.alpha,
    power: args.power,
    cases_unpaired: casesForTwoProportions(accuracy, -Math.abs(difference), design),
    cases_paired: casesForPairedProportions(discordance, Math.abs(difference), design),
    discordance,
    discordance_assumed: assumed,
  };
}

export async function planCommand(args: PlanArgs): Promise<number> {
  let result: PlanResult;
  try {
    result = planSampleSize(args);
  } catch (error) {
    process.stderr.write(`opbench plan: ${(error as Error).message}\n`);
    return 2;
  }
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  process.stdout.write(
    [
      `To detect a ${pct(result.difference)} accuracy difference from a baseline at ${pct(result.baseline_accuracy)}`,
      `(two-sided alpha ${result.alpha}, power ${result.power}):`,
      `  both models on the same cases (paired, McNemar): ${result.cases_paired} cases` +
        ` (models disagreeing on ${pct(result.discordance)} of cases${result.discordance_assumed ? ", assumed: pass --discordance from a pilot run" : ""})`,
      `  each model on its own cases (unpaired): ${result.cases_unpaired} cases per model`,
      "",
    ].join("\n"),
  );
  return 0;
}
