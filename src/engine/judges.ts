/**
 * The judges of a run (or of a re-score): each judge model in its own session (started like a
 * model under test, through the same `prepareModel`, so keys, pricing and secret masking are the
 * same; no energy meter), its start logged as `judge_start`, and each judge call — one
 * deterministic attempt through `runAttempt`, retried by the suite's policy, at most the judge's
 * `concurrency` in flight — logged as a `judge_call` against the call it scores. A judge skipped
 * with `--skip-missing-keys` takes its scorers out of scoring; one that failed to start makes
 * them scoring errors.
 */
import { CallError } from "../core/errors.ts";
import type { JudgeCallEvent, JudgedCall, JudgeRequest } from "../core/judge.ts";
import { LOG_VERSION, type LogEvent, MODEL_SKIPPED } from "../core/records.ts";
import type { CallJudging } from "../scoring/score-all.ts";
import type { ResolvedModel, ResolvedParams, ResolvedSuite, RetryPolicy } from "../suite/resolved.ts";
import { runAttempt } from "./attempt.ts";
import { ModelSession } from "./model-session.ts";
import type { WorkItem } from "./plan.ts";
import { RateLimiter, roughTokens } from "./rate-limiter.ts";
import { backoffMs, shouldRetry, sleep } from "./retry.ts";
import type { ModelServices } from "./services.ts";

export interface JudgePanelOptions {
  judges: readonly ResolvedModel[];
  prepare: (judge: ResolvedModel) => ModelServices;
  runDir: string;
  baseDir: string;
  signal: AbortSignal;
  append: (event: LogEvent) => void;
  log?: ((message: string) => void) | undefined;
  retry: RetryPolicy;
  /** Per judge call. */
  timeoutMs: number;
}

/** Warm-up outputs are not judged: their judge scorers do not run (no judge call is paid). */
export const WARMUP_JUDGING: CallJudging = {
  scorers: (all) => all.filter((s) => s.judge === undefined),
  askFor: () => () => Promise.reject(new Error("warm-up calls are not judged")),
};

/** A judge call's time limit: the longest per-call timeout of the suite's tasks. */
export function judgeTimeoutMs(suite: Pick<ResolvedSuite, "tasks">): number {
  return Math.max(60_000, ...suite.tasks.map((task) => task.params.timeoutMs));
}

/** A judge call stopped because the run was interrupted: the scored call is left for --resume. */
export class JudgeInterrupted extends Error {
  override name = "JudgeInterrupted";
}

/** At most `limit` holders at once. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(limit: number) {
    this.free = Math.max(1, limit);
  }
  async take(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

interface Member {
  judge: ResolvedModel;
  session?: ModelSession;
  /** Why it did not start; `skipped` when on purpose (--skip-missing-keys). */
  error?: string;
  skipped?: boolean;
  slots: Slots;
  limiter: RateLimiter;
}

export class JudgePanel {
  private readonly members = new Map<string, Member>();
  private readonly options: JudgePanelOptions;
  /** Item keys whose judging was cut by an interrupt. */
  private readonly interruptedItems = new Set<string>();

  private constructor(options: JudgePanelOptions) {
    this.options = options;
  }

  /** Starts every judge (one failing to start is recorded, not thrown). */
  static async start(options: JudgePanelOptions): Promise<JudgePanel> {
    const panel = new JudgePanel(options);
    for (const judge of options.judges) await panel.startOne(judge);
    return panel;
  }

  private async startOne(judge: ResolvedModel): Promise<void> {
    const { energy: _unmetered, ...services } = this.options.prepare(judge);
    const member: Member = {
      judge,
      slots: new Slots(judge.concurrency),
      limiter: new RateLimiter(services.limits ?? {}),
    };
    this.members.set(judge.id, member);
    const started = await ModelSession.start({
      model: judge,
      services,
      runDir: this.options.runDir,
      baseDir: this.options.baseDir,
      concurrency: judge.concurrency,
      signal: this.options.signal,
      append: (event) => this.options.append(asJudgeEvent(event)),
      log: (message) => this.options.log?.(message.replace(`[${judge.id}]`, `[judge ${judge.id}]`)),
    });
    if (started.session) member.session = started.session;
    else {
      member.error = started.error.message;
      member.skipped = started.error.message.startsWith(MODEL_SKIPPED);
      if (!member.skipped) this.options.log?.(`[judge ${judge.id}] did not start: ${member.error}`);
    }
  }

