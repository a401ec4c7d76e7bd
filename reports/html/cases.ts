/**
 * The case browser: cases where some model's call failed, or where the models' first scorer
 * disagrees (one scored it right, another wrong), read from the run log in two streaming passes
 * (the first keeps one small outcome per model and case, the second the details of the cases
 * chosen only). Capped in cases and in bytes, and every text cut, so the page stays small for any
 * run. The prompt is not in the log: a case shows its id, expected answer, and per model the
 * output's start, the scorers' reasons and the error class. Several logs (a comparison of runs) are
 * read as one, each model named after its run, so a case one run got right and another wrong is a
 * disagreement too.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { CallRecord } from "../../src/core/records.ts";
import { EVENTS_FILE, readRunLog } from "../../src/core/run-log.ts";
import type { Summary } from "../../src/metrics/summary.ts";
import { type CaseKind, CaseOutcomes, caseKey, disagreementOrder, isOutcome } from "./case-outcomes.ts";
import { modelColor } from "./colors.ts";
import { escapeHtml } from "./format.ts";

export { type CaseKind, caseKinds, type Outcome } from "./case-outcomes.ts";

export interface CaseModelView {
  model: string;
  ok: boolean;
  /** The output's first `maxTextChars` characters (null: no output). */
  output: string | null;
  /** Whether `output` is shorter than what the model wrote (cut here or in the log). */
  outputCut: boolean;
  /** The tool calls the model made, one `name(arguments)` a line, cut like the output (null: none). */
  toolCalls: string | null;
  error: { class: string; message: string } | null;
  scores: { scorer: string; score: number | null; reason: string }[];
}

export interface CaseView {
  task: string;
  caseId: string;
  repeat: number;
  expected: string | null;
  kinds: CaseKind[];
  models: CaseModelView[];
}

export interface CaseBrowser {
  cases: CaseView[];
  /** Cases that qualified (failed or disagreeing), shown or not. */
  found: { failed: number; disagree: number; total: number };
  /** Qualifying cases left out by the caps. */
  omitted: number;
  maxCases: number;
  maxTextChars: number;
}

export interface CaseBrowserOptions {
  /** At most this many cases (default 200). */
  maxCases?: number;
  /** Each output, expected answer, reason and error message cut to this many characters (default 500). */
  maxTextChars?: number;
  /** The cases' HTML stops growing past this many bytes (default 1,000,000). */
  maxBytes?: number;
  /** Sees every call record of the first pass, so another fold of the log needs no pass of its own. */
  onCall?: (record: CallRecord) => void;
  /**
   * The first pass already made: every call record of the sources, in log order, folded as the
   * run wrote them. The log is then read only for the details of the cases chosen (if any).
   */
  folded?: CaseOutcomes;
  /** Cases where the scorers disagree are chosen and shown before failed calls (replayed traffic). */
  disagreementsFirst?: boolean;
}

/** A run log to read, and the name its models take in the browser (e.g. "q4 · qwen"). */
export interface CaseSource {
  runDir: string;
  modelName: (model: string) => string;
}

/**
 * The JSON text of a log line's `"case_id"` string (quotes and escapes as written), or null: a
 * pre-filter on the raw line, so the second pass parses only the chosen cases' records. A string
 * value cannot hold an unescaped `"`, so `"case_id":"` is only ever a key.
 */
export function rawCaseId(line: string): string | null {
  const key = line.indexOf('"case_id":"');
  if (key < 0) return null;
  const start = key + 10;
  let end = start + 1;
  while (end < line.length) {
    const c = line.charCodeAt(end);
    if (c === 0x5c) end += 2;
    else if (c === 0x22) return line.slice(start, end + 1);
    else end++;
  }
  return null;
}

/** The call records of every source in turn, each with its model renamed. */
async function* callRecords(
  sources: readonly CaseSource[],
  keepLine?: (line: string) => boolean,
): AsyncGenerator<CallRecord> {
  for (const { runDir, modelName } of sources) {
    for await (const event of readRunLog(runDir, undefined, keepLine)) {
      if (event.type !== "call") continue;
      const model = modelName(event.model);
      yield model === event.model ? event : { ...event, model };
    }
  }
}

