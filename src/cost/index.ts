/** The cost module: API calls priced from genai-prices, local runs from energy and hardware time. */

export type {
  ApiCallPrice,
  ApiModelRef,
  ApiPriceDetails,
  AppliedRates,
  PriceOverride,
} from "./api-price.ts";
export { priceApiCall } from "./api-price.ts";
export type { HardwareConfig, LocalCost, LocalCostInput, LocalCostMode } from "./local-cost.ts";
export { JOULES_PER_KWH, LOCAL_COST_DEFAULTS, localCost } from "./local-cost.ts";
export type { PricesDataVersion } from "./prices-version.ts";
export { pricesDataVersion } from "./prices-version.ts";
export type { GenaiUsageResult, TokenCounts, TokenPartition, UsageConvention } from "./tokens.ts";
export { canonicalTokens, toGenaiUsage } from "./tokens.ts";