  /** Judges skipped on purpose, with why (their scorers are not run). */
  skipped(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [id, m] of this.members) if (m.skipped) out.set(id, m.error!);
    return out;
  }

  /** The judging of one scored call. */
  forCall(call: Omit<JudgedCall, "scorer">): CallJudging {
    return {
      scorers: (all) => all.filter((s) => s.judge === undefined || !this.members.get(s.judge)?.skipped),
      askFor: (scorer) => (judge, request) => this.ask(judge, { ...call, scorer: scorer.name }, request),
    };
  }

  /** Whether judging this item was cut by an interrupt (its call must not be logged as done). */
  interrupted(item: string): boolean {
    return this.interruptedItems.has(item);
  }

  private async ask(judgeId: string, call: JudgedCall, request: JudgeRequest): Promise<string> {
    const member = this.members.get(judgeId);
    if (!member) throw new Error(`judge ${judgeId} is not one of the run's judges`);
    if (!member.session) throw new Error(`judge ${judgeId} did not start: ${member.error}`);
    const { signal, retry } = this.options;
    const item = judgeItem(member.judge, request);
    const params: ResolvedParams = {
      maxTokens: request.maxTokens,
      temperature: 0,
      seed: 0,
      stream: false,
      timeoutMs: this.options.timeoutMs,
    };
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) this.interrupt(call.item);
      if (member.limiter.active) {
        await member.limiter
          .acquire(roughTokens((request.system ?? "") + request.prompt) + request.maxTokens, signal)
          .catch(() => this.interrupt(call.item));
      }
      await member.slots.take();
      let outcome: Awaited<ReturnType<typeof runAttempt>>;
      try {
        outcome = await runAttempt(member.session.runner, item, params, attempt, null, signal);
        member.session.finishCall(outcome.record);
      } finally {
        member.slots.give();
      }
      const { record, error } = outcome;
      if (error?.errorClass === "aborted" || (error && signal.aborted)) this.interrupt(call.item);
      this.options.append(judgeCallEvent(judgeId, call, request, attempt, record));
      if (!error) return record.output ?? "";
      if (!shouldRetry(error, attempt, retry)) {
        throw new CallError(error.errorClass, `judge ${judgeId}: ${error.message}`, {
          ...(error.status !== undefined && { status: error.status }),
        });
      }
      await sleep(backoffMs(error, attempt, retry), signal).catch(() => this.interrupt(call.item));
    }
  }

  private interrupt(item: string): never {
    this.interruptedItems.add(item);
    throw new JudgeInterrupted("interrupted by the user");
  }

  /** Stops every started judge. */
  async stop(): Promise<void> {
    for (const member of this.members.values()) await member.session?.stop();
  }
}

/** A judge's `model_start` becomes its `judge_start`: judges are not models under test. */
function asJudgeEvent(event: LogEvent): LogEvent {
  if (event.type !== "model_start") return event;
  return {
    v: LOG_VERSION,
    type: "judge_start",
    judge: event.model,
    runner: event.runner,
    at: event.at,
    backend: event.backend,
    ...(event.error !== undefined && { error: event.error }),
  };
}

/** The one-case work item a judge question is sent as. */
function judgeItem(judge: ResolvedModel, request: JudgeRequest): WorkItem {
  return {
    key: `judge|${judge.id}`,
    model: judge,
    task: {
      id: "judge",
      cases: [],
      scorers: [],
      scorerConfigs: [],
      params: { maxTokens: request.maxTokens, stream: false, timeoutMs: 0 },
      ...(request.schema !== undefined && { structured: { type: "json_schema", schema: request.schema } }),
    },
    case: {
      id: "judge",
      prompt: request.prompt,
      ...(request.system !== undefined && { system: request.system }),
    },
    caseIndex: 0,
    repeat: 0,
    warmup: false,
  };
}

function judgeCallEvent(
  judge: string,
  call: JudgedCall,
  request: JudgeRequest,
  attempt: number,
  record: Awaited<ReturnType<typeof runAttempt>>["record"],
): JudgeCallEvent {
  return {
    v: LOG_VERSION,
    type: "judge_call",
    judge,
    ...call,
    ...(request.label !== undefined && { label: request.label }),
    judge_attempt: attempt,
    started_at: record.started_at,
    ok: record.ok,
    e2e_ms: record.e2e_ms,
    input_tokens: record.input_tokens,
    output_tokens: record.output_tokens,
    cost_usd: record.cost_usd,
    error: record.error,
  };
}