function cut(text: string, max: number): { text: string; cut: boolean } {
  if (text.length <= max) return { text, cut: false };
  // Never end on half a surrogate pair.
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return { text: `${text.slice(0, end)}…`, cut: true };
}

/**
 * The case browser of the run in `runDir`, or of several runs' logs read as one (null when none
 * has a log; a source without one is skipped). Cases are taken from each task in turn (so every
 * task is shown), in log order within a task, until a cap is met.
 */
export async function collectCases(
  from: string | readonly CaseSource[],
  options: CaseBrowserOptions = {},
): Promise<CaseBrowser | null> {
  const maxCases = options.maxCases ?? 200;
  const maxText = options.maxTextChars ?? 500;
  const maxBytes = options.maxBytes ?? 1_000_000;
  const sources = (typeof from === "string" ? [{ runDir: from, modelName: (m: string) => m }] : from).filter(
    (s) => existsSync(join(s.runDir, EVENTS_FILE)),
  );
  if (sources.length === 0) return null;

  // Pass 1: the final outcome of each model on each case (a later record replaces an earlier one:
  // a retry's success, or a resumed run's new attempt).
  let outcomes = options.folded;
  if (!outcomes) {
    outcomes = new CaseOutcomes();
    for await (const event of callRecords(sources)) {
      options.onCall?.(event);
      outcomes.add(event);
    }
  }
  const { chosen, taskOrder, found } = outcomes.choose(maxCases, options.disagreementsFirst);
  const disagreeFirst = disagreementOrder(options.disagreementsFirst);

  // Pass 2: the details of the chosen cases (lines of other cases skipped unparsed).
  const chosenIds = new Set(
    [...chosen.keys()].map((key) => JSON.stringify((JSON.parse(key) as unknown[])[1])),
  );
  const details = new Map<string, CaseView>();
  if (chosen.size > 0)
    for await (const event of callRecords(sources, (line) => {
      const id = rawCaseId(line);
      return id === null || chosenIds.has(id);
    })) {
      if (!isOutcome(event)) continue;
      const key = caseKey(event);
      const pick = chosen.get(key);
      if (!pick) continue;
      let view = details.get(key);
      if (!view) {
        view = {
          task: event.task,
          caseId: cut(event.case_id, 200).text,
          repeat: event.repeat,
          expected: null,
          kinds: pick.kinds,
          models: [],
        };
        details.set(key, view);
      }
      if (event.expected !== null) view.expected = cut(event.expected, maxText).text;
      const output = event.output === null ? null : cut(event.output, maxText);
      const model: CaseModelView = {
        model: event.model,
        ok: event.ok,
        output: output?.text ?? null,
        outputCut: (output?.cut ?? false) || event.output_truncated === true,
        toolCalls: event.tool_calls?.length
          ? cut(event.tool_calls.map((c) => `${c.name}(${c.arguments})`).join("\n"), maxText).text
          : null,
        error: event.error
          ? { class: event.error.class, message: cut(event.error.message, maxText).text }
          : null,
        scores: event.scores.map((s) => ({
          scorer: s.scorer,
          score: s.score,
          reason: cut(s.reason, maxText).text,
        })),
      };
      const at = view.models.findIndex((m) => m.model === event.model);
      if (at >= 0) view.models[at] = model;
      else view.models.push(model);
    }

  // Task by task (in the order the tasks were first met), then as chosen; then the byte cap.
  const sorted = [...details.entries()]
    .sort(
      ([a, x], [b, y]) =>
        disagreeFirst(x, y) ||
        taskOrder.indexOf(x.task) - taskOrder.indexOf(y.task) ||
        (chosen.get(a)?.order ?? 0) - (chosen.get(b)?.order ?? 0),
    )
    .map(([, view]) => view);
  const cases: CaseView[] = [];
  let bytes = 0;
  for (const view of sorted) {
    bytes += Buffer.byteLength(renderCase(view, () => "#000000"));
    if (bytes > maxBytes) break;
    cases.push(view);
  }
  return { cases, found, omitted: found.total - cases.length, maxCases, maxTextChars: maxText };
}

