/**
 * Baselines: what a run is compared with. `--baseline` takes a run directory (summary folded
 * from its log, per-case scores from its `call` records: paired tests), a summary.json or a
 * saved baseline file, an http(s) URL of either, or the name of a baseline saved with
 * `opbench baseline save` (`.opbench/baselines/<suite>/<name>.json` beside the suite). A baseline
 * must be of the same suite — the same suite name and at least one task in common — or it is
 * refused with the reason; a changed suite (another hash) is compared on what the two share, and
 * says so.
 */

import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { HISTORY_FILE, type HistoryRecord, historyRecords } from "../core/site-history.ts";
import type { Summary } from "../metrics/summary.ts";
import { BaselineError, BaselineFetchError } from "./baseline-errors.ts";
import {
  type CaseScores,
  type CaseScoresJson,
  type CaseWeights,
  caseScoresFromJson,
  caseScoresToJson,
} from "./case-scores.ts";
import type { GateBaseline } from "./evaluate.ts";

export { BaselineError, BaselineFetchError };

export const BASELINE_FORMAT = 1 as const;

/** A saved baseline (`opbench baseline save`): a run's summary and its per-case scores. */
export interface BaselineFile {
  opbench_baseline: typeof BASELINE_FORMAT;
  name: string;
  saved_at: string;
  /** The run directory it was saved from, as given. */
  saved_from: string;
  suite: { name: string; hash: string };
  summary: Summary;
  case_scores: CaseScoresJson[];
}

export const BASELINE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Where a suite's named baselines live: `<suite dir>/.opbench/baselines/<suite name>/`. */
export function baselineDir(suiteDir: string, suiteName: string): string {
  return join(suiteDir, ".opbench", "baselines", suiteName);
}

/** A run's folded summary and per-case scores, read from a run directory (given by the CLI). */
export type ReadRunDir = (
  dir: string,
) => Promise<{ summary: Summary; caseScores: CaseScores; caseWeights?: CaseWeights }>;

export interface BaselineLookup {
  /** The suite the run belongs to: named baselines are looked for beside it. */
  suiteName: string;
  /** Directories searched for `.opbench/baselines/<suite>/<name>.json`, in order. */
  searchDirs: readonly string[];
  readRunDir: ReadRunDir;
}

/** Loads `source` (see the module comment). */
export async function loadBaseline(source: string, lookup: BaselineLookup): Promise<GateBaseline> {
  if (/^https?:\/\//i.test(source)) {
    // A published site (`opbench publish`): its address, or its history.json.
    if (source.endsWith("/") || /\/history\.json(\?.*)?$/i.test(source)) {
      const history = new URL(source.endsWith("/") ? "history.json" : source, source).toString();
      const file = latestPublished(await fetchJson(history), source, lookup.suiteName);
      return fromJson(await fetchJson(new URL(file, history).toString()), `${source} (${file})`);
    }
    return fromJson(await fetchJson(source), source);
  }
  const path = resolve(source);
  if (existsSync(path)) {
    if (statSync(path).isDirectory() && existsSync(join(path, HISTORY_FILE))) {
      const file = latestPublished(readJson(join(path, HISTORY_FILE), source), source, lookup.suiteName);
      return fromJson(readJson(join(path, file), source), `${source} (${file})`);
    }
    if (statSync(path).isDirectory()) {
      if (!existsSync(join(path, "events.jsonl"))) {
        throw new BaselineError(
          `--baseline ${source}: a directory without events.jsonl; is it a run directory?`,
        );
      }
      const { summary, caseScores, caseWeights } = await lookup.readRunDir(path);
      return { source, summary, caseScores, ...(caseWeights && { caseWeights }), warnings: [] };
    }
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      throw new BaselineError(`--baseline ${source}: not JSON (${(error as Error).message})`);
    }
    return fromJson(json, source);
  }
  if (BASELINE_NAME.test(source) && !source.endsWith(".json")) {
    const candidates = lookup.searchDirs.map((dir) =>
      join(baselineDir(dir, lookup.suiteName), `${source}.json`),
    );
    const found = candidates.find((file) => existsSync(file));
    if (found) return fromJson(JSON.parse(readFileSync(found, "utf8")), `${source} (${found})`);
    throw new BaselineError(
      `--baseline ${source}: no saved baseline of that name for suite ${lookup.suiteName} (looked for ${candidates.join(", ")}); ` +
        `save one with: opbench baseline save <run-dir> --name ${source}`,
    );
  }
  throw new BaselineError(
    `--baseline ${source}: not a run directory, a summary.json, a saved baseline file, an http(s) URL or a saved baseline name`,
  );
}

function readJson(path: string, source: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new BaselineError(`--baseline ${source}: ${path} is not JSON (${(error as Error).message})`);
  }
}

/**
 * The baseline file of the newest run of `suite` a site's history lists (the last run published:
 * on a site CI publishes from main, the last run on main), relative to the site.
 */
function latestPublished(history: unknown, source: string, suite: string): string {
  let records: HistoryRecord[];
  try {
    records = historyRecords(history, `${source} ${HISTORY_FILE}`);
  } catch (error) {
    throw new BaselineError(`--baseline ${(error as Error).message}`);
  }
  const runs = records
    .filter(
      (r): r is HistoryRecord & { baseline: string } => r.suite === suite && typeof r.baseline === "string",
    )
    .sort((a, b) => b.started_at.localeCompare(a.started_at));
  const latest = runs[0];
  if (!latest) {
    throw new BaselineError(
      `--baseline ${source}: the site has no published run of suite ${suite} with a baseline (publish one with opbench publish)`,
    );
  }
  if (latest.baseline.includes("..") || latest.baseline.startsWith("/")) {
    throw new BaselineError(
      `--baseline ${source}: its history.json names a file outside the site (${latest.baseline})`,
    );
  }
  return latest.baseline;
}

