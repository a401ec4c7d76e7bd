/**
 * A projected baseline: an API model that was not run, standing in as the baseline of a savings
 * comparison (`savings: [{candidate: demo, baseline: {projected: gpt-4.1}}]`) so that a suite
 * without any API key still says something about savings.
 *
 * Each of the candidate's calls is projected onto the baseline: its cost is the candidate's input
 * and output token counts at the baseline's list price (looked up when the suite was resolved and
 * recorded in the log), its energy the baseline's published estimate for that many output tokens.
 * Latency and accuracy are not measured (null), so accuracy retained stays unknown. The counts are
 * the candidate's tokenizer's, not the baseline's: the cost is labelled estimated.
 */
import type { CallRecord } from "../core/records.ts";
import type { ListPrice } from "../cost/list-price.ts";
import { publishedCallEnergy } from "../energy/published-estimates.ts";

/** How a projection's token counts were obtained (opbench has no API tokenizer). */
export const PROJECTED_TOKENS_SOURCE = "candidate's counts, estimated";

/** A resolved projected baseline: the model named in the suite and its list price. */
export interface ProjectedBaseline {
  /** Model name as written in the suite (e.g. "gpt-4.1"). */
  model: string;
  /** Provider as written; null when genai-prices guessed it from the name. */
  provider: string | null;
  price: ListPrice;
  tokens_source: typeof PROJECTED_TOKENS_SOURCE;
}

/**
 * Cost of a call of `inputTokens` in and `outputTokens` out (reasoning included) at `price`, USD;
 * null when either count is unknown. All input is priced as uncached input.
 */
export function projectedCallCost(
  inputTokens: number | null,
  outputTokens: number | null,
  price: Pick<ListPrice, "input_per_mtok" | "output_per_mtok">,
): number | null {
  if (inputTokens === null || outputTokens === null || !(inputTokens >= 0) || !(outputTokens >= 0))
    return null;
  return (inputTokens * price.input_per_mtok + outputTokens * price.output_per_mtok) / 1e6;
}

/**
 * The baseline's projected record of one candidate call: same item and case, cost and energy
 * projected, latency, scores and output unknown. A call that failed is projected too (the
 * baseline would have been asked), from whatever counts it has.
 */
export function projectCall(record: CallRecord, baseline: ProjectedBaseline): CallRecord {
  const energy = publishedCallEnergy(baseline.model, record.output_tokens);
  return {
    ...record,
    model: baseline.model,
    ok: true,
    error: null,
    scores: [],
    cost_usd: projectedCallCost(record.input_tokens, record.output_tokens, baseline.price),
    energy_j: energy.energy_j,
    energy_low_j: energy.low_j,
    energy_high_j: energy.high_j,
    energy_source: "published-estimate",
    e2e_ms: null,
    ttft_ms: null,
    finish_reason: null,
  };
}

/** The notes a projected comparison carries, whatever its numbers. */
export function projectionNotes(baseline: ProjectedBaseline): string[] {
  const p = baseline.price;
  const notes = [
    `baseline ${baseline.model} is projected, not run: its cost is the candidate's input and output token ` +
      `counts at its list price ($${p.input_per_mtok}/M input, $${p.output_per_mtok}/M output, genai-prices ` +
      `${p.prices_version ?? "(version unknown)"}, ${p.priced_at}); tokens: ${baseline.tokens_source}`,
    `baseline ${baseline.model}: energy from published estimates; latency and accuracy not measured`,
  ];
  if (p.tiered) notes.push(`baseline ${baseline.model}: long-context tiers ignored (base tier prices)`);
  const match = publishedCallEnergy(baseline.model, 1);
  if (match.warning) notes.push(`baseline ${baseline.model}: ${match.warning}`);
  else if (match.proxy)
    notes.push(`baseline ${baseline.model}: energy estimate ${match.estimate_id} stands in (proxy)`);
  return notes;
}
