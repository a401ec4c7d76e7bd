/**
 * Re-grading a run's recorded outputs with a suite's current scorers (`opbench rescore`): the
 * run's log is streamed into a new run directory event by event — each `run_start` marked with
 * where it came from and carrying the new scorer configs, each call record scored again, every
 * other event copied — so memory stays flat for any run size, and no model is called.
 */

import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { CallRecord, LogEvent, RescoredFrom, RunStartEvent } from "../core/records.ts";
import { isLoadEvent, LOG_VERSION } from "../core/records.ts";
import { EVENTS_FILE, readRunLog } from "../core/run-log.ts";
import type { Scorer } from "../core/scorer.ts";
import { scoreAll } from "../scoring/score-all.ts";
import type { Case, ResolvedSuite } from "../suite/resolved.ts";
import { scoreInput } from "./attempt.ts";
import { type JudgePanel, WARMUP_JUDGING } from "./judges.ts";

/** A log that cannot be re-scored (a load sweep, a newer log version, no run_start). */
export class RescoreError extends Error {
  override name = "RescoreError";
}

export interface RescoreOptions {
  /** The run directory whose log is read (absolute). */
  sourceDir: string;
  /** The new run directory, existing and empty (absolute). */
  outDir: string;
  /** The suite whose scorers grade the outputs. */
  suite: ResolvedSuite;
  /** This command line, recorded in the new run_start. */
  argv: string[];
  /** Sees every event as written, in order (to fold the summary). */
  onEvent?: (event: LogEvent) => void;
  now?: Date;
  /**
   * Starts the suite's judges once the new log has its run_start (their `judge_start` and
   * `judge_call` events go to it); absent: the suite asks no judge.
   */
  startJudges?: (append: (event: LogEvent) => void) => Promise<JudgePanel>;
  /** Records scored at once (judged scoring waits on calls; default 1). Their order is kept. */
  concurrency?: number;
}

export interface RescoreStats {
  /** The source run's id. */
  runId: string;
  /** Call records graded again. */
  rescored: number;
  /** Of those, records whose scores differ from the recorded ones (a score, or the scorers, changed). */
  changed: number;
  /** Of those, records whose stored output was cut at max_output_bytes. */
  truncated: number;
  /** Tasks of the log the suite does not have: their records keep their recorded scores. */
  missingTasks: string[];
  /** Lines of the source log that were not JSON (skipped). */
  skippedLines: number[];
}

/**
 * The new log, written in 1 MiB pieces. Not the engine's RunLog (one synchronous write per event,
 * so a crash keeps every finished call): a re-score is redone in seconds, and the source log's
 * lines are already masked and cut.
 */
class BufferedLog {
  private readonly fd: number;
  private pending: string[] = [];
  private size = 0;

  private readonly tap: ((event: LogEvent) => void) | undefined;

  constructor(path: string, tap: ((event: LogEvent) => void) | undefined) {
    this.fd = openSync(path, "wx");
    this.tap = tap;
  }

  append(event: LogEvent): void {
    const line = `${JSON.stringify(event)}\n`;
    this.pending.push(line);
    this.size += line.length;
    if (this.size >= 1 << 20) this.flush();
    this.tap?.(event);
  }

