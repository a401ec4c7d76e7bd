/** Messages between the main thread and its caller threads (worker-callers.ts, caller-worker.ts). */
import { CallError, type ErrorClass } from "../core/errors.ts";
import type { GenerationRequest, RunnerEvent } from "../core/runner.ts";

export type MainMessage =
  | { type: "call"; id: number; request: Omit<GenerationRequest, "signal"> }
  | { type: "abort"; id: number; reason: SerializedError };

export type CallerMessage =
  | { type: "ready" }
  | { type: "events"; id: number; events: RunnerEvent[] }
  | { type: "done"; id: number }
  | { type: "error"; id: number; error: SerializedError };

/** An error as it crosses threads: a CallError keeps its class, status and retry delay. */
export interface SerializedError {
  message: string;
  errorClass?: ErrorClass;
  status?: number;
  retryAfterMs?: number;
}

export function serializedError(error: unknown): SerializedError {
  if (error instanceof CallError)
    return {
      message: error.message,
      errorClass: error.errorClass,
      ...(error.status !== undefined && { status: error.status }),
      ...(error.retryAfterMs !== undefined && { retryAfterMs: error.retryAfterMs }),
    };
  return { message: error instanceof Error ? error.message : String(error) };
}

/** The error again: a CallError when it was one, else a plain Error (the engine classifies it). */
export function revivedError(error: SerializedError): Error {
  if (error.errorClass === undefined) return new Error(error.message);
  return new CallError(error.errorClass, error.message, {
    ...(error.status !== undefined && { status: error.status }),
    ...(error.retryAfterMs !== undefined && { retryAfterMs: error.retryAfterMs }),
  });
}
