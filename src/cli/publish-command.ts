/**
 * `opbench publish <run-dirs…> --site DIR [--keep N]`: builds or updates a static site of runs —
 * every run's self-contained report under `runs/`, `history.json` (one record per run, see
 * reports/site/history.ts), a trend page per suite and an index (reports/site/pages.ts).
 * Publishing a run again replaces its record (one point per run); `--keep N` keeps the reports of
 * each suite's N newest runs and prunes the others' pages, never their points. A corrupt
 * history.json stops it (exit 2) before anything is written.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { libraryBundle } from "../../reports/html/page.ts";
import { renderRunReport } from "../../reports/html.ts";
import {
  HistoryError,
  type HistoryRecord,
  historyRecord,
  mergeHistory,
  readHistory,
  writeHistory,
} from "../../reports/site/history.ts";
import { LIBRARY_FILE, renderIndexPage, renderTrendPage, suiteSlug } from "../../reports/site/pages.ts";
import { baselineFileText } from "../gates/baseline.ts";
import { scanCaseScores } from "../gates/case-scan.ts";
import { readRunDirOrSay } from "./summary-command.ts";

export interface PublishArgs {
  runDirs: readonly string[];
  site: string;
  keep?: number | undefined;
}

/** A run's folder in the site: its id and start time, safe for a path and distinct per run. */
export function runFolder(record: Pick<HistoryRecord, "run_id" | "started_at">): string {
  const id = record.run_id.replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 80);
  return `runs/${id}-${record.started_at.replace(/[^0-9]/g, "").slice(0, 14)}`;
}

/** The records after `--keep`: each suite's `keep` newest keep their report; the rest are pruned. */
export function pruneReports(
  records: readonly HistoryRecord[],
  keep: number,
): { kept: HistoryRecord[]; pruned: string[] } {
  const pruned: string[] = [];
  const bySuite = new Map<string, HistoryRecord[]>();
  for (const r of records) bySuite.set(r.suite, [...(bySuite.get(r.suite) ?? []), r]);
  const kept = [...bySuite.values()].flatMap((runs) =>
    [...runs]
      .sort((a, b) => b.started_at.localeCompare(a.started_at))
      .map((r, i) => {
        if (i < keep || r.report === null) return r;
        pruned.push(r.report);
        return { ...r, report: null, baseline: null };
      }),
  );
  return { kept, pruned };
}

export async function publishCommand(args: PublishArgs): Promise<number> {
  const say = (line: string) => process.stderr.write(`${line}\n`);
  if (args.keep !== undefined && !(Number.isInteger(args.keep) && args.keep >= 1)) {
    say(`opbench: --keep takes a whole number of runs ≥ 1 (got ${args.keep})`);
    return 2;
  }
  const site = resolve(args.site);
  let history: HistoryRecord[];
  try {
    history = readHistory(site);
  } catch (error) {
    if (!(error instanceof HistoryError)) throw error;
    say(`opbench: ${error.message}`);
    return 2;
  }
  const added: HistoryRecord[] = [];
  for (const dir of args.runDirs) {
    const reading = await readRunDirOrSay(dir);
    if (!reading) return 2;
    if (reading.results.mode === "load") {
      say(
        `opbench: ${dir} is a load sweep: publish takes runs of \`opbench run\` (its report.html can be copied as is)`,
      );
      return 2;
    }
    const { runDir, summary } = reading.results.input;
    const folder = runFolder({ run_id: summary.run.run_id, started_at: summary.run.started_at });
    const report = `${folder}/report.html`;
    const baseline = `${folder}/baseline.json`;
    mkdirSync(join(site, folder), { recursive: true });
    writeFileSync(join(site, report), await renderRunReport(runDir, summary));
    // What `--baseline <site>` reads: the summary and per-case scores (paired gates).
    writeFileSync(join(site, baseline), baselineFileText("published", dir, summary, scanCaseScores(runDir)));
    added.push(historyRecord(summary, report, baseline));
  }
  let records = mergeHistory(history, added);
  if (args.keep !== undefined) {
    const { kept, pruned } = pruneReports(records, args.keep);
    records = kept;
    for (const report of pruned) rmSync(join(site, dirname(report)), { recursive: true, force: true });
    if (pruned.length > 0) say(`Pruned ${pruned.length} older report(s); their points stay in history.json`);
  }
  mkdirSync(join(site, dirname(LIBRARY_FILE)), { recursive: true });
  writeFileSync(join(site, LIBRARY_FILE), libraryBundle());
  const suites = [...new Set(records.map((r) => r.suite))];
  for (const suite of suites) {
    const dir = join(site, "suites", suiteSlug(suite));
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "index.html"),
      renderTrendPage(
        suite,
        records.filter((r) => r.suite === suite),
      ),
    );
  }
  writeFileSync(join(site, "index.html"), renderIndexPage(records));
  writeHistory(site, records);
  const fresh =
    added.length -
    added.filter((a) => history.some((h) => h.run_id === a.run_id && h.started_at === a.started_at)).length;
  say(
    `Site: ${join(site, "index.html")} (${records.length} run(s) of ${suites.length} suite(s); ${fresh} new, ${added.length - fresh} already there)`,
  );
  if (!existsSync(join(site, ".nojekyll"))) writeFileSync(join(site, ".nojekyll"), "");
  return 0;
}
