/**
 * A task's cases, rendered from its dataset rows when they are used instead of held: a pass over
 * the cases reads the rows again (a JSONL file streams from disk), so a suite's memory does not
 * grow with its number of cases. The suite loader renders every case once, to check it, before
 * anything runs; later renderings of the same rows cannot fail unless the file changed, which
 * the JSONL reader reports as an error (see dataset.ts).
 */

import type { ChatMessage, ToolChoice, ToolDefinition } from "../core/runner.ts";
import type { CaseParams } from "./case-params.ts";
import type { DatasetRow } from "./dataset.ts";

/** One case of a task, rendered from its dataset row. */
export interface Case {
  /** Stable id: the `case_id` template, else the 1-based row number. */
  id: string;
  system?: string;
  prompt: string;
  expected?: string;
  cluster?: string;
  /**
   * How many calls the case stands for (`weight_field`; a replayed request's exact duplicates):
   * accuracy counts it that many times. Absent: 1.
   */
  weight?: number;
  /** The dataset row it was rendered from (scorers may read its columns). */
  row?: DatasetRow;
  /** A conversation sent verbatim in place of system + prompt (a replayed request). */
  messages?: ChatMessage[];
  /** Functions offered to the model in this case (else the task's). */
  tools?: ToolDefinition[];
  /** This case's tool choice (a replayed request's own; else the task's `tool_choice`). */
  toolChoice?: ToolChoice;
  /** Generation parameters of its own (a replayed request's): over the task's, under the model's. */
  params?: CaseParams;
}

/** What the engine needs of a task's cases. A plain `Case[]` is one too. */
export interface CaseList {
  readonly length: number;
  at(index: number): Case | undefined;
  slice(start?: number, end?: number): CaseList;
  [Symbol.iterator](): Iterator<Case>;
}

/** Where rendered cases come from: the rows (afresh on each iteration) and how a row becomes a case. */
export interface CaseSource {
  rows: Iterable<DatasetRow>;
  render(row: DatasetRow, rowIndex: number): Case;
}

/** Cases `start` … `start + length - 1` of a source, rendered one at a time. */
export class RenderedCases implements CaseList {
  readonly length: number;
  private readonly source: CaseSource;
  private readonly start: number;
  /** Whether any case has a gold answer, when the loader already knows. */
  private readonly anyExpected: boolean | undefined;
  /** An open pass over a streamed source, so that `at` walking forward does not reread from the top. */
  private cursor: { rows: Iterator<DatasetRow>; next: number } | undefined;

  constructor(source: CaseSource, length: number, options: { start?: number; anyExpected?: boolean } = {}) {
    this.source = source;
    this.length = length;
    this.start = options.start ?? 0;
    this.anyExpected = options.anyExpected;
  }

  at(index: number): Case | undefined {
    const i = Math.trunc(index) < 0 ? this.length + Math.trunc(index) : Math.trunc(index);
    if (!(i >= 0 && i < this.length)) return undefined;
    const rowIndex = this.start + i;
    const rows = this.source.rows;
    if (Array.isArray(rows)) return this.source.render(rows[rowIndex] as DatasetRow, rowIndex);
    if (!this.cursor || this.cursor.next > rowIndex) {
      this.cursor?.rows.return?.();
      this.cursor = { rows: rows[Symbol.iterator](), next: 0 };
    }
    const cursor = this.cursor;
    for (;;) {
      const row = cursor.rows.next();
      if (row.done) throw fewerRows(rowIndex);
      if (cursor.next++ === rowIndex) return this.source.render(row.value, rowIndex);
    }
  }

  /** Whether any case has a gold answer (renders the cases unless the loader already knew). */
  someExpected(): boolean {
    if (this.anyExpected !== undefined) return this.anyExpected;
    for (const c of this) if (c.expected !== undefined) return true;
    return false;
  }

  /** A view of some of the cases, as `Array.prototype.slice` picks them; shares the source. */
  slice(start = 0, end = this.length): RenderedCases {
    const clamp = (n: number) => {
      const i = Math.trunc(n) < 0 ? this.length + Math.trunc(n) : Math.trunc(n);
      return Math.min(this.length, Math.max(0, i));
    };
    const from = clamp(start);
    const length = Math.max(0, clamp(end) - from);
    const whole = from === 0 && length === this.length;
    return new RenderedCases(this.source, length, {
      start: this.start + from,
      ...(whole && this.anyExpected !== undefined && { anyExpected: this.anyExpected }),
    });
  }

  *[Symbol.iterator](): Iterator<Case> {
    const end = this.start + this.length;
    const rows = this.source.rows;
    if (Array.isArray(rows)) {
      for (let i = this.start; i < end; i++) yield this.source.render(rows[i] as DatasetRow, i);
      return;
    }
    let rowIndex = 0;
    for (const row of rows) {
      if (rowIndex >= end) return;
      if (rowIndex >= this.start) yield this.source.render(row, rowIndex);
      rowIndex++;
    }
    if (rowIndex < end) throw fewerRows(rowIndex);
  }
}

function fewerRows(rowIndex: number): Error {
  return new Error(`the dataset has fewer rows than when the suite was loaded (row ${rowIndex + 1} is gone)`);
}

/** Whether any case of `cases` has a gold answer. */
export function someExpected(cases: CaseList): boolean {
  if (cases instanceof RenderedCases) return cases.someExpected();
  for (const c of cases) if (c.expected !== undefined) return true;
  return false;
}
