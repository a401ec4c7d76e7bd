/**
 * What the HTML report reads from the log beyond the summary — the case browser's outcomes and
 * the latency distributions — folded from a run's events as they are written, so the report of a
 * finished run needs no pass of its own over the log (only the chosen cases' details, if any).
 */
import type { LogEvent } from "../../src/core/records.ts";
import type { LogFold } from "../output.ts";
import { CaseOutcomes } from "./case-outcomes.ts";
import { DistributionCollector } from "./distributions.ts";

export class ReportLogFold implements LogFold {
  readonly cases = new CaseOutcomes();
  readonly distributions = new DistributionCollector();

  add(event: LogEvent): void {
    if (event.type !== "call") return;
    this.cases.add(event);
    this.distributions.add(event);
  }
}
