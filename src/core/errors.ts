/** Call failures, classified as the README's Metrics section defines; the engine retries by class. */

export const ERROR_CLASSES = [
  "timeout",
  "http_4xx",
  "http_429",
  "http_5xx",
  "network",
  "stream_aborted",
  "parse",
  "aborted",
  /**
   * Cut off while streaming because its cost would pass `--max-cost`. Not a failure of the
   * model: recorded (its cost counts) but neither succeeded nor failed, and `--resume` makes it again.
   */
  "budget_stopped",
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** Classes worth another attempt: the server may answer next time. */
export const RETRYABLE: ReadonlySet<ErrorClass> = new Set([
  "http_429",
  "http_5xx",
  "network",
  "stream_aborted",
]);

export class CallError extends Error {
  readonly errorClass: ErrorClass;
  readonly status: number | undefined;
  /** From `Retry-After` (or a provider's reset header), in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(
    errorClass: ErrorClass,
    message: string,
    options: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "CallError";
    this.errorClass = errorClass;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Class of an HTTP status that is not a success. */
export function classifyStatus(status: number): ErrorClass {
  if (status === 429) return "http_429";
  if (status >= 500) return "http_5xx";
  return "http_4xx";
}

/**
 * Parses `Retry-After` (seconds or an HTTP date) into milliseconds from `nowMs` (epoch ms).
 * Returns undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | undefined | null, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Any thrown value as a CallError; unknown failures are `network` (fetch/socket level). */
export function toCallError(error: unknown): CallError {
  if (error instanceof CallError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CallError("network", message, { cause: error });
}
