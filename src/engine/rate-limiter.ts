/**
 * Client-side rate limits per model (`rpm`, `tpm`): two token buckets that refill continuously.
 * A call waits until both hold enough; the wait is recorded apart from latency (`rate_wait_ms`).
 */
import { sleep } from "./retry.ts";

/** Seconds of traffic a bucket may bank: short bursts pass, a minute's worth never comes at once. */
const BURST_SECONDS = 6;

class TokenBucket {
  private readonly perMs: number;
  private readonly capacity: number;
  private level: number;
  private updated: number;

  constructor(perMinute: number, now: number) {
    this.perMs = perMinute / 60_000;
    this.capacity = Math.max(1, (perMinute * BURST_SECONDS) / 60);
    this.level = this.capacity;
    this.updated = now;
  }

  /** Takes `amount` (capped at the capacity) and returns how long to wait before it is covered, ms. */
  take(amount: number, now: number): number {
    this.level = Math.min(this.capacity, this.level + (now - this.updated) * this.perMs);
    this.updated = now;
    this.level -= Math.min(amount, this.capacity);
    return this.level >= 0 ? 0 : -this.level / this.perMs;
  }
}

export class RateLimiter {
  private readonly requests: TokenBucket | undefined;
  private readonly tokens: TokenBucket | undefined;

  /** @param rpm requests per minute, @param tpm tokens per minute (either may be absent) */
  constructor(limits: { rpm?: number | undefined; tpm?: number | undefined }, now = performance.now()) {
    this.requests = limits.rpm ? new TokenBucket(limits.rpm, now) : undefined;
    this.tokens = limits.tpm ? new TokenBucket(limits.tpm, now) : undefined;
  }

  get active(): boolean {
    return this.requests !== undefined || this.tokens !== undefined;
  }

  /**
   * Reserves one request of about `tokens` tokens and waits until the limits allow it.
   * Returns the time waited in ms (0 when no limit applies). Rejects if `signal` aborts.
   */
  async acquire(tokens: number, signal?: AbortSignal): Promise<number> {
    const now = performance.now();
    const wait = Math.max(this.requests?.take(1, now) ?? 0, this.tokens?.take(tokens, now) ?? 0);
    if (wait <= 0) return 0;
    await sleep(wait, signal);
    return wait;
  }
}

/** Rough token count of a text for rate limiting and cost estimates: ~4 characters per token. */
export function roughTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
