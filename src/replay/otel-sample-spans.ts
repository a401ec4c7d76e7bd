/**
 * Counts and samples the GenAI spans of an OTLP line that otel-line-key.ts read, as the full parse
 * would: a keyed span is parsed and converted, from its own bytes, only when it can enter the
 * sample; a span left to the full conversion is converted from its own bytes.
 */
import type { SpanEntry } from "./otel-line-key.ts";
import { otelSpan } from "./otel-spans.ts";
import { count, type ReadStats } from "./read-log.ts";
import type { StratifiedSampler } from "./sample.ts";

/** A span's own bytes, parsed and converted as otelLine converts it. */
function spanOf(data: Buffer, entry: SpanEntry): ReturnType<typeof otelSpan> {
  return otelSpan(JSON.parse(data.toString("utf8", entry.start, entry.end)));
}

/**
 * Counts and samples the spans of a line (`order`: the line's position in the log).
 */
export function sampleSpans(
  entries: readonly SpanEntry[],
  data: Buffer,
  order: number,
  stats: ReadStats,
  sampler: StratifiedSampler,
): void {
  for (const entry of entries) {
    if (entry.key) {
      stats.calls++;
      if (!sampler.count(entry.key)) continue;
      const call = spanOf(data, entry);
      if (call === undefined || typeof call === "string")
        throw new Error("a GenAI span's sampling key was read, but the span does not convert");
      sampler.addKeyed(call, entry.key, order);
    } else if (entry.skip) count(stats, entry.skip);
    else {
      const call = spanOf(data, entry);
      if (typeof call === "string") count(stats, call);
      else if (call) {
        stats.calls++;
        sampler.add(call, order);
      }
    }
  }
}
