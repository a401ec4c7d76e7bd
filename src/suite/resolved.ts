/** The suite after validation and `resolveSuite()`: what the engine consumes. */
import type { StructuredOutput, ToolChoice, ToolDefinition } from "../core/runner.ts";
import type { Scorer } from "../core/scorer.ts";
import type { ProjectedBaseline } from "../savings/projected.ts";
import type { CaseList } from "./case-list.ts";
import type { LoadConfig } from "./load-schema.ts";
import type { ModelConfig, RunnerKind, ScorerConfig } from "./schema.ts";

/** Generation parameters after merging built-in defaults < suite defaults < task < model. */
export interface ResolvedParams {
  maxTokens: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  stop?: string[];
  stream: boolean;
  timeoutMs: number;
}

export interface ResolvedModel {
  id: string;
  label: string;
  runner: RunnerKind;
  /** The model entry with every path made absolute. */
  config: ModelConfig;
  concurrency: number;
}

/** One dataset row, rendered (defined beside the list that renders it). */
export type { Case } from "./case-list.ts";

export interface ResolvedTask {
  id: string;
  description?: string;
  /** Rendered from the dataset as they are used (see case-list.ts); tests may pass a plain array. */
  cases: CaseList;
  scorers: Scorer[];
  /** Scorer configs as written (normalised from shorthand), for the run record. */
  scorerConfigs: ScorerConfig[];
  structured?: StructuredOutput;
  /** Functions offered to the model on every case (a case's own `tools` replace them). */
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /** Task parameters merged over the suite defaults (model params are merged per call). */
  params: ResolvedParams;
}

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
  maxBackoffMs: number;
}

/** A candidate-vs-baseline comparison for the summary's savings section. */
export interface ResolvedSavings {
  candidate: string;
  /** Model id of the baseline, or the projected model's name when `projected` is set. */
  baseline: string;
  /** Set when the baseline is projected (not run): its list price and how it is counted. */
  projected?: ProjectedBaseline;
  /** Why the pair is not as written (e.g. a projected baseline replaced by the real model). */
  note?: string;
  /** Accuracy scorer (default: each task's first). */
  scorer?: string;
  /** Cascade rule: escalate when this scorer scored 0 (default: the task's validity scorers). */
  validityScorer?: string;
  onError: boolean;
  onTruncated: boolean;
  /** True when opbench chose the pair (no `savings:` in the suite). */
  auto: boolean;
}

export interface ResolvedSuite {
  name: string;
  description?: string;
  /** `recorded`: the expected answers are a logged model's, so accuracy is agreement with it. */
  reference?: "recorded";
  /** Absolute path of the suite file (or "<inline>"). */
  sourcePath: string;
  baseDir: string;
  /** sha256 of the suite text and every dataset file it reads. */
  hash: string;
  models: ResolvedModel[];
  /**
   * The judges some task's scorer asks (`judge: <id>`), from `judges:` or `models:`: each gets its
   * own runner, started for the run, never benchmarked.
   */
  judges?: ResolvedModel[];
  tasks: ResolvedTask[];
  repeats: number;
  warmup: number;
  parallelModels: boolean;
  /** Caller threads per model (`workers:` / `--workers`); absent or 1: calls made on the main thread. */
  workers?: number;
  /** Bytes of a call's output (and reasoning) kept in its record; scorers see all of it. */
  maxOutputBytes: number;
  retry: RetryPolicy;
  /** Model-level generation params, by model id (merged over task params per call). */
  modelParams: Record<string, Partial<ResolvedParams>>;
  savings: ResolvedSavings[];
  /** The `load:` section as written (validated): `opbench load` resolves its flags over it. */
  load?: LoadConfig;
  /** Gate expressions as written (checked: they parse and name what the suite has). */
  gates: string[];
  /** Two-sided significance level of delta gates. */
  gateAlpha: number;
  /** Largest share of failed calls before exit code 4; null: not checked. */
  maxErrorRate: number | null;
}
