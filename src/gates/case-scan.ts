/**
 * Per-case scores of a run log, read fast: a 100,000-call log is ~100 MB, mostly outputs, and a
 * paired comparison needs only a few fields of each `call` record. Lines are scanned as bytes
 * and only two small slices of each are decoded and parsed — the record's head (item, model,
 * task, case, cluster, weight, warmup, ok: the fields before `ttft_ms`) and its `scores` array — relying on the
 * field order opbench writes. The slices are found by key patterns with unescaped quotes, which
 * no JSON string can contain; `scores` is the last such key, after which a record holds no
 * model- or server-supplied object. Any line that does not fit (another order, an older log, a
 * load sweep's event) is parsed whole, so the result equals CaseScoreCollector over the parsed log.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import type { CallRecord } from "../core/records.ts";
import { EVENTS_FILE } from "../core/run-log.ts";
import { type CaseData, CaseScoreCollector, type CaseScores } from "./case-scores.ts";

const HEAD_END = Buffer.from(',"ttft_ms":');
const SCORES = Buffer.from(',"scores":[');
const SCORES_END = Buffer.from('],"cost_usd":');
const NEWLINE = 0x0a;
const CHUNK = 4 << 20;

/**
 * The fields CaseScoreCollector reads from line [start, end) of `data`, from the two slices; null
 * when the line does not fit. Searches run on the whole buffer with offsets (no per-line views).
 */
function fastFields(data: Buffer, start: number, end: number): CallRecord | null {
  const headEnd = data.indexOf(HEAD_END, start);
  if (headEnd < 0 || headEnd >= end) return null;
  const scoresAt = data.lastIndexOf(SCORES, end);
  if (scoresAt < headEnd) return null;
  const scoresEnd = data.indexOf(SCORES_END, scoresAt);
  if (scoresEnd < 0 || scoresEnd >= end) return null;
  let head: Partial<CallRecord>;
  let scores: unknown;
  try {
    head = JSON.parse(`${data.toString("utf8", start, headEnd)}}`) as Partial<CallRecord>;
    scores = JSON.parse(data.toString("utf8", scoresAt + SCORES.length - 1, scoresEnd + 1));
  } catch {
    return null;
  }
  if (
    head.type !== "call" ||
    typeof head.item !== "string" ||
    typeof head.model !== "string" ||
    typeof head.task !== "string" ||
    typeof head.case_id !== "string" ||
    typeof head.warmup !== "boolean" ||
    typeof head.ok !== "boolean" ||
    !Array.isArray(scores)
  ) {
    return null;
  }
  const tail = data.toString("latin1", scoresEnd, end);
  // A case's cluster and weight come before `ttft_ms` as opbench writes them; a record that holds
  // them elsewhere is parsed whole (after `scores` no model-supplied object could fake the key).
  if (!("cluster" in head)) return null;
  if (head.case_weight === undefined && tail.includes(',"case_weight":')) return null;
  const retry = tail.includes(',"will_retry":true');
  if (!retry && !tail.includes(',"will_retry":false')) return null;
  const budget = tail.includes(',"error":{"class":"budget_stopped"');
  return {
    ...head,
    will_retry: retry,
    error: budget ? { class: "budget_stopped", message: "", status: null } : null,
    scores,
  } as CallRecord;
}

/** Per-case scores of `<runDir>/events.jsonl` (see the module comment); lines that are not JSON are skipped. */
export function scanCaseScores(runDir: string): CaseScores {
  return scanCaseData(runDir).scores;
}

/** {@link scanCaseScores} with the weighted groups' case weights and clusters. */
export function scanCaseData(runDir: string): CaseData {
  const collector = new CaseScoreCollector();
  const handle = (data: Buffer, start: number, end: number) => {
    if (end <= start) return;
    const fast = fastFields(data, start, end);
    if (fast) {
      collector.add(fast);
      return;
    }
    try {
      collector.add(JSON.parse(data.toString("utf8", start, end)));
    } catch {
      // A line cut off mid-write: the summary's reader names it.
    }
  };
  const fd = openSync(join(runDir, EVENTS_FILE), "r");
  try {
    let carry: Buffer = Buffer.alloc(0);
    const chunk = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const read = readSync(fd, chunk, 0, CHUNK, null);
      if (read === 0) break;
      const data =
        carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      let start = 0;
      for (let end = data.indexOf(NEWLINE, start); end >= 0; end = data.indexOf(NEWLINE, start)) {
        handle(data, start, end);
        start = end + 1;
      }
      // The chunk buffer is reused: keep the unfinished line as a copy.
      carry = Buffer.from(data.subarray(start));
    }
    handle(carry, 0, carry.length);
  } finally {
    closeSync(fd);
  }
  return collector.data();
}

/**
 * scanCaseData in a worker thread (this module is its entry: the URL is the file that is
 * running, .ts in a checkout, .js when installed), so two runs' logs are read on two cores.
 */
export function scanCaseDataInWorker(runDir: string): Promise<CaseData> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { opbenchCaseScan: runDir } });
    worker.once("message", (data: CaseData) => resolve(data));
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0)
        reject(new Error(`reading the per-case scores of ${runDir} failed (worker exit code ${code})`));
    });
  });
}

if (!isMainThread && typeof workerData?.opbenchCaseScan === "string") {
  parentPort?.postMessage(scanCaseData(workerData.opbenchCaseScan));
}
