/** Rendered cases as the model sees them: each case's dataset row (kept for scorers) left out. */
import type { Case, CaseList } from "../../src/suite/case-list.ts";

export function withoutRows(cases: CaseList): Omit<Case, "row">[] {
  return [...cases].map(({ row: _row, ...rest }) => rest);
}
