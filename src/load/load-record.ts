/**
 * The call record of one load call: the same `CallRecord` a run writes, made by the same builder
 * (engine/call-record.ts), without scoring — a load call measures capacity and is not scored
 * (`opbench rescore` refuses load logs for that reason), so its `scores` are empty and no scorer
 * input, score objects or promises are made per request.
 */
import type { CallError } from "../core/errors.ts";
import type { CallRecord } from "../core/records.ts";
import type { GenerationRequest, Runner } from "../core/runner.ts";
import { callRecord, callTokens, type RecordPlace } from "../engine/call-record.ts";
import type { CallTimeline } from "../metrics/call-timeline.ts";

/** Where the call sits: its item key, model, task, case and whether it is a warm-up. */
export type LoadRecordPlace = Omit<RecordPlace, "attempt" | "repeat" | "backoffMs">;

/**
 * The record; a promise only when the server reported no token counts and the runner has to
 * count them (`tokens_source: "estimated"`), as a run does.
 */
export function loadCallRecord(
  runner: Runner,
  place: LoadRecordPlace,
  request: GenerationRequest,
  timeline: CallTimeline,
  error: CallError | undefined,
  startedAt: string,
): CallRecord | Promise<CallRecord> {
  const tokens = callTokens(runner, request, timeline, error === undefined);
  if (tokens instanceof Promise)
    return tokens.then((counted) =>
      callRecord(place, request.stream, timeline, error, startedAt, counted, []),
    );
  return callRecord(place, request.stream, timeline, error, startedAt, tokens, []);
}