async function fetchJson(url: string): Promise<unknown> {
  // Loaded here: undici's whole client is ~100 ms that a run without a URL baseline never needs.
  const { request } = await import("undici");
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(url, { headersTimeout: 30_000, bodyTimeout: 30_000 });
  } catch (error) {
    throw new BaselineFetchError(
      `--baseline ${maskUrl(url)}: could not fetch it: ${(error as Error).message}`,
    );
  }
  const text = await response.body.text();
  if (response.statusCode >= 400) {
    throw new BaselineFetchError(`--baseline ${maskUrl(url)}: the server answered ${response.statusCode}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new BaselineError(
      `--baseline ${maskUrl(url)}: the answer is not JSON (${text.slice(0, 80).replace(/\s+/g, " ")}…)`,
    );
  }
}

/** A URL for messages: user info and query values hidden (a signed URL's signature is a secret). */
function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = "***";
      parsed.password = "";
    }
    for (const key of [...parsed.searchParams.keys()]) parsed.searchParams.set(key, "***");
    return parsed.toString();
  } catch {
    return url;
  }
}

function isSummary(json: unknown): json is Summary {
  const s = json as Partial<Summary> | null;
  return (
    typeof s === "object" &&
    s !== null &&
    s.summary_version === 1 &&
    Array.isArray(s.results) &&
    typeof s.run?.suite?.name === "string"
  );
}

function fromJson(json: unknown, source: string): GateBaseline {
  const file = json as Partial<BaselineFile> | null;
  if (file && typeof file === "object" && "opbench_baseline" in file) {
    if (file.opbench_baseline !== BASELINE_FORMAT || !isSummary(file.summary)) {
      throw new BaselineError(
        `--baseline ${source}: a baseline file of another format (${String(file.opbench_baseline)}); save it again with this opbench`,
      );
    }
    let caseScores: CaseScores | null = null;
    try {
      caseScores = file.case_scores ? caseScoresFromJson(file.case_scores) : null;
    } catch (error) {
      throw new BaselineError(`--baseline ${source}: ${(error as Error).message}`);
    }
    return { source, summary: file.summary, caseScores, warnings: [] };
  }
  if (json && typeof json === "object" && "load_version" in json) {
    throw new BaselineError(
      `--baseline ${source}: a load sweep's load.json; a baseline is a run's summary.json or run directory`,
    );
  }
  if (!isSummary(json)) {
    throw new BaselineError(
      `--baseline ${source}: not an opbench summary.json (summary_version 1) nor a saved baseline`,
    );
  }
  return {
    source,
    summary: json,
    caseScores: null,
    warnings: [`baseline ${source} is a summary.json without per-case scores: accuracy is compared unpaired`],
  };
}

/**
 * Refuses a baseline of another suite: another suite name, or no task in common. A suite that
 * changed (another hash: an edited prompt, model or dataset — what gates are for) is compared
 * on the tasks and cases both have, with a warning.
 */
export function checkSameSuite(
  here: { name: string; hash: string; tasks: readonly string[] },
  baseline: GateBaseline,
): void {
  const there = baseline.summary.run.suite;
  if (here.name !== there.name) {
    throw new BaselineError(
      `--baseline ${baseline.source} refused: it is a run of suite "${there.name}" (hash ${there.hash.slice(0, 12)}), ` +
        `this run is of suite "${here.name}" (hash ${here.hash.slice(0, 12)}); a baseline must come from the same suite (same name)`,
    );
  }
  const tasks = new Set(here.tasks);
  const baseTasks = [...new Set(baseline.summary.results.flatMap((r) => (r.task === null ? [] : [r.task])))];
  if (tasks.size > 0 && baseTasks.length > 0 && !baseTasks.some((t) => tasks.has(t))) {
    throw new BaselineError(
      `--baseline ${baseline.source} refused: suite "${here.name}" there has the tasks ${baseTasks.join(", ")}, ` +
        `this run has ${[...tasks].join(", ")}: no task in common, so it is another suite under the same name`,
    );
  }
  if (here.hash !== there.hash) {
    baseline.warnings.push(
      `the suite changed since the baseline (hash ${there.hash.slice(0, 12)} → ${here.hash.slice(0, 12)}): compared on the models, tasks and cases both have`,
    );
  }
}

/** The text of a baseline file of `summary` and its per-case scores. */
export function baselineFileText(
  name: string,
  from: string,
  summary: Summary,
  caseScores: CaseScores,
  now = new Date(),
): string {
  const file: BaselineFile = {
    opbench_baseline: BASELINE_FORMAT,
    name,
    saved_at: now.toISOString(),
    saved_from: from,
    suite: { name: summary.run.suite.name, hash: summary.run.suite.hash },
    summary,
    case_scores: caseScoresToJson(caseScores),
  };
  return `${JSON.stringify(file, null, 1)}\n`;
}

/** Writes a baseline file (temp + rename) and returns its path. */
export function saveBaseline(
  suiteDir: string,
  name: string,
  from: string,
  summary: Summary,
  caseScores: CaseScores,
  now = new Date(),
): string {
  const dir = baselineDir(suiteDir, summary.run.suite.name);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  writeFileSync(`${path}.tmp`, baselineFileText(name, from, summary, caseScores, now));
  renameSync(`${path}.tmp`, path);
  return path;
}

/** The directory of the suite file a run recorded, when it still exists; else null. */
export function recordedSuiteDir(summary: Summary): string | null {
  const path = summary.run.suite.path;
  if (!path || !isAbsolute(path) || !existsSync(path)) return null;
  return dirname(path);
}
