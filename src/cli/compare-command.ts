/**
 * `opbench compare <a> <b>`: what changed from run a to run b, per model × task — accuracy per
 * scorer with the paired difference (or unpaired, said), its interval and p; p50/p95 latency
 * and whether their intervals separate; cost per 1,000 calls; failed calls. No model is called.
 * A task whose cases carry weights (`weight_field`) has its accuracy compared over the calls
 * they stand for (b's weights), as the summary counts it, with cluster-robust tests.
 */
import { resolve } from "node:path";
import { accuracyDelta } from "../gates/accuracy-delta.ts";
import { loadBaseline, recordedSuiteDir } from "../gates/baseline.ts";
import { groupKey } from "../gates/case-scores.ts";
import { accuracySide, type GateBaseline } from "../gates/evaluate.ts";
import { latencyRise } from "../gates/latency-delta.ts";
import { formatNumber, formatPoints, formatSigned } from "../gates/numbers.ts";
import type { GroupSummary } from "../metrics/group.ts";
import { minSamplesForQuantileInterval } from "../stats/quantile-ci.ts";
import { GATE_EXIT, gateErrorCode, readRunDirWithCases } from "./gate-support.ts";
import { readStoredRun } from "./stored-run.ts";

export interface CompareArgs {
  a: string;
  b: string;
  alpha: number;
  json?: boolean | undefined;
}

export interface CompareRow {
  model: string;
  task: string;
  accuracy: {
    scorer: string;
    a: number;
    b: number;
    /** b − a, as a fraction, with its interval at 1 − α. */
    diff: number;
    interval: [number, number] | null;
    p_value: number | null;
    significant: boolean;
    test: string;
    /** Present when the figures count calls: the cases compared and the logged calls they stand for. */
    weighted?: { cases: number; calls: number };
  }[];
  latency: { figure: string; a: number | null; b: number | null; change: number | null; verdict: string }[];
  cost_per_1k_usd: { a: number | null; b: number | null; change: number | null };
  failed: { a: number; b: number; calls_a: number; calls_b: number };
}

export interface Comparison {
  a: string;
  b: string;
  alpha: number;
  rows: CompareRow[];
  only_in_a: string[];
  only_in_b: string[];
  warnings: string[];
}

export async function compareCommand(args: CompareArgs): Promise<number> {
  try {
    if (!(args.alpha > 0 && args.alpha < 1)) {
      process.stderr.write(`opbench compare: --alpha must be in (0, 1), got ${args.alpha}\n`);
      return GATE_EXIT.usage;
    }
    // b's per-case scores are read in a worker while a is read here.
    const bStored = await readStoredRun(resolve(args.b), args.b, true, true);
    for (const warning of bStored.warnings) process.stderr.write(`opbench: ${warning}\n`);
    if (bStored.results.mode !== "run") {
      process.stderr.write(`opbench compare: ${args.b} is a load sweep; compare compares runs\n`);
      return GATE_EXIT.usage;
    }
    const bSummary = bStored.results.input.summary;
    const suiteDir = recordedSuiteDir(bSummary);
    const a = await loadBaseline(args.a, {
      suiteName: bSummary.run.suite.name,
      searchDirs: [...(suiteDir ? [suiteDir] : []), process.cwd()],
      readRunDir: (dir) => readRunDirWithCases(resolve(dir)),
    });
    const bCases = await bStored.caseData;
    const b: GateBaseline = {
      source: args.b,
      summary: bSummary,
      caseScores: bCases?.scores ?? null,
      caseWeights: bCases?.weights ?? null,
      warnings: [],
    };
    const comparison = compareRuns(a, b, args.alpha);
    if (args.json) process.stdout.write(`${JSON.stringify(comparison, null, 2)}\n`);
    else for (const line of formatComparison(comparison)) process.stdout.write(`${line}\n`);
    return GATE_EXIT.pass;
  } catch (error) {
    const code = gateErrorCode(error, "compare");
    if (code !== null) return code;
    throw error;
  }
}

const label = (r: GroupSummary) => `${r.model} × ${r.task}`;

/** Compares every model × task both runs have. */
export function compareRuns(a: GateBaseline, b: GateBaseline, alpha: number): Comparison {
  const warnings = [...a.warnings];
  const sa = a.summary.run.suite;
  const sb = b.summary.run.suite;
  if (sa.name !== sb.name) warnings.push(`different suites: ${sa.name} vs ${sb.name}`);
  else if (sa.hash !== sb.hash)
    warnings.push(
      `the suite changed between the runs (hash ${sa.hash.slice(0, 12)} → ${sb.hash.slice(0, 12)})`,
    );
  const byKey = new Map(a.summary.results.map((r) => [groupKey(r.model, r.task ?? ""), r]));
  const seen = new Set<string>();
  const rows: CompareRow[] = [];
  const onlyInB: string[] = [];
  for (const rb of b.summary.results) {
    const key = groupKey(rb.model, rb.task ?? "");
    const ra = byKey.get(key);
    if (!ra) {
      onlyInB.push(label(rb));
      continue;
    }
    seen.add(key);
    rows.push(compareRow(ra, rb, a, b, alpha));
  }
  const onlyInA = a.summary.results.filter((r) => !seen.has(groupKey(r.model, r.task ?? ""))).map(label);
  return { a: a.source, b: b.source, alpha, rows, only_in_a: onlyInA, only_in_b: onlyInB, warnings };
}

