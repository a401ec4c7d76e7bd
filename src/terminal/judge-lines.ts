/** Evaluation overhead in words, one line per judge: the terminal's and the Markdown report's. */
import type { JudgeOverhead } from "../metrics/judge-overhead.ts";

/** "gpt41: 96 calls (2 failed), 12,345 in + 2,345 out tokens, $0.0123, 45.2 s of calls". */
export function judgeOverheadLine(judge: JudgeOverhead): string {
  if (judge.error !== null && judge.calls === 0) {
    return `judge ${judge.judge}: ${judge.skipped ? "" : "did not start: "}${judge.error}`;
  }
  const failed = judge.failed_calls > 0 ? ` (${judge.failed_calls} failed)` : "";
  const tokens = `${judge.input_tokens.toLocaleString("en-US")} in + ${judge.output_tokens.toLocaleString("en-US")} out tokens`;
  const unpriced = judge.unpriced_calls > 0 ? ` (${judge.unpriced_calls} calls unpriced)` : "";
  const cost = judge.cost_usd === null ? "cost unknown" : `$${judge.cost_usd.toFixed(4)}${unpriced}`;
  const time = `${(judge.time_ms / 1000).toFixed(1)} s of calls`;
  return `judge ${judge.judge}: ${judge.calls} calls${failed}, ${tokens}, ${cost}, ${time}`;
}

/** The heading and lines of the overhead, or nothing when the run had no judge. */
export function judgeOverheadLines(judges: readonly JudgeOverhead[] | undefined): string[] {
  if (!judges || judges.length === 0) return [];
  return [
    "Evaluation overhead (LLM judges; not in the models' cost or latency):",
    ...judges.map((j) => `  ${judgeOverheadLine(j)}`),
  ];
}
