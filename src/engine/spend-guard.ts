/**
 * Watches a streaming call's output against its `--max-cost` reservation. Servers do not always
 * honour `max_tokens` (one sent 4.3× as many), so the worst case reserved before the call can be
 * wrong: the output is counted as it arrives, the reservation grows with its running cost while
 * the limit allows, and the call is cut off (`budget_stopped`) before its cost would pass it.
 */
import { CallError } from "../core/errors.ts";
import type { CallRecord } from "../core/records.ts";
import type { RunnerEvent } from "../core/runner.ts";
import type { Reservation } from "./budget.ts";

/** A call's price as a line: a fixed part (the prompt) plus a price per output token, USD. */
export interface CallPriceLine {
  baseUsd: number;
  perOutputTokenUsd: number;
  /** The call's `max_tokens`: its reservation covers this many output tokens. */
  maxTokens: number;
}

/**
 * The price line of a call from a cost estimator priced at two output counts (per-token prices
 * are linear in the output). Undefined when the price is unknown.
 * @param estimateUsd the model's `estimateCostUsd` (USD for input and output token counts)
 * @param inputTokens prompt tokens (estimated)
 * @param maxTokens the call's `max_tokens`, > 0
 */
export function callPriceLine(
  estimateUsd: (inputTokens: number, outputTokens: number) => number | null,
  inputTokens: number,
  maxTokens: number,
): CallPriceLine | undefined {
  const base = estimateUsd(inputTokens, 0);
  const full = estimateUsd(inputTokens, maxTokens);
  if (base === null || full === null || !(maxTokens > 0)) return undefined;
  return { baseUsd: base, perOutputTokenUsd: Math.max(0, (full - base) / maxTokens), maxTokens };
}

/** Characters per token of English text, as the rate limiter's rough count assumes. */
const CHARS_PER_TOKEN = 4;

export class SpendGuard {
  private readonly reservation: Reservation;
  private readonly price: CallPriceLine;
  private deltas = 0;
  private chars = 0;
  private reported = 0;

  constructor(reservation: Reservation, price: CallPriceLine) {
    this.reservation = reservation;
    this.price = price;
  }

  /**
   * Output tokens so far: the most of the server's running count, the deltas (a streamed chunk
   * carries at least one token) and the text's length at ~4 characters a token.
   */
  get outputTokens(): number {
    return Math.max(this.reported, this.deltas, Math.ceil(this.chars / CHARS_PER_TOKEN));
  }

  /**
   * Sees each runner event of the call (a CallGuard for runAttempt). Up to `max_tokens` the
   * reservation covers the call (a complete answer of exactly `max_tokens` is never cut at its
   * last token); past it, makes sure the reservation covers one more token before it arrives, and
   * when the limit does not allow that, returns the `budget_stopped` error that cuts the call off.
   */
  readonly check = (event: RunnerEvent): CallError | undefined => {
    if (event.type === "usage") {
      this.reported = Math.max(this.reported, event.usage.outputTokens ?? 0);
      return undefined; // no output follows a usage report that could still be saved
    }
    if (event.type !== "delta") return undefined;
    this.deltas++;
    this.chars += event.text.length;
    const tokens = this.outputTokens;
    const needed = tokens <= this.price.maxTokens ? tokens : tokens + 1;
    const next = this.price.baseUsd + this.price.perOutputTokenUsd * needed;
    if (this.reservation.grow(next)) return undefined;
    return new CallError(
      "budget_stopped",
      `cut off after ~${this.outputTokens} output tokens: more would pass --max-cost ` +
        `(the server sent more than max_tokens, or the calls in flight hold the rest)`,
    );
  };

  /**
   * Fills the token counts of a call cut off before the server reported usage, so it is priced:
   * output as counted here, input as estimated before the call. Marked `estimated`.
   */
  fillTokens(record: CallRecord, inputTokens: number): void {
    if (record.output_tokens !== null) return;
    record.output_tokens = this.outputTokens;
    record.input_tokens ??= inputTokens;
    record.tokens_source = "estimated";
  }
}