function compareRow(
  ra: GroupSummary,
  rb: GroupSummary,
  a: GateBaseline,
  b: GateBaseline,
  alpha: number,
): CompareRow {
  const key = groupKey(rb.model, rb.task ?? "");
  const accuracy = rb.accuracy.flatMap((accB) => {
    const accA = ra.accuracy.find((x) => x.scorer === accB.scorer);
    if (!accA) return [];
    const result = accuracyDelta({
      current: accuracySide(accB, b.caseScores?.get(key)?.get(accB.scorer) ?? null),
      baseline: accuracySide(accA, a.caseScores?.get(key)?.get(accB.scorer) ?? null),
      weights: b.caseWeights?.get(key) ?? null,
      margin: 0,
      strict: false,
      alpha,
    });
    const significant = result.pValue !== null && result.pValue < alpha;
    return [
      {
        scorer: accB.scorer,
        a: result.baseline,
        b: result.current,
        diff: -result.drop,
        interval: result.interval ? ([-result.interval[1], -result.interval[0]] as [number, number]) : null,
        p_value: result.pValue,
        significant,
        test: result.test,
        ...(result.weighted && { weighted: result.weighted }),
      },
    ];
  });
  const latency = (["e2e_ms", "ttft_ms"] as const).flatMap((field) =>
    (["p50", "p95"] as const).map((stat) => {
      // b slower than a beyond noise, or a slower than b (b faster).
      const rise = latencyRise(rb.latency[field], ra.latency[field], stat, 0, false);
      const fall = latencyRise(ra.latency[field], rb.latency[field], stat, 0, false);
      const a = ra.latency[field];
      const b = rb.latency[field];
      // Without an interval on either side there is no test, only the two numbers.
      const untested = a && b && (a.ci95[stat] === null || b.ci95[stat] === null);
      const verdict =
        rise.status === "fail"
          ? "slower (intervals separate)"
          : fall.status === "fail"
            ? "faster (intervals separate)"
            : rise.status === "unknown"
              ? "unknown"
              : untested
                ? `not tested: too few calls for a ${stat} interval (${Math.min(a.n, b.n)}; needs ${minSamplesForQuantileInterval(stat === "p50" ? 0.5 : 0.95)})`
                : "no significant change";
      return { figure: `${stat} ${field}`, a: rise.baseline, b: rise.current, change: rise.rise, verdict };
    }),
  );
  const costA = ra.cost.per_1k_calls_usd;
  const costB = rb.cost.per_1k_calls_usd;
  return {
    model: rb.model,
    task: rb.task ?? "",
    accuracy,
    latency,
    cost_per_1k_usd: { a: costA, b: costB, change: costA && costB !== null ? costB / costA - 1 : null },
    failed: { a: ra.failed, b: rb.failed, calls_a: ra.calls, calls_b: rb.calls },
  };
}

const pValue = (p: number | null) =>
  p === null ? "p unknown" : p < 0.001 ? `p = ${p.toExponential(1)}` : `p = ${p.toFixed(3)}`;

/** The comparison as lines of text. */
export function formatComparison(c: Comparison): string[] {
  const lines = [`Compare ${c.a} → ${c.b} (α = ${c.alpha}):`];
  for (const row of c.rows) {
    lines.push(`${row.model} × ${row.task}:`);
    for (const acc of row.accuracy) {
      const interval = acc.interval
        ? ` [${formatSigned(acc.interval[0] * 100, 1)}–${formatSigned(acc.interval[1] * 100, 1)}]`
        : "";
      lines.push(
        `  accuracy (${acc.scorer}) ${formatPoints(acc.a)}% → ${formatPoints(acc.b)}%: ${formatSigned(acc.diff * 100, 1)} points${interval}, ` +
          `${pValue(acc.p_value)}, ${acc.significant ? "significant" : "not significant"} (${acc.test})`,
      );
    }
    for (const l of row.latency) {
      if (l.a === null && l.b === null) continue;
      const change = l.change === null ? "" : ` (${formatSigned(l.change * 100, 1)}%)`;
      lines.push(
        `  ${l.figure} ${l.a === null ? "unknown" : formatNumber(l.a)} → ${l.b === null ? "unknown" : formatNumber(l.b)} ms${change}: ${l.verdict}`,
      );
    }
    const cost = row.cost_per_1k_usd;
    if (cost.a !== null || cost.b !== null) {
      const show = (v: number | null) => (v === null ? "unknown" : `$${formatNumber(v)}`);
      const change = cost.change === null ? "" : ` (${formatSigned(cost.change * 100, 1)}%)`;
      lines.push(`  cost per 1k calls ${show(cost.a)} → ${show(cost.b)}${change}`);
    }
    lines.push(
      `  failed calls ${row.failed.a}/${row.failed.calls_a} → ${row.failed.b}/${row.failed.calls_b}`,
    );
    const weighted = row.accuracy.find((acc) => acc.weighted)?.weighted;
    if (weighted) {
      lines.push(
        `  weighted: accuracy over the ${weighted.calls} logged calls its ${weighted.cases} cases stand for (each case one draw in the test); latency, cost and failed calls count the calls each run made`,
      );
    }
  }
  if (c.only_in_a.length > 0) lines.push(`Only in ${c.a}: ${c.only_in_a.join(", ")}`);
  if (c.only_in_b.length > 0) lines.push(`Only in ${c.b}: ${c.only_in_b.join(", ")}`);
  for (const warning of c.warnings) lines.push(`warning: ${warning}`);
  return lines;
}
