/**
 * One load step's results, folded from its log events in one pass: throughput over the measured
 * window, latency percentiles (raw, and corrected to the intended send time), dispatch delay,
 * goodput, errors, cost and energy, and the server's own counters.
 */
import type { ErrorClass } from "../core/errors.ts";
import type {
  LoadCallEvent,
  LoadStepEndEvent,
  LoadStepStartEvent,
  ModelEnergyCall,
  ModelEnergyEvent,
} from "../core/records.ts";
import { type LatencySummary, latencySummary } from "../metrics/group.ts";
import { SampleAccumulator } from "../stats/accumulator.ts";
import type { SloConfig } from "../suite/load-schema.ts";
import { type Goodput, goodputOf, meetsSlo } from "./goodput.ts";
import { type ServerMetricsDelta, serverMetricsDelta } from "./server-metrics-delta.ts";
import { StepCostEnergy, type StepCostEnergySummary, type StepCosting } from "./step-cost-energy.ts";

export interface LoadStepSummary {
  step: number;
  /** Closed-loop callers (concurrency mode), else null. */
  concurrency: number | null;
  /** Target Poisson rate, requests/s (rate mode), else null. */
  rate_per_s: number | null;
  /** `incomplete`: the log ends inside the step. */
  status: "completed" | "interrupted" | "incomplete";
  requests: {
    /** Measured requests offered: sent, or not sent because `max_in_flight` calls were in flight. */
    offered: number;
    succeeded: number;
    failed: number;
    not_dispatched: number;
    /** Warm-up calls (not measured). */
    warmup: number;
  };
  /** Measured window: first measured intended send → last measured call's end, seconds. */
  duration_s: number | null;
  /** Successful measured calls per second of the window. */
  requests_per_s: number | null;
  /** Output tokens of successful measured calls per second of the window. */
  output_tokens_per_s: number | null;
  input_tokens_per_s: number | null;
  output_tokens_total: number;
  input_tokens_total: number;
  /** Measured sends per second between the first and the last send (rate mode: compare with rate_per_s). */
  achieved_rate_per_s: number | null;
  /** Most calls in flight at once (warm-up included). */
  peak_in_flight: number;
  ttft_ms: LatencySummary | null;
  tpot_ms: LatencySummary | null;
  e2e_ms: LatencySummary | null;
  /** TTFT from the intended send time: what a user arriving then waited (coordinated omission corrected). */
  ttft_corrected_ms: LatencySummary | null;
  e2e_corrected_ms: LatencySummary | null;
  /** Actual − intended send time of measured calls. */
  dispatch_delay_ms: LatencySummary | null;
  goodput: Goodput;
  errors: { total: number; by_class: Partial<Record<ErrorClass, number>>; examples: string[] };
  /**
   * Of the measured calls, as a run reports a model × task: API models from token prices; local
   * models estimated from the step's energy and busy time. `per_call_usd` is per measured call.
   */
  cost: StepCostEnergySummary["cost"];
  /**
   * The measured calls' energy: a local model's shares of the step's own window (measured or
   * modelled), an API model's published estimates; null figures when nothing covered the step.
   */
  energy: StepCostEnergySummary["energy"];
  /** Busy device-seconds of the measured calls (a local model's; absent in load.json from before it). */
  compute?: StepCostEnergySummary["compute"];
  /** A local model's energy window over the whole step (warm-up calls included); else null. */
  energy_window: StepCostEnergySummary["energy_window"];
  server_metrics: ServerMetricsDelta | null;
  server_metrics_error: string | null;
}

const MAX_ERROR_EXAMPLES = 3;

export { latencySummary };

const plus = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a + b);

/** Folds one step's events; feed `load_call` events in log order, then `end()` if the step ended. */
export class StepAccumulator {
  private readonly start: LoadStepStartEvent;
  private readonly slo: SloConfig;
  private stepEnd: LoadStepEndEvent | undefined;
  private readonly ttft = new SampleAccumulator();
  private readonly tpot = new SampleAccumulator();
  private readonly e2e = new SampleAccumulator();
  private readonly ttftCorrected = new SampleAccumulator();
  private readonly e2eCorrected = new SampleAccumulator();
  private readonly delay = new SampleAccumulator();
  private succeeded = 0;
  private failed = 0;
  private warmup = 0;
  private met = 0;
  private outputTokens = 0;
  private inputTokens = 0;
  private peakInFlight = 0;
  private windowStart = Number.POSITIVE_INFINITY;
  private windowEnd = Number.NEGATIVE_INFINITY;
  private firstSend = Number.POSITIVE_INFINITY;
  private lastSend = Number.NEGATIVE_INFINITY;
  private sends = 0;
  private readonly errorsByClass: Partial<Record<ErrorClass, number>> = {};
  private readonly errorExamples = new Set<string>();
  private readonly costEnergy: StepCostEnergy;

  /** @param costing how calls are costed; default: unknown (no cost) */
  constructor(start: LoadStepStartEvent, slo: SloConfig, costing?: StepCosting) {
    this.start = start;
    this.slo = slo;
    this.costEnergy = new StepCostEnergy(costing ?? { locality: null, hardware: undefined });
  }

