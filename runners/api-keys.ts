/**
 * API keys: read from environment variables only (never from the suite), named before the first
 * call, and masked wherever a runner's error could carry them (a proxy echoing request headers in
 * its error body, a transport error quoting a header).
 */
import { CallError, toCallError } from "../src/core/errors.ts";
import { maskUrlsIn } from "../src/core/url.ts";

/** What a masked key reads as. */
export const REDACTED = "[REDACTED]";

/**
 * The environment variable a model's key is read from: `api_key_env` when the entry names one,
 * else the first of `defaults` that is set, else the first default (so a missing key is reported
 * under its usual name). No defaults and no `api_key_env`: no key.
 */
export function keyEnvName(configured: string | undefined, defaults: readonly string[]): string | undefined {
  if (configured !== undefined) return configured;
  return defaults.find((name) => process.env[name]) ?? defaults[0];
}

/** The value of `envName`; throws naming the variable (never a value) when it is unset or empty. */
export function readApiKey(envName: string, modelId: string): string {
  const value = process.env[envName];
  if (!value) {
    throw new Error(`model ${modelId}: the API key variable ${envName} is not set (export ${envName}=…)`);
  }
  return value;
}

/**
 * The key for a call made without startup() (which reads it first and fails the model when it is
 * missing): here a missing key fails the call, as a non-retried error naming the variable.
 */
export function readKeyForCall(envName: string, modelId: string): string {
  try {
    return readApiKey(envName, modelId);
  } catch (error) {
    throw new CallError("http_4xx", (error as Error).message);
  }
}

/** Secrets shorter than this are masked where their place is known (a URL), not searched for in text. */
const MIN_SEARCHED_SECRET = 4;

/** `text` with every secret replaced by {@link REDACTED}, and any URL in it masked. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = maskUrlsIn(text);
  for (const secret of secrets)
    if (secret.length >= MIN_SEARCHED_SECRET) out = out.replaceAll(secret, REDACTED);
  return out;
}

/**
 * Any thrown value as a CallError whose message holds no secret. When the message had to be
 * masked, the cause is dropped too: it may hold the same text (or the request's headers).
 */
export function redactError(error: unknown, secrets: readonly string[]): CallError {
  const callError = toCallError(error);
  const message = redact(callError.message, secrets);
  if (message === callError.message && !causeMentions(callError.cause, secrets)) return callError;
  return new CallError(callError.errorClass, message, {
    ...(callError.status !== undefined && { status: callError.status }),
    ...(callError.retryAfterMs !== undefined && { retryAfterMs: callError.retryAfterMs }),
  });
}

function causeMentions(cause: unknown, secrets: readonly string[]): boolean {
  if (cause === undefined || cause === null) return false;
  let text: string;
  try {
    text = cause instanceof Error ? `${cause.message} ${cause.stack ?? ""}` : (JSON.stringify(cause) ?? "");
  } catch {
    text = String(cause);
  }
  return secrets.some((secret) => secret && text.includes(secret));
}
