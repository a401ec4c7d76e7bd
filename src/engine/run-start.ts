/** The reproducibility record that opens every run segment (`run_start`), for runs and load runs. */
import { LOG_VERSION, METRICS_VERSION, type RunStartEvent } from "../core/records.ts";
import { redactConfig } from "../core/secrets.ts";
import { type RunFacts, startRunFacts } from "../host/host-info.ts";
import { OPBENCH_VERSION } from "../host/version.ts";
import type { ResolvedSuite } from "../suite/resolved.ts";
import type { Shard } from "./shard.ts";

export interface RunStartOptions {
  suite: ResolvedSuite;
  runDir: string;
  /** Set when this segment continues an earlier run: keeps its id. */
  resumedRunId?: string | undefined;
  describedSuite?: unknown;
  overrides?: Record<string, unknown> | undefined;
  prices: RunStartEvent["prices"];
  argv?: string[] | undefined;
  /** `--max-cost` of this segment, USD (null: none); left out of the event when undefined. */
  maxCostUsd?: number | null | undefined;
  /** `--shard` of the run; left out of the event when undefined. */
  shard?: Shard | undefined;
  /** The host facts and git state of the suite's folder, started earlier (`startRunFacts`); else started here. */
  facts?: RunFacts | undefined;
}

/**
 * Builds `run_start`: suite identity and hash, versions, host, git state, pricing data. The suite,
 * the overrides and argv are recorded with URL credentials and secret headers masked.
 */
export async function runStartEvent(options: RunStartOptions): Promise<RunStartEvent> {
  const { suite } = options;
  const facts = options.facts ?? startRunFacts(suite.baseDir);
  const [host, git] = await Promise.all([facts.host, facts.git]);
  return {
    v: LOG_VERSION,
    type: "run_start",
    run_id: options.resumedRunId ?? options.runDir.split(/[\\/]/).pop()!,
    started_at: new Date().toISOString(),
    resumed: options.resumedRunId !== undefined,
    opbench_version: OPBENCH_VERSION,
    metrics_version: METRICS_VERSION,
    node_version: process.version,
    suite: {
      name: suite.name,
      path: suite.sourcePath,
      hash: suite.hash,
      resolved: redactConfig(options.describedSuite ?? null),
      overrides: redactConfig(options.overrides ?? {}),
    },
    git,
    host,
    prices: options.prices,
    argv: redactConfig(options.argv ?? []),
    ...(options.maxCostUsd !== undefined && { max_cost_usd: options.maxCostUsd }),
    ...(options.shard !== undefined && { shard: { index: options.shard.index, count: options.shard.count } }),
  };
}
