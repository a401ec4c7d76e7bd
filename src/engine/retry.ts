/** When to try a failed call again, and how long to wait first. */
import { type CallError, RETRYABLE } from "../core/errors.ts";
import type { RetryPolicy } from "../suite/resolved.ts";

/** The longest wait opbench accepts from a server's Retry-After, in milliseconds. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** Whether attempt number `attempt` (1-based) that failed with `error` gets another try. */
export function shouldRetry(error: CallError, attempt: number, policy: RetryPolicy): boolean {
  return attempt < policy.attempts && RETRYABLE.has(error.errorClass);
}

/**
 * Milliseconds to wait after failed attempt `attempt` (1-based): exponential backoff with "equal
 * jitter" (half fixed, half random, so retries of concurrent calls spread out), or the server's
 * Retry-After when it names a time, capped at MAX_RETRY_AFTER_MS.
 */
export function backoffMs(
  error: CallError,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  if (error.retryAfterMs !== undefined) return Math.min(error.retryAfterMs, MAX_RETRY_AFTER_MS);
  const ceiling = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Resolves after `ms`, or at once (rejecting with the reason) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