  private flush(): void {
    if (this.pending.length > 0) writeSync(this.fd, this.pending.join(""));
    this.pending = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/**
 * The suite's cases by id, for tasks with a scorer that reads the case's row (its database, its
 * tests): rendered once per such task, on the first record that needs them.
 */
class CasesById {
  private readonly byTask = new Map<string, Map<string, Case> | undefined>();
  private readonly suite: ResolvedSuite;

  constructor(suite: ResolvedSuite) {
    this.suite = suite;
  }

  caseOf(taskId: string, caseId: string): Case | undefined {
    if (!this.byTask.has(taskId)) {
      const task = this.suite.tasks.find((t) => t.id === taskId);
      const needed = task?.scorers.some((scorer) => scorer.readsRow === true) === true;
      this.byTask.set(taskId, needed ? new Map([...task!.cases].map((c) => [c.id, c])) : undefined);
    }
    return this.byTask.get(taskId)?.get(caseId);
  }
}

/** The note a re-score of a cut output adds to each reason. */
export function truncationNote(
  record: Pick<CallRecord, "output" | "output_bytes" | "output_truncated" | "tool_calls_truncated">,
): string {
  if (record.tool_calls_truncated && !record.output_truncated) {
    return " [re-scored on the stored tool calls: arguments cut at max_output_bytes]";
  }
  const kept = Buffer.byteLength(record.output ?? "", "utf8");
  const whole = record.output_bytes === undefined ? "" : ` of ${record.output_bytes}`;
  return ` [re-scored on the stored output: its first ${kept}${whole} bytes (max_output_bytes)]`;
}

function sameScores(a: CallRecord["scores"], b: CallRecord["scores"]): boolean {
  return a.length === b.length && a.every((s, i) => s.scorer === b[i]!.scorer && s.score === b[i]!.score);
}

/** The run_start of the new directory: the source's, with the new scorers and where it came from. */
function markedStart(
  start: RunStartEvent,
  options: RescoreOptions,
  from: RescoredFrom,
  first: boolean,
): RunStartEvent {
  const runId = options.outDir.split(/[\\/]/).pop()!;
  const resolved = start.suite.resolved as { tasks?: { id: string; scorers?: unknown }[] } | null;
  const configs = new Map(options.suite.tasks.map((task) => [task.id, task.scorerConfigs]));
  const tasks = Array.isArray(resolved?.tasks)
    ? resolved.tasks.map((task) => (configs.has(task.id) ? { ...task, scorers: configs.get(task.id) } : task))
    : undefined;
  return {
    ...start,
    run_id: runId,
    argv: options.argv,
    suite: { ...start.suite, resolved: tasks === undefined ? resolved : { ...resolved, tasks } },
    ...(first && { rescored_from: from }),
  };
}

/**
 * Writes the re-scored log into `options.outDir`. Throws RescoreError for a log that is not a
 * run's (a load sweep), one written by a newer opbench, or one without a run_start.
 */
export async function rescoreRun(options: RescoreOptions): Promise<RescoreStats> {
  const scorers = new Map<string, Scorer[]>(options.suite.tasks.map((task) => [task.id, task.scorers]));
  const stats: RescoreStats = {
    runId: "",
    rescored: 0,
    changed: 0,
    truncated: 0,
    missingTasks: [],
    skippedLines: [],
  };
  const missing = new Set<string>();
  const rows = new CasesById(options.suite);
  const log = new BufferedLog(join(options.outDir, EVENTS_FILE), options.onEvent);
  let starts = 0;
  let judges: JudgePanel | undefined;
  // Events in log order, each a promise (a record being scored); at most `concurrency` pending.
  const pending: Promise<LogEvent>[] = [];
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const write = async (event: LogEvent | Promise<LogEvent>, keep = concurrency - 1) => {
    pending.push(Promise.resolve(event));
    while (pending.length > keep) log.append(await pending.shift()!);
  };
  const rescore = async (event: CallRecord, taskScorers: Scorer[]): Promise<LogEvent> => {
    const expected = event.expected ?? undefined;
    const recorded = rows.caseOf(event.task, event.case_id);
    const toolCalls = event.tool_calls ?? undefined;
    const input = recorded
      ? scoreInput(recorded, event.output!, toolCalls)
      : { output: event.output!, expected, ...(toolCalls !== undefined && { toolCalls }) };
    const judging = event.warmup
      ? WARMUP_JUDGING
      : judges?.forCall({ item: event.item, attempt: event.attempt, model: event.model, task: event.task });
    let scores = await scoreAll(taskScorers, { ...input, expected }, judging);
    if (event.output_truncated || event.tool_calls_truncated) {
      stats.truncated++;
      const note = truncationNote(event);
      scores = scores.map((s) => ({ ...s, reason: s.reason + note }));
    }
    stats.rescored++;
    if (!sameScores(scores, event.scores)) stats.changed++;
    return { ...event, scores };
  };
  try {
    for await (const event of readRunLog(options.sourceDir, (line) => stats.skippedLines.push(line))) {
      if (typeof event !== "object" || event === null) continue;
      if (typeof event.v === "number" && event.v > LOG_VERSION) {
        throw new RescoreError(
          `the log was written by a newer opbench (log version ${event.v}; this opbench reads version ${LOG_VERSION}): upgrade opbench to re-score it`,
        );
      }
      if (isLoadEvent(event)) {
        throw new RescoreError(
          "it is a load sweep (opbench load): its calls measure capacity and are not scored",
        );
      }
      if (event.type === "run_start") {
        if (starts === 0) stats.runId = event.run_id;
        const from: RescoredFrom = {
          run_id: stats.runId,
          run_dir: options.sourceDir,
          suite_path: options.suite.sourcePath,
          suite_hash: options.suite.hash,
          at: (options.now ?? new Date()).toISOString(),
        };
        await write(markedStart(event, options, from, starts === 0), 0);
        starts++;
        // The judges start once, after the new log's first run_start.
        if (starts === 1 && options.startJudges) judges = await options.startJudges((e) => log.append(e));
        continue;
      }
      if (starts === 0) throw new RescoreError("its log holds no run_start before its first event");
      // The source's judge calls graded the old scores: this run's overhead is its own judging.
      if (event.type === "judge_call" || event.type === "judge_start") continue;
      if (event.type !== "call") {
        await write(event);
        continue;
      }
      const taskScorers = scorers.get(event.task);
      if (taskScorers === undefined && !event.warmup) missing.add(event.task);
      if (taskScorers === undefined || !event.ok || event.output === null) {
        await write(event);
        continue;
      }
      await write(rescore(event, taskScorers));
    }
    while (pending.length > 0) log.append(await pending.shift()!);
  } finally {
    // Calls still in flight (an error above) settle before the log closes.
    await Promise.allSettled(pending);
    await judges?.stop();
    log.close();
  }
  if (starts === 0)
    throw new RescoreError("its log holds no run_start event: the run did not get as far as starting");
  stats.missingTasks = [...missing];
  return stats;
}
