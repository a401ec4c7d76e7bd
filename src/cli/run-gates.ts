/** Gates of `opbench run`: what the suite lets them name, and their verdicts once the run is over. */
import { dirname } from "node:path";
import { readRunLog } from "../core/run-log.ts";
import { CaseScoreCollector } from "../gates/case-scores.ts";
import type { GateUniverse } from "../gates/validate.ts";
import type { GateReport } from "../metrics/gate-report.ts";
import type { Summary } from "../metrics/summary.ts";
import type { ResolvedSuite } from "../suite/resolved.ts";
import {
  evaluatePrepared,
  hasGates,
  type PreparedGates,
  printGateReport,
  type SuiteGateSettings,
} from "./gate-support.ts";

/** The suite's gate settings, what its gates may name, and where its named baselines are. */
export function suiteGateContext(suite: ResolvedSuite) {
  const universe: GateUniverse = {
    mode: "run",
    models: suite.models.map((m) => m.id),
    tasks: suite.tasks.map((t) => ({ id: t.id, scorers: t.scorerConfigs.map((c) => c.name ?? c.type) })),
    savings: suite.savings.map((s) => ({ candidate: s.candidate, baseline: s.baseline })),
  };
  const settings: SuiteGateSettings = {
    gates: suite.gates,
    alpha: suite.gateAlpha,
    maxErrorRate: suite.maxErrorRate,
  };
  const suiteDir = suite.sourcePath.startsWith("<") ? null : dirname(suite.sourcePath);
  return {
    universe,
    settings,
    identity: { name: suite.name, hash: suite.hash, tasks: suite.tasks.map((t) => t.id) },
    searchDirs: [...(suiteDir ? [suiteDir] : []), process.cwd()],
  };
}

/**
 * Evaluates the run's gates (null when it has none), puts them into `summary.gates` for the
 * outputs, and prints the verdicts on stderr (stdout holds the table or JSON). `cases`: per-case
 * scores folded while the run was logged (with a baseline); null: the log is read again if a
 * baseline needs them.
 */
export async function evaluateRunGates(
  gates: PreparedGates,
  summary: Summary,
  runDir: string,
  cases: CaseScoreCollector | null,
): Promise<GateReport | null> {
  if (!hasGates(gates)) return null;
  let collector = cases;
  if (!collector && gates.baseline) {
    collector = new CaseScoreCollector();
    for await (const event of readRunLog(runDir)) collector.add(event);
  }
  const report = await evaluatePrepared(gates, {
    summary,
    load: null,
    caseScores: collector?.result() ?? null,
    caseWeights: collector?.weights() ?? null,
  });
  summary.gates = report;
  printGateReport(report, (line) => process.stderr.write(`${line}\n`));
  return report;
}
