/**
 * Energy of closed-API calls, which nobody outside the provider can measure: published
 * per-query or per-output-token estimates, shipped as data with their source, date, boundary
 * (what the figure includes) and a low–central–high band, mapped to model families by name
 * patterns. Every figure from here is labelled `published-estimate`.
 *
 * Checked against the sources when this file was written: Epoch AI's spreadsheet (500 output tokens,
 * 0.301 Wh baseline, 0.06 Wh smaller model, 1.304 Wh pessimistic, PUE 1.2); Google's 0.24 Wh
 * comprehensive and 0.10 Wh accelerator-only median figures; Altman's 0.34 Wh; Jegham et al.'s
 * 0.42–0.43 Wh GPT-4o short query (abstract only: their per-model table and prompt-length
 * definitions were not verified). Where a source gives no bound, the band is opbench's choice
 * and `band_basis` says so.
 *
 * A pattern mapped to an estimate made for a different model is marked `proxy: true`: no
 * provider publishes per-model figures for Claude or for Gemini API models.
 */

export interface PublishedEstimate {
  id: string;
  /** "per_query": Wh per call whatever its size; "per_output_token": Wh × output tokens (reasoning included). */
  basis: "per_query" | "per_output_token";
  /** Watt-hours per query or per output token. */
  low_wh: number;
  central_wh: number;
  high_wh: number;
  source: { title: string; publisher: string; url: string; date: string };
  /** What the figure counts (chips, host, idle capacity, PUE …) and what it leaves out. */
  boundary: string;
  /** Where the low and high ends come from. */
  band_basis: string;
}

/** A model-name pattern (`*` matches anything, case-insensitive) → estimate id. */
export interface EstimateMapping {
  pattern: string;
  estimate: string;
  /** True when the estimate was made for another model and stands in for this one. */
  proxy: boolean;
}

const EPOCH_SOURCE = {
  title: "How much energy does ChatGPT use?",
  publisher: "Epoch AI (Gradient Updates, J. You)",
  url: "https://epoch.ai/gradient-updates/how-much-energy-does-chatgpt-use",
  date: "2025-02",
};
const EPOCH_BOUNDARY =
  "inference only: H100 server power (DGX H100 10.2 kW / 8 GPUs, node overhead included) at 70% of rated draw, " +
  "10% FLOP utilisation, × PUE 1.2; 500 output tokens per query, input processing neglected; " +
  "excludes training, networking and end-user devices";
/** Epoch's pessimistic scenario (200B active, 5% utilisation, PUE 1.3) over its baseline: 1.304 / 0.301. */
const EPOCH_PESSIMISM = 1.304 / 0.301;

/** The shipped estimates, by id. */
export const PUBLISHED_ESTIMATES: readonly PublishedEstimate[] = Object.freeze([
  {
    id: "epoch-2025-gpt-4o",
    basis: "per_output_token",
    central_wh: 0.301 / 500,
    low_wh: 0.301 / 500 / 3,
    high_wh: 1.304 / 500,
    source: EPOCH_SOURCE,
    boundary: `GPT-4o-class model (~100B active parameters); ${EPOCH_BOUNDARY}`,
    band_basis:
      "central: Epoch baseline 0.301 Wh / 500 tokens; high: Epoch pessimistic scenario 1.304 Wh / 500 tokens; " +
      "low: opbench's choice (central ÷ 3), Epoch calls its baseline 'relatively pessimistic' but gives no low figure",
  },
  {
    id: "epoch-2025-small-model",
    basis: "per_output_token",
    central_wh: 0.06 / 500,
    low_wh: 0.06 / 500 / 3,
    high_wh: (0.06 / 500) * EPOCH_PESSIMISM,
    source: EPOCH_SOURCE,
    boundary: `smaller model scenario "e.g. 4o-mini" (20B active parameters); ${EPOCH_BOUNDARY}`,
    band_basis:
      "central: Epoch 'smaller model' scenario 0.06 Wh / 500 tokens; high: central × Epoch's pessimistic/baseline " +
      "ratio (4.33); low: opbench's choice (central ÷ 3)",
  },
  {
    id: "google-2025-gemini-apps-median",
    basis: "per_query",
    central_wh: 0.24,
    low_wh: 0.1,
    high_wh: 0.72,
    source: {
      title: "Measuring the environmental impact of delivering AI at Google Scale (arXiv:2508.15734)",
      publisher: "Google",
      url: "https://arxiv.org/abs/2508.15734",
      date: "2025-08",
    },
    boundary:
      "median Gemini Apps text prompt, May 2025, measured in production: active TPUs (58%), host CPU and DRAM (25%), " +
      "idle reserve machines (10%), data-centre overhead via PUE (8%); token counts not disclosed; excludes training, " +
      "networking, end-user devices and non-text prompts",
    band_basis:
      "central: Google's comprehensive median 0.24 Wh; low: the same report's accelerator-only figure 0.10 Wh; " +
      "high: opbench's choice (central × 3), a median says nothing of longer or reasoning-heavy prompts",
  },
  {
    id: "openai-2025-chatgpt-average",
    basis: "per_query",
    central_wh: 0.34,
    low_wh: 0.34 / 3,
    high_wh: 0.34 * 3,
    source: {
      title: "The Gentle Singularity",
      publisher: "Sam Altman (OpenAI CEO), blog",
      url: "https://blog.samaltman.com/the-gentle-singularity",
      date: "2025-06",
    },
    boundary: "'the average ChatGPT query'; model mix, tokens and boundary not disclosed",
    band_basis: "central as stated; low and high: opbench's choice (÷3, ×3) for an undocumented figure",
  },
  {
    id: "jegham-2025-gpt-4o-short",
    basis: "per_query",
    central_wh: 0.42,
    low_wh: 0.42 / 3,
    high_wh: 0.42 * 3,
    source: {
      title:
        "How Hungry is AI? Benchmarking Energy, Water, and Carbon Footprint of LLM Inference (arXiv:2505.09598)",
      publisher: "N. Jegham, M. Abdelatti, L. Elmoubarki, A. Hendawi",
      url: "https://arxiv.org/abs/2505.09598",
      date: "2025-05",
    },
    boundary:
      "a short GPT-4o query, modelled from public API latency and throughput with inferred hardware, GPU and non-GPU " +
      "power × utilisation × provider PUE (0.43 Wh in v1–v2, 0.42 Wh in later versions)",
    band_basis:
      "central from the abstract; per-model table not verified by opbench; low and high: opbench's choice (÷3, ×3)",
  },
]);