function scoreText(score: number | null): string {
  return score === null ? "unscored" : String(Number(score.toFixed(3)));
}

/** One case as HTML: every text escaped, model text in `<pre>` as plain text. */
function renderCase(view: CaseView, color: (model: string) => string): string {
  const badges = view.kinds
    .map((k) => `<span class="badge ${k}">${k === "failed" ? "failed call" : "scorers disagree"}</span>`)
    .join("");
  const models = view.models
    .map((m) => {
      const status = m.ok
        ? `<span class="status ok">ok</span>`
        : `<span class="status failed">failed: ${escapeHtml(m.error?.class ?? "error")}</span>`;
      const scores = m.scores
        .map(
          (s) =>
            `<li><b>${escapeHtml(s.scorer)}</b> ${escapeHtml(scoreText(s.score))}${s.reason ? `: ${escapeHtml(s.reason)}` : ""}</li>`,
        )
        .join("");
      const error = m.error ? `<p class="error">${escapeHtml(m.error.message)}</p>` : "";
      const calls =
        m.toolCalls === null
          ? ""
          : `<p class="none">Tool calls:</p><pre class="tool-calls">${escapeHtml(m.toolCalls)}</pre>`;
      const output =
        m.output === null || (m.output === "" && m.toolCalls !== null)
          ? m.toolCalls === null
            ? `<p class="none">no output</p>`
            : ""
          : `<pre>${escapeHtml(m.output)}</pre>${m.outputCut ? `<p class="none">(output cut)</p>` : ""}`;
      return `<div class="case-model"><h4><span class="swatch" style="background:${color(m.model)}"></span>${escapeHtml(m.model)} ${status}</h4>${output}${calls}${error}${scores ? `<ul>${scores}</ul>` : ""}</div>`;
    })
    .join("");
  const repeat = view.repeat > 0 ? `, repeat ${view.repeat + 1}` : "";
  const expected =
    view.expected === null
      ? ""
      : `<p class="expected">Expected: <code>${escapeHtml(view.expected)}</code></p>`;
  return `<article class="case" data-kinds="${view.kinds.join(" ")}"><h3>${escapeHtml(view.task)} · case ${escapeHtml(view.caseId)}${repeat} ${badges}</h3>${expected}<div class="case-models">${models}</div></article>`;
}

/** The browser as HTML: its note, the filter controls (wired by the page script) and the cases. */
export function renderCaseBrowser(summary: Summary, browser: CaseBrowser | null): string {
  if (browser === null) {
    return `<p class="note">No case browser: the run directory has no ${EVENTS_FILE}.</p>`;
  }
  if (browser.found.total === 0) {
    return `<p class="note">No failed call, and no case where the models' first scorer disagrees.</p>`;
  }
  const { found } = browser;
  const left =
    browser.omitted > 0
      ? ` Showing ${browser.cases.length}; ${browser.omitted} left out to keep this page small (at most ${browser.maxCases}, taken from each task in turn; the rest are in ${EVENTS_FILE}).`
      : "";
  const recorded = summary.savings.some((s) => s.reference === "recorded")
    ? "<p class=\"note\">The expected answers are the logged model's: a disagreement is a case where a model's answer differs from the recorded one (agreement, not correctness). Disagreements first.</p>"
    : "";
  const note = `${recorded}<p class="sub">${found.total} case(s): ${found.failed} with a failed call, ${found.disagree} where the models' first scorer disagrees (one right, another wrong). The prompt is not in the log; outputs, expected answers and reasons are cut to their first ${browser.maxTextChars} characters.${left}</p>`;
  const controls = `<div class="case-filter"><label>Filter <input type="search" id="case-query" placeholder="case id, model, output, reason, error class"></label> <label>Show <select id="case-kind"><option value="">all</option><option value="failed">failed calls</option><option value="disagree">disagreements</option></select></label> <span id="case-count" aria-live="polite"></span></div>`;
  const cases = browser.cases.map((c) => renderCase(c, (m) => modelColor(summary, m))).join("\n");
  return `${note}${controls}<div id="cases">${cases}</div>`;
}
