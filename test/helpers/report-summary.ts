/**
 * Summaries for the HTML report's tests: the miniature run of summary-log.ts (a local candidate
 * and an API baseline on task "t"), with costs, energy and a savings comparison filled in, and a
 * variant whose model name and model output try to inject markup.
 */
import type { Summary } from "../../src/metrics/summary.ts";
import { build, call, start } from "./summary-log.ts";

/** What the hostile variant puts where model names and model output go. */
export const INJECTED = `</script><img src=x onerror=alert(1)>`;

/** Two models on task "t" (4 cases each), every figure of the report known. */
export function reportSummary(): Summary {
  const events = [
    start,
    ...[0, 1, 2, 3].map((i) => call("local", i, { e2e_ms: 200 + 10 * i, ttft_ms: 20 + i })),
    ...[0, 1, 2, 3].map((i) =>
      call("api", i, {
        e2e_ms: 900 + 50 * i,
        ttft_ms: 300 + i,
        cost_usd: 0.002,
        energy_j: 40,
        energy_source: "published-estimate",
      }),
    ),
  ];
  const summary = structuredClone(build(events));
  for (const group of [...summary.results, ...summary.by_model]) {
    if (group.model === "local") group.cost.per_1k_calls_usd = 0.05;
  }
  summary.savings = summary.savings.map((s) => ({
    ...s,
    comparison: {
      ...s.comparison,
      accuracy_retained: 0.95,
      accuracy_retained_lower: 0.8,
      accuracy_retained_upper: 1.05,
      cost_ratio: 40,
      e2e_p50_ratio: 4.2,
      ttft_p50_ratio: 15,
      energy_ratio: null,
      projected_savings_usd: 1950,
      notes: ["local: energy unknown for 4 of 4 calls"],
    },
  }));
  return summary;
}

/** `reportSummary()` with the local model renamed to {@link INJECTED} and it in an error example. */
export function hostileSummary(): Summary {
  const summary = JSON.parse(
    JSON.stringify(reportSummary()).replaceAll('"local"', JSON.stringify(INJECTED)),
  ) as Summary;
  summary.results[0]!.error_examples = [INJECTED];
  return summary;
}