/** Default mapping, first match wins: specific patterns before general ones. */
export const DEFAULT_ESTIMATE_MAP: readonly EstimateMapping[] = Object.freeze([
  { pattern: "gpt-4o-mini*", estimate: "epoch-2025-small-model", proxy: false },
  ...[
    "gpt-4.1-mini*",
    "gpt-4.1-nano*",
    "gpt-5-mini*",
    "gpt-5-nano*",
    "o1-mini*",
    "o3-mini*",
    "o4-mini*",
    "claude-*haiku*",
  ].map((pattern) => ({ pattern, estimate: "epoch-2025-small-model", proxy: true })),
  { pattern: "gpt-4o*", estimate: "epoch-2025-gpt-4o", proxy: false },
  { pattern: "chatgpt-4o*", estimate: "epoch-2025-gpt-4o", proxy: false },
  ...["gpt-4.1*", "gpt-4*", "gpt-5*", "o1*", "o3*", "o4*", "claude-*"].map((pattern) => ({
    pattern,
    estimate: "epoch-2025-gpt-4o",
    proxy: true,
  })),
  { pattern: "gemini-*", estimate: "google-2025-gemini-apps-median", proxy: true },
]);

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`, "i");
}

/** An estimate matched to a model, or why there is none. */
export type EstimateMatch =
  | { found: true; estimate: PublishedEstimate; pattern: string; proxy: boolean }
  | { found: false; reason: string };

/**
 * Finds the estimate for a model name: `overrides` first (the suite's), then
 * {@link DEFAULT_ESTIMATE_MAP}. An override may name a shipped estimate or bring its own.
 */
export function findPublishedEstimate(
  model: string,
  overrides: readonly (Omit<EstimateMapping, "estimate"> & { estimate: string | PublishedEstimate })[] = [],
): EstimateMatch {
  for (const mapping of [...overrides, ...DEFAULT_ESTIMATE_MAP]) {
    if (!globToRegExp(mapping.pattern).test(model)) continue;
    const estimate =
      typeof mapping.estimate === "string"
        ? PUBLISHED_ESTIMATES.find((e) => e.id === mapping.estimate)
        : mapping.estimate;
    if (estimate === undefined)
      return {
        found: false,
        reason: `pattern ${mapping.pattern} names unknown estimate ${String(mapping.estimate)}`,
      };
    return { found: true, estimate, pattern: mapping.pattern, proxy: mapping.proxy };
  }
  return { found: false, reason: `no published energy estimate for ${model}: energy unknown` };
}

/** A call's estimated energy. */
export interface PublishedEnergy {
  energy_source: "published-estimate";
  /** Central estimate, J; null when it can't be computed (see `warning`). */
  energy_j: number | null;
  low_j: number | null;
  high_j: number | null;
  estimate_id: string | null;
  proxy: boolean | null;
  warning?: string;
}

const JOULES_PER_WH = 3600;

/**
 * Energy of one API call from its published estimate: per query, or per output token × the
 * call's output tokens (reasoning included, so reasoning-heavy calls cost more).
 */
export function publishedCallEnergy(
  model: string,
  outputTokens: number | null,
  overrides?: Parameters<typeof findPublishedEstimate>[1],
): PublishedEnergy {
  const match = findPublishedEstimate(model, overrides);
  const none = { energy_source: "published-estimate" as const, energy_j: null, low_j: null, high_j: null };
  if (!match.found) return { ...none, estimate_id: null, proxy: null, warning: match.reason };
  const { estimate, proxy } = match;
  let units = 1;
  if (estimate.basis === "per_output_token") {
    if (outputTokens === null || !(outputTokens >= 0)) {
      return {
        ...none,
        estimate_id: estimate.id,
        proxy,
        warning: `${estimate.id} is per output token and the call has no output count`,
      };
    }
    units = outputTokens;
  }
  return {
    energy_source: "published-estimate",
    energy_j: estimate.central_wh * units * JOULES_PER_WH,
    low_j: estimate.low_wh * units * JOULES_PER_WH,
    high_j: estimate.high_wh * units * JOULES_PER_WH,
    estimate_id: estimate.id,
    proxy,
  };
}
