/** The figures a gate can name: where each lives, which selectors it takes, which delta it has. */
import type { Selector } from "./spec.ts";

export interface FigureDefinition {
  name: string;
  /** What rows it is measured on: model × task results, savings pairs × task, load steps. */
  scope: "result" | "savings" | "load";
  selectors: readonly (keyof Selector)[];
  /** Which change against a baseline can be gated: accuracy drops, latency and cost rise. */
  delta: "drop" | "rise" | null;
  /** What the number is, for messages. */
  unit: "fraction" | "ms" | "usd" | "j" | "ratio" | "per_s";
}

const result = (name: string, unit: FigureDefinition["unit"], delta: FigureDefinition["delta"]) =>
  ({ name, scope: "result", selectors: ["model", "task"], delta, unit }) as const;
const savings = (name: string) =>
  ({
    name,
    scope: "savings",
    selectors: ["candidate", "baseline", "task"],
    delta: null,
    unit: "ratio",
  }) as const;

export const FIGURES: Record<string, FigureDefinition> = {
  accuracy: {
    name: "accuracy",
    scope: "result",
    selectors: ["model", "task", "scorer"],
    delta: "drop",
    unit: "fraction",
  },
  latency: result("latency", "ms", "rise"),
  error_rate: result("error_rate", "fraction", null),
  cost_per_1k_usd: result("cost_per_1k_usd", "usd", "rise"),
  cost_per_call_usd: result("cost_per_call_usd", "usd", "rise"),
  cost_per_correct_usd: result("cost_per_correct_usd", "usd", "rise"),
  energy_per_call_j: result("energy_per_call_j", "j", "rise"),
  output_tokens_per_s: result("output_tokens_per_s", "per_s", null),
  requests_per_s: result("requests_per_s", "per_s", null),
  goodput: { name: "goodput", scope: "load", selectors: ["model", "step"], delta: null, unit: "fraction" },
  accuracy_retained: savings("accuracy_retained"),
  cost_ratio: savings("cost_ratio"),
  e2e_ratio: savings("e2e_ratio"),
  ttft_ratio: savings("ttft_ratio"),
  energy_ratio: savings("energy_ratio"),
};

/** Latency statistics a gate can name. */
export const STATS = ["p50", "p90", "p95", "p99", "mean", "min", "max"];

/** Latency names as written → the summary's field. */
export const LATENCIES: Record<string, string> = {
  e2e_ms: "e2e_ms",
  e2e: "e2e_ms",
  ttft_ms: "ttft_ms",
  ttft: "ttft_ms",
  tpot_ms: "tpot_ms",
  tpot: "tpot_ms",
};

/** How a gate names its figure in messages: `p95 e2e_ms`, `accuracy`. */
export function figureLabel(spec: {
  figure: string;
  stat?: string | undefined;
  latency?: string | undefined;
}): string {
  return spec.figure === "latency" ? `${spec.stat} ${spec.latency}` : spec.figure;
}
