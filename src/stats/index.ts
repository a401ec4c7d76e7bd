/** The statistics module: small pure functions over typed samples. Import from here. */

export { SampleAccumulator } from "./accumulator.ts";
export type { AccuracyEstimate, AccuracyMethod, CaseScore, ScoreObservation } from "./accuracy.ts";
export { averageRepeats, estimateAccuracy, estimateScoresAccuracy } from "./accuracy.ts";
export { alphaOf, zCritical } from "./critical.ts";
export type { McNemarResult, PairedDifference, PairedScore } from "./paired.ts";
export { mcnemarExact, mcnemarExactFromCounts, pairCaseScores, pairedDifference } from "./paired.ts";
export type { DistributionSummary } from "./percentiles.ts";
export { mean, quantile, summarize } from "./percentiles.ts";
export type { ProportionInterval } from "./proportion.ts";
export { prefersWilson, waldInterval, wilsonInterval } from "./proportion.ts";
export type { QuantileInterval } from "./quantile-ci.ts";
export { minSamplesForQuantileInterval, quantileInterval, quantileRanks } from "./quantile-ci.ts";
export type { TestDesign } from "./sample-size.ts";
export { casesForPairedProportions, casesForTwoProportions } from "./sample-size.ts";
export type { NonEmpty, SortedSamples } from "./samples.ts";
export { isNonEmpty, mapNonEmpty, sortSamples } from "./samples.ts";
export type { ClusteredStandardError } from "./standard-error.ts";
export { clusteredStandardError, clusterKeys, meanStandardError } from "./standard-error.ts";