  add(event: LoadCallEvent): void {
    const { call } = event;
    this.costEnergy.addCall(call);
    this.peakInFlight = Math.max(this.peakInFlight, event.in_flight);
    if (call.warmup) {
      this.warmup++;
      return;
    }
    this.windowStart = Math.min(this.windowStart, event.intended_ms);
    this.windowEnd = Math.max(this.windowEnd, event.done_ms);
    if (event.sent_ms !== null) {
      this.sends++;
      this.firstSend = Math.min(this.firstSend, event.sent_ms);
      this.lastSend = Math.max(this.lastSend, event.sent_ms);
    }
    const delay = event.dispatch_delay_ms;
    if (delay !== null) this.delay.push(delay);
    if (!call.ok) {
      this.failed++;
      const cls = call.error?.class ?? "network";
      this.errorsByClass[cls] = (this.errorsByClass[cls] ?? 0) + 1;
      if (this.errorExamples.size < MAX_ERROR_EXAMPLES && call.error) {
        this.errorExamples.add(`${cls}: ${call.error.message.slice(0, 300)}`);
      }
      return;
    }
    this.succeeded++;
    this.outputTokens += call.output_tokens ?? 0;
    this.inputTokens += call.input_tokens ?? 0;
    const ttftCorrected = plus(call.ttft_ms, delay);
    const e2eCorrected = plus(call.e2e_ms, delay);
    if (call.ttft_ms !== null) this.ttft.push(call.ttft_ms);
    if (call.tpot_ms !== null) this.tpot.push(call.tpot_ms);
    if (call.e2e_ms !== null) this.e2e.push(call.e2e_ms);
    if (ttftCorrected !== null) this.ttftCorrected.push(ttftCorrected);
    if (e2eCorrected !== null) this.e2eCorrected.push(e2eCorrected);
    const subject = {
      ok: true,
      ttft_ms: ttftCorrected,
      tpot_ms: call.tpot_ms,
      e2e_ms: e2eCorrected,
      output_tokens: call.output_tokens,
    };
    if (meetsSlo(subject, this.slo)) this.met++;
  }

  /** The step's energy window (its `model_energy` event, logged inside the step). */
  addEnergy(event: ModelEnergyEvent): void {
    this.costEnergy.addEnergy(event);
  }

  /** More per-call shares of the step's window (`model_energy_calls`). */
  addEnergyCalls(calls: readonly ModelEnergyCall[]): void {
    this.costEnergy.addEnergyCalls(calls);
  }

  end(event: LoadStepEndEvent): void {
    this.stepEnd = event;
  }

  summary(): LoadStepSummary {
    const end = this.stepEnd;
    const notDispatched = end?.not_dispatched_measured ?? 0;
    const wallMs = this.windowEnd > this.windowStart ? this.windowEnd - this.windowStart : null;
    const wallS = wallMs === null ? null : wallMs / 1000;
    const perS = (n: number) => (wallS === null ? null : n / wallS);
    const sendSpanS = (this.lastSend - this.firstSend) / 1000;
    let serverMetrics: ServerMetricsDelta | null = null;
    if (this.start.server_metrics && end?.server_metrics) {
      serverMetrics = serverMetricsDelta(this.start.server_metrics, end.server_metrics);
    }
    const metricsError = this.start.server_metrics_error ?? end?.server_metrics_error ?? null;
    return {
      step: this.start.step,
      concurrency: this.start.concurrency,
      rate_per_s: this.start.rate_per_s,
      status: end?.status ?? "incomplete",
      requests: {
        offered: this.succeeded + this.failed + notDispatched,
        succeeded: this.succeeded,
        failed: this.failed,
        not_dispatched: notDispatched,
        warmup: this.warmup,
      },
      duration_s: wallS,
      requests_per_s: perS(this.succeeded),
      output_tokens_per_s: this.succeeded > 0 ? perS(this.outputTokens) : null,
      input_tokens_per_s: this.succeeded > 0 ? perS(this.inputTokens) : null,
      output_tokens_total: this.outputTokens,
      input_tokens_total: this.inputTokens,
      achieved_rate_per_s: this.sends >= 2 && sendSpanS > 0 ? (this.sends - 1) / sendSpanS : null,
      peak_in_flight: this.peakInFlight,
      ttft_ms: latencySummary(this.ttft),
      tpot_ms: latencySummary(this.tpot),
      e2e_ms: latencySummary(this.e2e),
      ttft_corrected_ms: latencySummary(this.ttftCorrected),
      e2e_corrected_ms: latencySummary(this.e2eCorrected),
      dispatch_delay_ms: latencySummary(this.delay),
      goodput: goodputOf(this.met, this.succeeded + this.failed + notDispatched, wallS),
      errors: {
        total: this.failed,
        by_class: this.errorsByClass,
        examples: [...this.errorExamples],
      },
      ...this.costEnergy.summary(this.succeeded + this.failed, this.outputTokens),
      server_metrics: serverMetrics,
      server_metrics_error: metricsError,
    };
  }
}
