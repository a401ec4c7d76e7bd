/**
 * The headline: each comparison as one sentence of savings ("local keeps 97% of api's accuracy
 * at 1/60 of the cost, 5× faster, with 30× less energy"), with the interval and what is unknown.
 */
import type { SavingsResult } from "../metrics/savings-collector.ts";
import type { SavingsComparison } from "../savings/compare.ts";
import { bandLabel } from "./energy-labels.ts";

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** "1/60 of the cost" for ratios ≥ 1, "3.2× the cost" below. */
function times(ratio: number | null, what: string, better: string, worse: string): string | null {
  if (ratio === null || !Number.isFinite(ratio) || ratio <= 0) return null;
  const r = ratio >= 1 ? ratio : 1 / ratio;
  const n = r >= 10 ? r.toFixed(0) : r.toFixed(1);
  return ratio >= 1 ? `${n}× ${better}${what}` : `${n}× ${worse}${what}`;
}

const fold = (r: number) => (r >= 10 ? r.toFixed(0) : r.toFixed(1));

/**
 * "61× less energy [20–183×]": the energy ratio with the band its sides' bands give (a modelled
 * or estimated side); the band is read the same way as the ratio ("less" or "more").
 */
function energyPhrase(c: SavingsComparison): string | null {
  const energy = times(c.energy_ratio, " energy", "less", "more");
  if (!energy) return null;
  const low = c.energy_ratio_low;
  const high = c.energy_ratio_high;
  if (low == null || high == null || !(low > 0) || !(high > 0)) return energy;
  const [a, b] = c.energy_ratio! >= 1 ? [low, high] : [1 / high, 1 / low];
  return `${energy} [${fold(a)}–${fold(b)}×]`;
}

/** Where each side's energy came from, with the band in force ("demo modelled ±50%, gpt-4.1 published estimate"). */
function energySources(s: SavingsResult): string {
  const side = (model: string, summary: SavingsComparison["candidate"]) => {
    const list = summary.energy_sources ?? [];
    if (list.length === 0) return null;
    const sources = list.join("+").replace("published-estimate", "published estimate");
    const band = list.includes("modelled") ? bandLabel(summary.energy_band) : "";
    return `${model} ${sources}${band ? ` ${band}` : ""}`;
  };
  const c = s.comparison;
  return [side(s.candidate, c.candidate), side(s.baseline, c.baseline)].filter((x) => x !== null).join(", ");
}

/** "demo: 0.177 CPU core-s per call" (and GPU-s), or the compute ratio when both sides were measured. */
function computePhrase(s: SavingsResult): string | null {
  const c = s.comparison;
  if (c.compute_ratio != null) return times(c.compute_ratio, " compute (CPU core-s)", "less", "more");
  const cpu = c.candidate?.cpu_core_s_per_call;
  const gpu = c.candidate?.gpu_s_per_call;
  const parts = [
    ...(gpu != null ? [`${gpu.toPrecision(3)} GPU-s`] : []),
    ...(cpu != null ? [`${cpu.toPrecision(3)} CPU core-s`] : []),
  ];
  return parts.length > 0 ? `${s.candidate}'s compute ${parts.join(" + ")} per call` : null;
}

/** "qwen-4b failed 4 of 4 calls, scored 0" per side with failures: why an accuracy is low. */
function failedCalls(s: SavingsResult): string[] {
  const sides = [
    [s.candidate, s.comparison.candidate],
    [s.baseline, s.comparison.baseline],
  ] as const;
  return sides.flatMap(([model, side]) =>
    side.failed_calls_scored_zero > 0
      ? [`${model} failed ${side.failed_calls_scored_zero} of ${side.calls} calls, scored 0`]
      : [],
  );
}

/** "1/60" for ratios ≥ 1 ("at 1/60 of …"), "3.2×" below ("at 3.2× …"). */
function fraction(ratio: number): string {
  return ratio >= 1
    ? `1/${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(1)} of`
    : `${(1 / ratio).toFixed(1)}×`;
}

/** "; gpt-4.1 at list price: $3.40 per 1k calls" when the projected cost is known. */
function perThousand(s: SavingsResult): string {
  const usd = s.comparison.baseline.cost_per_call_usd;
  return usd === null ? "" : `; ${s.baseline} at list price: $${(usd * 1000).toFixed(2)} per 1k calls`;
}

