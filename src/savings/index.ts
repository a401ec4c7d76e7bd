/** The savings module: candidate vs baseline, accuracy retained with its interval, and the cascade what-if. */

export type { CascadeResult, CascadeRule } from "./cascade.ts";
export { cascadeWhatIf, describeRule, escalationReasons } from "./cascade.ts";
export type { CompareOptions, SavingsComparison, SideSummary } from "./compare.ts";
export { compareModels, pairOutcomes } from "./compare.ts";
export type { CaseOutcome, KnownMean, Trial } from "./outcomes.ts";
export { CaseOutcomeBuilder, caseScore, medianAndMean, strictMean } from "./outcomes.ts";
export type { PairedRatio } from "./ratio-ci.ts";
export { pairedRatio } from "./ratio-ci.ts";