/**
 * A projected baseline's line: cost and energy only, each labelled as projected ("demo vs gpt-4.1
 * (projected, not run) on t: at 1/60 of its list-price cost (demo's token counts, estimated), with
 * 30× less energy (published estimate); accuracy and speed not measured.").
 */
export function projectedSavingsLine(s: SavingsResult): string {
  const c = s.comparison;
  const tokens = `${s.candidate}'s token counts, estimated`;
  const cost =
    c.cost_ratio === null || !Number.isFinite(c.cost_ratio) || c.cost_ratio <= 0
      ? `cost ratio unknown (${c.candidate.cost_per_call_usd === null ? `${s.candidate}'s cost unknown` : "its list-price cost unknown"}${perThousand(s)})`
      : `at ${fraction(c.cost_ratio)} its list-price cost (${tokens})`;
  const energy = energyPhrase(c);
  const energyPart = energy
    ? `with ${energy} (${energySources(s)})`
    : `energy ratio unknown (${c.candidate.energy_per_call_j === null ? `${s.candidate}'s energy unknown` : "no published estimate"})`;
  const compute = computePhrase(s);
  return (
    `${s.candidate} vs ${s.baseline} (projected, not run) on ${s.task}: ${cost}, ${energyPart}` +
    `${compute ? `, ${compute}` : ""}; accuracy and speed not measured.`
  );
}

export function savingsLine(s: SavingsResult): string {
  if (s.baseline_kind === "projected") return projectedSavingsLine(s);
  const c = s.comparison;
  const parts: string[] = [];
  const failed = failedCalls(s);
  const scorer = [s.scorer, ...failed].join("; ");
  if (s.reference === "recorded" && c.candidate.accuracy !== null) {
    // The baseline's answers are the reference: the candidate's accuracy is its agreement with them.
    const side = c.candidate;
    const bounds =
      side.accuracy_lower !== null && side.accuracy_upper !== null
        ? ` [${pct(side.accuracy_lower)}–${pct(side.accuracy_upper)}]`
        : "";
    parts.push(
      `keeps ${pct(side.accuracy!)}${bounds} agreement with ${s.baseline}'s logged answers (${scorer}; agreement, not correctness${c.weighted ? `; over the ${c.weighted.calls} logged calls its ${c.weighted.cases} cases stand for` : ""})`,
    );
  } else if (c.accuracy_retained !== null) {
    const interval =
      c.accuracy_retained_lower !== null && c.accuracy_retained_upper !== null
        ? ` [${pct(c.accuracy_retained_lower)}–${pct(c.accuracy_retained_upper)}]`
        : "";
    parts.push(`keeps ${pct(c.accuracy_retained)}${interval} of ${s.baseline}'s accuracy (${scorer})`);
  } else {
    parts.push(`accuracy retained unknown${failed.length > 0 ? ` (${failed.join("; ")})` : ""}`);
  }
  const cost =
    c.cost_ratio === null
      ? "cost ratio unknown"
      : c.cost_ratio >= 1
        ? `at 1/${c.cost_ratio >= 10 ? c.cost_ratio.toFixed(0) : c.cost_ratio.toFixed(1)} of the cost`
        : `at ${(1 / c.cost_ratio).toFixed(1)}× the cost`;
  parts.push(cost);
  parts.push(times(c.e2e_p50_ratio, " (p50 e2e)", "faster", "slower") ?? "speed ratio unknown");
  const energy = energyPhrase(c);
  const modelled = [...(c.candidate.energy_sources ?? []), ...(c.baseline.energy_sources ?? [])].includes(
    "modelled",
  );
  parts.push(energy ? `with ${energy}${modelled ? ` (${energySources(s)})` : ""}` : "energy ratio unknown");
  const compute = computePhrase(s);
  if (compute) parts.push(compute);
  let line = `${s.candidate} vs ${s.baseline} on ${s.task}: ${parts.join(", ")}.`;
  const k = s.cascade;
  if (k.accuracy !== null && k.escalated_fraction > 0) {
    line += ` Cascade (${k.rule}): ${pct(k.escalated_fraction)} escalated, accuracy ${pct(k.accuracy)}`;
    if (k.cost_ratio !== null)
      line += `, ${times(k.cost_ratio, " than the baseline alone", "cheaper", "more expensive")}`;
    line += ".";
  }
  return line;
}
